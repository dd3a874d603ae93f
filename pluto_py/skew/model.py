"""What the skew checker works on: component instances, a cluster state, violations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from pluto_py.core.versions import KubeVersion
from pluto_py.skew.policy import KUBE_APISERVER, KUBELET, Rule

# Distribution markers found in version strings (`v1.27.8-eks-8cb36c9`, `v1.28.3-gke.1203001`, ...).
_DISTRIBUTIONS: tuple[tuple[str, str], ...] = (
    ("-eks-", "eks"), ("-gke.", "gke"), ("+k3s", "k3s"), ("+rke2", "rke2"),
)
MANAGED_CONTROL_PLANES = frozenset({"eks", "gke", "aks"})


def distribution_of(raw: str | None) -> str | None:
    """The distribution a version string names, if any ('eks', 'gke', 'k3s', 'rke2')."""
    if not raw:
        return None
    for marker, name in _DISTRIBUTIONS:
        if marker in raw:
            return name
    return None


@dataclass(frozen=True, slots=True)
class Instance:
    """One running component: its version and where it runs.

    ``node`` is the node name for kubelet and kube-proxy (a kubelet and a kube-proxy with the same
    node run side by side), and the host or instance name for control-plane components (a
    controller whose node names a kube-apiserver instance talks to that instance only).
    ``key`` is unique within a state; ``raw`` is the version as the user or the cluster spelled it.
    """

    component: str
    version: KubeVersion
    key: str
    node: str | None = None
    raw: str | None = None
    assumed: bool = False  # not given: the planner assumed it (e.g. scheduler matching kube-apiserver)

    @property
    def label(self) -> str:
        return self.node if self.node is not None else self.key

    def moved_to(self, version: KubeVersion) -> Instance:
        return replace(self, version=version, raw=None)


@dataclass(frozen=True)  # not slotted: its indexes are cached_property values, kept in __dict__
class ClusterState:
    instances: tuple[Instance, ...]
    distribution: str | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self._by_key) != len(self.instances):
            raise ValueError("duplicate instance keys")

    def of(self, component: str) -> list[Instance]:
        return list(self._by_component.get(component, ()))

    @property
    def apiservers(self) -> list[Instance]:
        return self.of(KUBE_APISERVER)

    def apiserver_versions(self) -> list[KubeVersion]:
        return sorted({instance.version for instance in self.apiservers})

    @property
    def oldest_apiserver(self) -> KubeVersion | None:
        versions = self.apiserver_versions()
        return versions[0] if versions else None

    @property
    def newest_apiserver(self) -> KubeVersion | None:
        versions = self.apiserver_versions()
        return versions[-1] if versions else None

    @cached_property
    def _by_key(self) -> dict[str, Instance]:
        return {instance.key: instance for instance in self.instances}

    @cached_property
    def _kubelets(self) -> dict[str, Instance]:
        return {i.node: i for i in self.instances if i.component == KUBELET and i.node is not None}

    @cached_property
    def _by_component(self) -> dict[str, list[Instance]]:
        grouped: dict[str, list[Instance]] = {}
        for instance in self.instances:
            grouped.setdefault(instance.component, []).append(instance)
        return grouped

    def kubelet_on(self, node: str | None) -> Instance | None:
        return None if node is None else self._kubelets.get(node)

    def get(self, key: str) -> Instance:
        return self._by_key[key]

    def with_versions(self, changes: Mapping[str, KubeVersion]) -> ClusterState:
        """A copy with the instances named by key moved to new versions."""
        unknown = set(changes) - set(self._by_key)
        if unknown:
            raise KeyError(f"no such instances: {sorted(unknown)}")
        moved = tuple(instance.moved_to(changes[instance.key]) if instance.key in changes else instance
                      for instance in self.instances)
        return replace(self, instances=moved)

    def with_instances(self, extra: Iterable[Instance]) -> ClusterState:
        return replace(self, instances=self.instances + tuple(extra))

    def __iter__(self) -> Iterator[Instance]:
        return iter(self.instances)


@dataclass(frozen=True, slots=True)
class VersionRange:
    """An inclusive range of minor versions."""

    min: KubeVersion
    max: KubeVersion

    def __contains__(self, version: object) -> bool:
        return isinstance(version, KubeVersion) and self.min <= version <= self.max

    def __str__(self) -> str:
        return str(self.min) if self.min == self.max else f"{self.min}-{self.max}"

    def to_dict(self) -> dict[str, str]:
        return {"min": str(self.min), "max": str(self.max)}


@dataclass(frozen=True, slots=True)
class Violation:
    """A component outside the policy: which instance, which rule, what would be allowed."""

    instance: Instance
    rule: Rule
    allowed: VersionRange | None  # None: no version satisfies this rule in this state
    reference: str  # what it was compared with, e.g. "kube-apiserver 1.27"
    message: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def component(self) -> str:
        return self.instance.component

    def to_dict(self) -> dict[str, Any]:
        return {
            "component": self.instance.component,
            "node": self.instance.node,
            "version": str(self.instance.version),
            "allowed": self.allowed.to_dict() if self.allowed else None,
            "rule": self.rule.id,
            "message": self.message,
            "source": self.rule.source_url,
            "sources": [citation.to_dict() for citation in self.rule.sources],
            "reference": self.reference,
            "policy_release": str(self.rule.since),
        }
