"""What blue/green readiness reasons about: a description of each cluster, and the results of the checks.

A cluster is described by whatever the user has of it — a dump of its objects, its version, the output of
``kubectl api-resources`` / ``kubectl api-versions``, a live context — each giving a partial ``ClusterView``.
``combine`` merges them into one view where each part fills what the others lack: ``kubectl api-resources``
lists each resource once (at its group's preferred version), ``kubectl api-versions`` every served
group/version without kinds, the version's built-in served-API data every built-in kind, a dump the CRDs,
APIServices, namespaces and workloads. The checks read only ClusterViews, never where they came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from pluto_py.core.model import ScanError
from pluto_py.core.versions import KubeVersion

BLOCKER = "blocker"
WARNING = "warning"

BLUE = "blue"
GREEN = "green"

CRD_KIND = "CustomResourceDefinition"
APISERVICE_KIND = "APIService"
NAMESPACE_KIND = "Namespace"
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")
WEBHOOK_KINDS = ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")
# Namespaces every cluster has: never "missing", whatever a dump holds.
SYSTEM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})


def group_of(api_version: str) -> str:
    """The API group of an apiVersion ("" for the core group)."""
    return api_version.rpartition("/")[0]


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def sequence(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def text(value: Any) -> str | None:
    """A scalar as text (YAML may give ints for names), else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


@cache
def builtin_served(version: KubeVersion | None) -> tuple[Mapping[str, frozenset[str]], frozenset[str]]:
    """Built-in kinds per group/version at ``version`` (none when it is None), and every built-in API group
    of any release ("" is the core group), from the shipped served-API data (pluto_py/served.py)."""
    from pluto_py.core.served import load_served
    from pluto_py.core.table import TableError

    try:
        served = load_served()
    except TableError:
        served = None
    if served is None:
        return {}, frozenset({""})
    groups = frozenset({"", *(group_of(api_version) for api_version, _ in served.ranges)})
    if version is None:
        return {}, groups
    release, _ = served.covered_release(version)
    kinds: dict[str, set[str]] = {}
    for (api_version, kind), spans in served.ranges.items():
        if any(first <= release and (last is None or release <= last) for first, last in spans):
            kinds.setdefault(api_version, set()).add(kind)
    return {api_version: frozenset(names) for api_version, names in kinds.items()}, groups


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """The object a check result is about (the JSON contract's ``object``)."""

    api_version: str
    kind: str
    name: str | None
    namespace: str | None

    def to_dict(self) -> dict[str, str | None]:
        return {"api_version": self.api_version, "kind": self.kind, "name": self.name, "namespace": self.namespace}

    def __str__(self) -> str:
        name = f"{self.kind}/{self.name or '<unnamed>'}"
        return f"{name} (namespace {self.namespace})" if self.namespace else name


@dataclass(frozen=True, slots=True)
class Where:
    """Where an object was read: the input's path, a line when known, and what the text there is."""

    path: str
    line: int | None
    source: str  # pluto_py.model SOURCE_*: file, stdin, helm-template, helm-release, last-applied, cluster
    detail: str = ""  # e.g. "Helm release shop revision 3", a chart template path

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where} [{self.detail}]" if self.detail else where


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One problem a check found."""

    id: str
    severity: str  # BLOCKER | WARNING
    object: ObjectRef
    message: str
    fix: str
    side: str = GREEN  # the cluster the object is on
    where: Where | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's check entry (design.md section 4): exactly these keys."""
        return {"id": self.id, "severity": self.severity, "object": self.object.to_dict(),
                "message": self.message, "fix": self.fix}


