"""CRD manifests as a table: custom resources of a version their scanned CRD retires are findings.

A CustomResourceDefinition declares, per version, whether it is still ``served`` and whether it is
``deprecated`` (with an optional ``deprecationWarning``, apiextensions.k8s.io/v1 since Kubernetes
1.19). When the scan reads a CRD, every custom resource of a version that is

* ``served: false``  becomes a **removed** finding (the API server rejects it), and
* ``deprecated: true`` becomes a **deprecated** finding (the server warns on every request),

so operators' API removals are caught without any table rows. The table wins: an object whose
(apiVersion, kind) has a row for a targeted component is judged by that row only.

Streaming: CRDs and their custom resources can come in any order. An object is judged at once if
its CRD was already seen; otherwise a small record of it (no document data) is kept until the end
of the stream, and only for objects of API groups that contain a dot and have no table row
(custom resources) — never whole documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pluto_py.core.model import STATUS_DEPRECATED, STATUS_REMOVED, Finding
from pluto_py.core.prescan import CRD_KIND
from pluto_py.core.table import ApiRow
from pluto_py.pipeline.judge import Resource, Targets

CRD_GROUP = "apiextensions.k8s.io"
CRD_COMPONENT = "crd"  # the `component` of findings made from scanned CRDs


@dataclass(frozen=True, slots=True)
class CrdVersion:
    """What one CRD says about one of its versions."""

    crd: str  # the CRD's metadata.name, e.g. certificates.cert-manager.io
    group: str
    kind: str
    version: str
    served: bool
    deprecated: bool
    warning: str | None
    replacement: str | None  # group/version to move to: a served, non-deprecated version
    where: str  # path:line of the CRD, for the notes

    @property
    def status(self) -> str | None:
        if not self.served:
            return STATUS_REMOVED
        if self.deprecated:
            return STATUS_DEPRECATED
        return None


@dataclass(frozen=True, slots=True)
class _Pending:
    """The little a finding needs of an object whose CRD may come later in the stream."""

    path: str
    line: int
    column: int
    document: int
    source: str
    template: str | None
    api_version: str
    kind: str
    name: str | None
    namespace: str | None
    context: tuple[tuple[str, str], ...]


def _bool(value: Any, default: bool) -> bool:
    return value if isinstance(value, bool) else default


def versions_of_crd(data: Mapping[str, Any], where: str) -> list[CrdVersion]:
    """The versions a CRD manifest declares (apiextensions v1 and v1beta1 shapes)."""
    spec = data.get("spec")
    metadata = data.get("metadata")
    if not isinstance(spec, Mapping):
        return []
    group, names = spec.get("group"), spec.get("names")
    kind = names.get("kind") if isinstance(names, Mapping) else None
    if not isinstance(group, str) or not isinstance(kind, str) or not group or not kind:
        return []
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    crd_name = name if isinstance(name, str) else f"{group}/{kind}"
    raw_versions: list[Mapping[str, Any]] = []
    versions = spec.get("versions")
    if isinstance(versions, list):
        raw_versions = [v for v in versions if isinstance(v, Mapping) and isinstance(v.get("name"), str)]
    single = spec.get("version")  # apiextensions.k8s.io/v1beta1: one served, stored version
    if not raw_versions and isinstance(single, str):
        raw_versions = [{"name": single, "served": True, "storage": True}]
    declared = [(str(v["name"]), _bool(v.get("served"), True), _bool(v.get("storage"), False),
                 _bool(v.get("deprecated"), False), v.get("deprecationWarning")) for v in raw_versions]
    good = [(n, storage) for n, served, storage, deprecated, _ in declared if served and not deprecated]
    best = next((n for n, storage in good if storage), good[0][0] if good else None)
    result: list[CrdVersion] = []
    for version, served, _storage, deprecated, warning in declared:
        replacement = f"{group}/{best}" if best is not None and best != version else None
        result.append(CrdVersion(crd_name, group, kind, version, served, deprecated,
                                 warning if isinstance(warning, str) and warning.strip() else None,
                                 replacement, where))
    return result


class CrdVersionTracker:
    """A ScanHook: learns CRD versions from scanned CRDs and judges custom resources by them."""

    def __init__(self, targets: Targets) -> None:
        self._targets = targets
        self._versions: dict[tuple[str, str, str], CrdVersion] = {}  # (group, version, kind)
        self._pending: list[_Pending] = []

    def on_resource(self, resource: Resource, row: ApiRow | None) -> Iterable[Finding]:
        group, _, version = resource.api_version.rpartition("/")
        if resource.kind == CRD_KIND and group == CRD_GROUP:
            line, _column = resource.document.position(resource.path)
            where = f"{resource.document.path}:{line}"
            for crd_version in versions_of_crd(resource.data, where):
                self._versions[(crd_version.group, crd_version.version, crd_version.kind)] = crd_version
            return ()
        if row is not None and self._targets.for_component(row.component) is not None:
            return ()  # the table judges it
        if "." not in group:
            return ()  # core and built-in groups without a dot are never custom resources
        pending = self._pending_of(resource)
        declared = self._versions.get((group, version, resource.kind))
        if declared is not None:
            finding = self._finding(pending, declared)
            return (finding,) if finding is not None else ()
        self._pending.append(pending)
        return ()

    def finish(self) -> Iterable[Finding]:
        found: list[Finding] = []
        for pending in self._pending:
            group, _, version = pending.api_version.rpartition("/")
            declared = self._versions.get((group, version, pending.kind))
            if declared is not None:
                finding = self._finding(pending, declared)
                if finding is not None:
                    found.append(finding)
        self._pending.clear()
        return found

    @staticmethod
    def _pending_of(resource: Resource) -> _Pending:
        document = resource.document
        line, column = document.position((*resource.path, "apiVersion"))
        context = dict(document.context)
        if resource.path:
            context["item"] = str(resource.path[-1])
        return _Pending(document.path, line, column, document.index, document.source, document.template,
                        resource.api_version, resource.kind, resource.metadata("name"),
                        resource.metadata("namespace"), tuple(sorted(context.items())))

    def _finding(self, pending: _Pending, declared: CrdVersion) -> Finding | None:
        status = declared.status
        if status is None:
            return None
        if status == STATUS_REMOVED:
            notes = f"served: false in CRD {declared.crd}, {declared.where}"
        else:
            notes = declared.warning or f"deprecated: true in CRD {declared.crd}, {declared.where}"
        context = dict(pending.context)
        context["crd"] = declared.crd
        return Finding(
            path=pending.path, line=pending.line, column=pending.column, document=pending.document,
            source=pending.source, template=pending.template, api_version=pending.api_version, kind=pending.kind,
            name=pending.name, namespace=pending.namespace, status=status, deprecated_in=None, removed_in=None,
            replacement=declared.replacement, replacement_available_in=None, component=CRD_COMPONENT,
            fixable=False, target=str(self._targets.k8s), notes=notes, context=context,
        )
