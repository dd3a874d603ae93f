"""What every control module shares: a pod template's view, a hit, the control record.

A control reads a ``PodView`` (the pod spec and metadata of any workload, with their paths inside
the object) and yields a ``Hit`` per forbidden field, with the field's path inside the object, so
that the report can name the field and its line. Inputs are user data: every accessor tolerates
values of the wrong type (they are the scan's to report, not ours to crash on).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from pluto_py.core.model import NodePath
from pluto_py.podsecurity.standards import ControlRule

CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
WINDOWS_EXEMPT = "windows-exempt"
USER_NAMESPACE_RELAXED = "user-namespace-relaxed"


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def sequence(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else ()


def text(value: Any) -> str:
    """A scalar as the API server would read a string field ('' when absent)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


class Hit(NamedTuple):
    """A forbidden value: where it is (inside the object) and why."""

    field: NodePath
    message: str


@dataclass(frozen=True, slots=True)
class ContainerRef:
    list_key: str  # initContainers / containers / ephemeralContainers
    index: int
    data: Mapping[str, Any]
    spec_path: NodePath  # of the pod spec inside the object

    @property
    def name(self) -> str:
        return text(self.data.get("name")) or f"{self.list_key}[{self.index}]"

    @property
    def path(self) -> NodePath:
        return (*self.spec_path, self.list_key, self.index)

    @property
    def security(self) -> Mapping[str, Any]:
        return mapping(self.data.get("securityContext"))

    @property
    def security_path(self) -> NodePath:
        return (*self.path, "securityContext")

    def describe(self) -> str:
        kind = {"initContainers": "init container", "ephemeralContainers": "ephemeral container"}
        return f"{kind.get(self.list_key, 'container')} {self.name!r}"


@dataclass(frozen=True, slots=True)
class PodView:
    """The pod of a Pod, or the pod template of a workload."""

    spec: Mapping[str, Any]
    metadata: Mapping[str, Any]
    spec_path: NodePath  # inside the object: ("spec",) for a Pod, ("spec", "template", "spec") for a Deployment
    meta_path: NodePath

    @property
    def containers(self) -> tuple[ContainerRef, ...]:
        return tuple(ContainerRef(key, index, mapping(item), self.spec_path)
                     for key in CONTAINER_LISTS for index, item in enumerate(sequence(self.spec.get(key))))

    @property
    def security(self) -> Mapping[str, Any]:
        return mapping(self.spec.get("securityContext"))

    @property
    def security_path(self) -> NodePath:
        return (*self.spec_path, "securityContext")

    def security_contexts(self) -> Iterator[tuple[Mapping[str, Any], NodePath, str]]:
        """(securityContext, its path, who) of the pod, then of each container."""
        yield self.security, self.security_path, "the pod"
        for container in self.containers:
            yield container.security, container.security_path, container.describe()

    @property
    def annotations(self) -> Mapping[str, Any]:
        return mapping(self.metadata.get("annotations"))

    def annotation_path(self, key: str) -> NodePath:
        return (*self.meta_path, "annotations", key)

    @property
    def windows(self) -> bool:
        """spec.os.name is windows (the pod OS field, GA in 1.25)."""
        return text(mapping(self.spec.get("os")).get("name")) == "windows"

    @property
    def user_namespace(self) -> bool:
        """spec.hostUsers is false: the pod runs in a user namespace."""
        return self.spec.get("hostUsers") is False


CheckFn = Callable[[PodView, ControlRule], Iterator[Hit]]


@dataclass(frozen=True, slots=True)
class Control:
    """One Pod Security Standards control: its id (as k8s.io/pod-security-admission names its check),
    the release its first version applies from (data/pod_security.yaml holds the same), and the check."""

    id: str
    since: str
    check: CheckFn


def exempt(pod: PodView, rule: ControlRule) -> bool:
    """The rule's version exempts this pod (a Windows pod from Linux-only checks, a pod in a user
    namespace from the checks KEP-127 relaxes)."""
    return ((WINDOWS_EXEMPT in rule.behaviour and pod.windows)
            or (USER_NAMESPACE_RELAXED in rule.behaviour and pod.user_namespace))


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def render_field(path: NodePath) -> str:
    """``spec.containers[0].securityContext.privileged``; keys that are not identifiers in ['...']."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += "['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return out