@dataclass(frozen=True, slots=True)
class NotChecked:
    """A check that the descriptions given cannot answer, and what would let it."""

    id: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class ApiResource:
    """One line of ``kubectl api-resources``: a resource served at a group/version."""

    name: str  # plural, e.g. "deployments"
    group_version: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClusterObject:
    """An object on a cluster: as it runs (``live``) and as its owner applied it (``applied``).

    For a live object, the apiVersion says only what the client asked for; the applied view (the
    last-applied annotation, the Helm release manifest, or a manifest itself) says what its owners
    wrote, and is what must apply on the other cluster. Either may be missing: a controller-made
    object has no applied view, a manifest or Helm release record no live one.
    """

    kind: str
    name: str | None
    namespace: str | None
    live: Mapping[str, Any] | None
    applied: Mapping[str, Any] | None
    where: Where

    @property
    def api_version(self) -> str:
        """As applied when known (what must apply elsewhere), else as read."""
        for view in (self.applied, self.live):
            if view is not None and isinstance(view.get("apiVersion"), str):
                return str(view["apiVersion"])
        return ""

    @property
    def data(self) -> Mapping[str, Any]:
        """What runs: the live object when there is one, else the applied configuration."""
        return self.live if self.live is not None else (self.applied or {})

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.api_version, self.kind, self.name, self.namespace)

    @property
    def labels(self) -> Mapping[str, Any]:
        return mapping(mapping(self.data.get("metadata")).get("labels"))

    @property
    def spec(self) -> Mapping[str, Any]:
        return mapping(self.data.get("spec"))

    @property
    def status(self) -> Mapping[str, Any] | None:
        """The live status; None for manifests (nothing is known about how they run)."""
        if self.live is None or not isinstance(self.live.get("status"), Mapping):
            return None
        return mapping(self.live.get("status"))

    def same_object(self, kind: str, namespace: str | None, name: str | None) -> bool:
        return self.kind == kind and (self.namespace or "") == (namespace or "") and self.name == name


@dataclass(frozen=True, slots=True)
class Crd:
    """What a CustomResourceDefinition on a cluster serves."""

    name: str
    group: str
    kind: str
    served_versions: tuple[str, ...]
    storage_version: str | None
    obj: ClusterObject


@dataclass(frozen=True, slots=True)
class ApiServiceInfo:
    """An APIService: a group/version, served locally or by a Service (an aggregated API)."""

    name: str
    group: str
    version: str
    service: tuple[str, str] | None  # (namespace, name); None: served by kube-apiserver itself
    available: bool | None  # status condition Available; None when unknown (a manifest)
    obj: ClusterObject

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


