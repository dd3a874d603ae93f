"""Judge documents against the table at the target versions: the heart of `kdeprecate scan`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

from pluto_py.core.model import (
    NO_LINE,
    SOURCE_FILE,
    SOURCE_HELM_TEMPLATE,
    SOURCE_STDIN,
    Document,
    Finding,
    NodePath,
    Notice,
    ScanError,
    ScannedObject,
    ScanResult,
)
from pluto_py.core.objects import is_object, list_items
from pluto_py.core.table import BUILTIN_COMPONENT, ApiRow, Table
from pluto_py.core.versions import KubeVersion, format_version

# Sources whose findings `fix` can rewrite in place.
_REWRITABLE_SOURCES = frozenset({SOURCE_FILE, SOURCE_STDIN})


class Targets(NamedTuple):
    """The versions findings are judged at: Kubernetes itself and opted-in components."""

    k8s: KubeVersion
    components: Mapping[str, KubeVersion] = MappingProxyType({})

    def for_component(self, component: str) -> KubeVersion | None:
        if component == BUILTIN_COMPONENT:
            return self.k8s
        return self.components.get(component)

    def as_strings(self) -> dict[str, str]:
        return {BUILTIN_COMPONENT: str(self.k8s), **{c: str(v) for c, v in sorted(self.components.items())}}


class Resource(NamedTuple):
    """A top-level Kubernetes object inside a document (the document itself, or a List item)."""

    document: Document
    data: Mapping[str, Any]
    path: NodePath  # () for the document itself, ("items", i) for a List item

    @property
    def api_version(self) -> str:
        return str(self.data["apiVersion"])

    @property
    def kind(self) -> str:
        return str(self.data["kind"])

    def metadata(self, key: str) -> str | None:
        metadata = self.data.get("metadata")
        if isinstance(metadata, Mapping):
            value = metadata.get(key)
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                return str(value)
        return None


def resources_of(document: Document) -> Iterator[Resource]:
    """The objects a document declares: itself, and the items of a `kind: *List` (core/objects.py)."""
    data = document.data
    if not is_object(data):
        return
    yield Resource(document, data, ())
    yield from _list_items(document, data, ())


def _list_items(document: Document, data: Any, path: NodePath) -> Iterator[Resource]:
    """The items of a List, and those of the Lists among them (kubectl flattens nested Lists)."""
    for item in list_items(data) or ():
        if is_object(item.data):
            item_path: NodePath = (*path, *item.path)
            yield Resource(document, item.data, item_path)
            yield from _list_items(document, item.data, item_path)


def finding_for(resource: Resource, row: ApiRow, status: str, target: KubeVersion,
                from_version: KubeVersion | None, table: Table | None = None) -> Finding:
    document = resource.document
    line, column = document.position((*resource.path, "apiVersion"))
    available_at_from: bool | None = None
    if from_version is not None:
        available_at_from = (row.replacement is not None and row.replacement_available_in is not None
                             and row.replacement_available_in <= from_version)
    # The table names the version to move to in the end; when the target (or --from) does not serve
    # it yet, say what to move to meanwhile (flowcontrol v1beta1 -> v1beta3 at 1.26, v1 from 1.29).
    interim: tuple[str, KubeVersion] | None = None
    not_served_yet = row.replacement is None or (
        row.replacement_available_in is not None and row.replacement_available_in > target)
    if table is not None and (not_served_yet or available_at_from is False):
        from pluto_py.core.served import interim_version

        interim = interim_version(row, from_version, target, table)
    context = dict(document.context)
    if resource.path:
        context["item"] = ".".join(str(part) for part in resource.path[1::2])  # "2", or "2.0" when nested
    return Finding(
        path=document.path,
        line=None if line == NO_LINE else line,
        column=None if line == NO_LINE else column,
        document=document.index,
        source=document.source,
        template=document.template,
        api_version=row.api_version,
        kind=row.kind,
        name=resource.metadata("name"),
        namespace=resource.metadata("namespace"),
        status=status,
        deprecated_in=format_version(row.deprecated_in),
        removed_in=format_version(row.removed_in),
        replacement=row.replacement,
        replacement_available_in=format_version(row.replacement_available_in),
        component=row.component,
        fixable=row.replacement is not None and document.source in _REWRITABLE_SOURCES,
        target=str(target),
        notes=row.notes,
        replacement_available_at_from=available_at_from,
        interim_replacement=interim[0] if interim else None,
        interim_available_in=format_version(interim[1]) if interim else None,
        from_version=format_version(from_version),
        context=context,
        usage=document.usage,
    )


def scan_document(document: Document, table: Table, targets: Targets,
                  from_version: KubeVersion | None = None) -> Iterator[Finding]:
    for resource in resources_of(document):
        row = table.lookup(resource.api_version, resource.kind)
        if row is None:
            continue
        target = targets.for_component(row.component)
        if target is None:
            continue  # a component the user did not ask about
        status = row.status_at(target)
        if status is not None:
            yield finding_for(resource, row, status, target, from_version, table)


# Turns one parsed document into the documents to judge (e.g. a live object into its
# last-applied configuration, a Helm release Secret into its manifest). Returning None keeps
# the document as it is.
DocumentExpander = Callable[[Document], Iterable[Document | ScanError] | None]


def expansion(document: Document, expanders: Sequence[DocumentExpander]) -> Iterable[Document | ScanError] | None:
    """What the first expander that acts on ``document`` makes of it; None when none does."""
    for expander in expanders:
        replaced = expander(document)
        if replaced is not None:
            return replaced
    return None


def expand(document: Document, expanders: Sequence[DocumentExpander]) -> Iterable[Document | ScanError]:
    replaced = expansion(document, expanders)
    return (document,) if replaced is None else replaced


class ScanHook(Protocol):
    """Sees every object the scan judges (with its table row, or None) and may add findings.

    Used for what the table alone cannot tell: CRD versions declared deprecated in scanned CRD
    manifests, the list of scanned objects for JUnit. ``finish`` runs once the stream is done.
    """

    def on_resource(self, resource: Resource, row: ApiRow | None) -> Iterable[Finding]: ...

    def finish(self) -> Iterable[Finding]: ...


class ObjectCollector:
    """A ScanHook that records every object scanned (for reports with one entry per object)."""

    def __init__(self) -> None:
        self.objects: list[ScannedObject] = []

    def on_resource(self, resource: Resource, row: ApiRow | None) -> Iterable[Finding]:
        line, column = resource.document.position((*resource.path, "apiVersion"))
        document = resource.document
        located = line != NO_LINE
        self.objects.append(ScannedObject(document.path, line if located else None, column if located else None,
                                          document.index, resource.api_version,
                                          resource.kind, resource.metadata("name"), resource.metadata("namespace"),
                                          document.source, document.template))
        return ()

    def finish(self) -> Iterable[Finding]:
        return ()


def scan_stream(items: Iterable[Document | ScanError], table: Table, targets: Targets, *,
                from_version: KubeVersion | None = None,
                expanders: Sequence[DocumentExpander] = (),
                hooks: Sequence[ScanHook] = ()) -> tuple[list[Finding], list[ScanError]]:
    findings: list[Finding] = []
    errors: list[ScanError] = []
    for item in items:
        if isinstance(item, ScanError):
            errors.append(item)
            continue
        for document in expand(item, expanders):
            if isinstance(document, ScanError):
                errors.append(document)
            else:
                findings.extend(scan_document(document, table, targets, from_version))
                for resource in resources_of(document) if hooks else ():
                    row = table.lookup(resource.api_version, resource.kind)
                    for hook in hooks:
                        findings.extend(hook.on_resource(resource, row))
    for hook in hooks:
        findings.extend(hook.finish())
    return findings, errors


def build_result(findings: Iterable[Finding], errors: Iterable[ScanError], files: int, documents: int,
                 targets: Targets, *, objects: Iterable[ScannedObject] = (),
                 notices: Iterable[Notice] = ()) -> ScanResult:
    return ScanResult(tuple(findings), tuple(errors), files, documents, targets.as_strings(),
                      objects=tuple(objects), notices=tuple(notices))


def is_helm_template(finding: Finding) -> bool:
    return finding.source == SOURCE_HELM_TEMPLATE