@dataclass(frozen=True)
class ClusterView:
    """All that is known about one cluster (see the module docstring); parts are merged by ``combine``.

    ``objects`` is None when no dump or live read described the cluster's objects at all.
    """

    side: str
    version: KubeVersion | None = None
    described_by: tuple[str, ...] = ()
    discovered: Mapping[str, Mapping[str, ApiResource]] = field(default_factory=dict)  # gv -> kind -> resource
    group_versions: frozenset[str] | None = None  # every served group/version (kubectl api-versions)
    unreachable: frozenset[str] = frozenset()  # group/versions discovery could not read (aggregated API down)
    objects: tuple[ClusterObject, ...] | None = None
    errors: tuple[ScanError, ...] = ()
    notes: tuple[str, ...] = ()

    # --- what the objects say ---------------------------------------------------------------

    def of_kind(self, *kinds: str) -> Iterator[ClusterObject]:
        for obj in self.objects or ():
            if obj.kind in kinds:
                yield obj

    def has_kind(self, *kinds: str) -> bool:
        return next(self.of_kind(*kinds), None) is not None

    def find(self, kind: str, namespace: str | None, name: str | None) -> ClusterObject | None:
        for obj in self.of_kind(kind):
            if obj.same_object(kind, namespace, name):
                return obj
        return None

    @cached_property
    def crds(self) -> Mapping[str, Crd]:
        """CRDs by (group, kind) key ``group/Kind``."""
        from pluto_py.pipeline.crd_versions import versions_of_crd

        found: dict[str, Crd] = {}
        for obj in self.of_kind(CRD_KIND):
            versions = versions_of_crd(obj.data, str(obj.where))
            if not versions:
                continue
            first = versions[0]
            storage = next((str(v.get("name")) for v in sequence(obj.spec.get("versions"))
                            if isinstance(v, Mapping) and v.get("storage") is True), None)
            found[f"{first.group}/{first.kind}"] = Crd(
                first.crd, first.group, first.kind, tuple(v.version for v in versions if v.served),
                storage or text(obj.spec.get("version")), obj)
        return found

    def crd_for(self, group: str, kind: str) -> Crd | None:
        return self.crds.get(f"{group}/{kind}")

    @property
    def knows_crds(self) -> bool:
        """Whether the description lists the cluster's CRDs (a dump with CRDs, or discovery)."""
        return self.has_kind(CRD_KIND) or bool(self.discovered)

    @cached_property
    def apiservices(self) -> Mapping[str, ApiServiceInfo]:
        """APIServices by group/version."""
        found: dict[str, ApiServiceInfo] = {}
        for obj in self.of_kind(APISERVICE_KIND):
            spec = obj.spec
            group, version = text(spec.get("group")) or "", text(spec.get("version"))
            if version is None:
                continue
            service_ref = mapping(spec.get("service"))
            service = ((text(service_ref.get("namespace")) or "", text(service_ref.get("name")) or "")
                       if service_ref else None)
            available: bool | None = None
            status = obj.status
            if status is not None:
                for condition in sequence(status.get("conditions")):
                    if mapping(condition).get("type") == "Available":
                        available = mapping(condition).get("status") == "True"
            info = ApiServiceInfo(obj.name or f"{version}.{group}", group, version, service, available, obj)
            found[info.group_version] = info
        return found

    @property
    def knows_namespaces(self) -> bool:
        return self.has_kind(NAMESPACE_KIND)

    @cached_property
    def namespaces(self) -> Mapping[str, ClusterObject | None]:
        """Namespaces: Namespace objects, and those that objects live in (no Namespace object then)."""
        found: dict[str, ClusterObject | None] = {}
        for obj in self.of_kind(NAMESPACE_KIND):
            if obj.name:
                found[obj.name] = obj
        for obj in self.objects or ():
            if obj.namespace and obj.namespace not in found:
                found[obj.namespace] = None
        return found

    def has_namespace(self, name: str) -> bool:
        return name in SYSTEM_NAMESPACES or name in self.namespaces

    # --- what the cluster serves ----------------------------------------------------------------

    @cached_property
    def listed(self) -> frozenset[str] | None:
        """Every group/version the cluster serves, when the description lists them all: `kubectl api-versions`,
        or a dump of its APIServices (every served group/version has one; kube-apiserver's own, with no
        service, show the dump is the whole list). None when no description lists them."""
        if self.group_versions is not None:
            return self.group_versions
        if any(service.service is None for service in self.apiservices.values()):
            return frozenset(gv for gv, service in self.apiservices.items() if service.available is not False)
        return None

    @cached_property
    def _builtin(self) -> tuple[Mapping[str, frozenset[str]], frozenset[str]]:
        return builtin_served(self.version)

    def is_builtin(self, api_version: str) -> bool:
        return group_of(api_version) in self._builtin[1]

    def served(self, api_version: str, kind: str) -> bool | None:
        """Whether this cluster serves ``kind`` at ``api_version``; None when the description cannot tell.

        Discovery and CRDs say yes outright; a complete list of group/versions (``listed``) says no
        for any group/version it lacks; the built-in served data of the version says which
        kinds each built-in group/version has (alpha versions excepted: off unless enabled).
        """
        group, _, version = api_version.rpartition("/")
        if kind in self.discovered.get(api_version, {}):
            return True
        crd = self.crd_for(group, kind)
        if crd is not None:
            return version in crd.served_versions
        listed = self.listed
        if listed is not None and api_version not in listed:
            return False
        builtin_kinds, builtin_groups = self._builtin
        if group in builtin_groups or not group:
            if self.version is None:
                return True if listed is not None and self._kind_in_group(group, kind) else None
            if kind in builtin_kinds.get(api_version, frozenset()):
                if "alpha" in version and listed is None:
                    return None  # defined in this release but off unless the cluster enables it
                return True
            return False
        if listed is not None:
            return True  # listed, neither built-in nor a known CRD: an aggregated or custom API
        return None

    def _kind_in_group(self, group: str, kind: str) -> bool:
        return any(group_of(gv) == group and kind in kinds for gv, kinds in self.discovered.items())

    def serves_group_version(self, api_version: str) -> bool | None:
        if api_version in self.unreachable:
            return False
        if api_version in self.discovered:
            return True
        service = self.apiservices.get(api_version)
        if service is not None:
            return service.available is not False
        if self.listed is not None:
            return api_version in self.listed
        if any(crd.group == group_of(api_version) and api_version.rpartition("/")[2] in crd.served_versions
               for crd in self.crds.values()):
            return True
        if self.version is not None and self.is_builtin(api_version):
            return api_version in self._builtin[0]
        return None

    @property
    def knows_served(self) -> bool:
        return self.version is not None or self.group_versions is not None or bool(self.discovered)

    def summary(self) -> dict[str, Any]:
        """The JSON report's ``blue`` / ``green`` object."""
        objects = self.objects
        return {
            "version": None if self.version is None else str(self.version),
            "described_by": list(self.described_by),
            "objects": None if objects is None else len(objects),
            "namespaces": sorted(self.namespaces) if self.knows_namespaces else None,
            "crds": sorted(crd.name for crd in self.crds.values()) if self.knows_crds else None,
            "aggregated_apis": sorted(gv for gv, s in self.apiservices.items() if s.service is not None),
            "group_versions": sorted(self.listed) if self.listed is not None else sorted(self.discovered) or None,
            "notes": list(self.notes),
            "errors": [error.to_dict() for error in self.errors],
        }


def _merge_objects(parts: Iterable[Sequence[ClusterObject]]) -> tuple[ClusterObject, ...]:
    """Objects of several inputs; the same object (kind, namespace, name) read twice becomes one, with the
    live view of one and the applied view of the other (a Helm release manifest and the live object)."""
    merged: dict[tuple[str, str, str], ClusterObject] = {}
    for objects in parts:
        for obj in objects:
            key = (obj.kind, obj.namespace or "", obj.name or "")
            if not obj.name:
                merged[(obj.kind, obj.namespace or "", f"#{len(merged)}")] = obj
                continue
            known = merged.get(key)
            if known is None:
                merged[key] = obj
                continue
            live = known.live if known.live is not None else obj.live
            applied, where = (known.applied, known.where) if known.applied is not None else (obj.applied, obj.where)
            merged[key] = ClusterObject(known.kind, known.name, known.namespace, live, applied, where)
    return tuple(merged.values())


def combine(side: str, parts: Sequence[ClusterView]) -> ClusterView:
    """One view of a cluster from several partial ones (see the module docstring).

    Two parts that disagree on the version are an error (naming both), and the first one given wins.
    """
    version: KubeVersion | None = None
    version_from = ""
    errors: list[ScanError] = []
    discovered: dict[str, dict[str, ApiResource]] = {}
    group_versions: set[str] | None = None
    for part in parts:
        errors.extend(part.errors)
        if part.version is not None:
            if version is None:
                version, version_from = part.version, ", ".join(part.described_by)
            elif part.version != version:
                errors.append(ScanError(", ".join(part.described_by), None,
                                        f"{side} is {part.version} here but {version} by {version_from}; "
                                        f"using {version}"))
        for gv, kinds in part.discovered.items():
            discovered.setdefault(gv, {}).update(kinds)
        if part.group_versions is not None:
            group_versions = set(part.group_versions) | (group_versions or set())
    object_parts = [part.objects for part in parts if part.objects is not None]
    return ClusterView(
        side=side, version=version,
        described_by=tuple(d for part in parts for d in part.described_by),
        discovered=discovered,
        group_versions=frozenset(group_versions) if group_versions is not None else None,
        unreachable=frozenset(gv for part in parts for gv in part.unreachable),
        objects=_merge_objects(object_parts) if object_parts else None,
        errors=tuple(errors),
        notes=tuple(note for part in parts for note in part.notes),
    )
