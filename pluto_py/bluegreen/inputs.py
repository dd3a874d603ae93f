"""Partial ClusterViews from each kind of input, through the project's existing sources.

* ``read_inputs`` — THE ADAPTER to ``pluto_py.sources``, through the scan's own registry of sources and
  expanders: files, directories, stdin, charts (rendered for a version) and cluster dumps, with live
  objects paired with their applied configuration (last-applied annotation) and Helm release records
  decoded. It is the only function here that knows how sources are called.
* ``view_from_documents`` — objects of a dump / manifests / charts (and a ``kubectl version`` document).
* ``view_from_version`` — the built-in served-API data of a release (``--green-version``).
* ``view_from_discovery_file`` — ``kubectl api-resources [-o wide]`` / ``kubectl api-versions`` text.
* ``view_from_context`` — a live cluster (a kubeconfig context), read by the scan's live-cluster source:
  its objects as they run and as applied, its complete discovery and its version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from pluto_py.bluegreen.apiresources import FORMAT_VERSIONS, DiscoveryTextError, parse_discovery_text
from pluto_py.bluegreen.model import ApiResource, ClusterObject, ClusterView, Where, mapping, text
from pluto_py.core.model import NO_LINE, SOURCE_HELM_RELEASE, SOURCE_LAST_APPLIED, Document, ScanError
from pluto_py.core.prescan import DEFAULT_ANNOTATIONS
from pluto_py.core.versions import KubeVersion

STDIN = "-"
LAST_APPLIED = DEFAULT_ANNOTATIONS[0]  # kubectl.kubernetes.io/last-applied-configuration


@dataclass
class RawInputs:
    """What the sources gave for some paths: each document with what the cluster expander made of it
    (None: a plain manifest), the errors, and warnings that do not make the input incomplete."""

    documents: list[tuple[Document, list[Document | ScanError] | None]] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_inputs(paths: Sequence[str], chart_version: KubeVersion | None,
                settings: Mapping[str, Any] = MappingProxyType({})) -> RawInputs:
    """THE ADAPTER: read what ``paths`` and ``settings`` name with the scan's registered sources and expanders.

    The same calls as `kdeprecate scan` (``sources_for``, ``expanders_for``, ``pipeline.run.document_stream``):
    files and directories (recursive), '-' for stdin, Helm charts rendered for ``chart_version``, and for
    cluster dumps the ``cluster-dump`` expander: a live object's last-applied configuration and the manifests
    of each release's latest deployed Helm record. ``settings`` is ``SourceRequest.settings`` (keyed by source
    name): a source added to the registry (a live cluster) is read when its settings ask for it.
    """
    from pluto_py.core.model import Notice
    from pluto_py.pipeline.judge import expansion
    from pluto_py.pipeline.run import document_stream
    from pluto_py.sources import InputStats, SourceRequest, expanders_for, sources_for

    raw = RawInputs()
    request = SourceRequest(paths=tuple(paths), target=None if chart_version is None else str(chart_version),
                            settings=settings)
    try:
        sources = sources_for(request)
        expanders = expanders_for(request)
    except ValueError as exc:  # a bad KDEPRECATE_HELM_ENGINE
        raw.errors.append(ScanError(", ".join(paths), None, str(exc)))
        return raw
    expand = [expander.expand for expander in expanders]
    notices: list[Notice] = []
    for item in document_stream(sources, expanders, request, InputStats(), notices):
        if isinstance(item, ScanError):
            raw.errors.append(item)
            continue
        expanded = expansion(item, expand)
        raw.documents.append((item, None if expanded is None else list(expanded)))
    raw.warnings.extend(warning for source in sources for warning in source.warnings)
    raw.warnings.extend(notice.message for notice in notices)
    return raw


# --- objects of documents --------------------------------------------------------------------------


def _where(document: Document, path: tuple[str | int, ...]) -> Where:
    line: int | None = document.position((*path, "apiVersion"))[0]
    if line == NO_LINE:  # a live cluster's object: no line to point at
        line = None
    detail = document.template or ""
    if document.source == SOURCE_HELM_RELEASE:
        release = document.context.get("release", "")
        revision = document.context.get("revision", "")
        named = f"Helm release {release}" + (f" revision {revision}" if revision else "")
        if document.context.get("hook"):
            named = f"hook of {named}"
        detail = f"{named}: {document.template}" if document.template else named
    elif document.source == SOURCE_LAST_APPLIED:
        annotation = document.context.get("annotation", "")
        detail = "last applied" if annotation == LAST_APPLIED else f"applied, per {annotation}"
    return Where(document.path, line, document.source, detail)


def _object(data: Mapping[str, Any], live: bool, where: Where) -> ClusterObject:
    metadata = mapping(data.get("metadata"))
    return ClusterObject(str(data.get("kind")), text(metadata.get("name")), text(metadata.get("namespace")),
                         data if live else None, None if live else data, where)


def objects_of(document: Document, expanded: list[Document | ScanError] | None) -> list[ClusterObject]:
    """The objects a document holds, each live object with its applied configuration when recorded."""
    from pluto_py.pipeline.judge import resources_of
    from pluto_py.sources.cluster import is_live_object

    applied_by_item: dict[str, Document] = {}
    found: list[ClusterObject] = []
    for produced in expanded or ():
        if not isinstance(produced, Document):
            continue
        if produced.source == SOURCE_LAST_APPLIED:
            applied_by_item[produced.context.get("item", "")] = produced
        elif produced.source == SOURCE_HELM_RELEASE:
            found.extend(_object(resource.data, False, _where(produced, resource.path))
                         for resource in resources_of(produced) if not _is_list(resource.data, resource.path))
    for resource in resources_of(document):
        if _is_list(resource.data, resource.path):
            continue
        live = expanded is not None and is_live_object(resource.data)
        obj = _object(resource.data, live, _where(document, resource.path))
        if live:
            applied = applied_by_item.get(str(resource.path[-1]) if resource.path else "")
            if applied is not None:
                obj = ClusterObject(obj.kind, obj.name, obj.namespace, obj.live, applied.data, _where(applied, ()))
        found.append(obj)
    return found


def _is_list(data: Mapping[str, Any], path: tuple[str | int, ...]) -> bool:
    return not path and str(data.get("kind", "")).endswith("List") and isinstance(data.get("items"), list)


def _version_document(document: Document) -> KubeVersion | None:
    """The server version of a ``kubectl version -o yaml|json`` document; None for other documents.
    Raises skew.InputError for a version document that cannot be read."""
    data = document.data
    if not isinstance(data, Mapping) or "serverVersion" not in data or "apiVersion" in data:
        return None
    from pluto_py.skew.inputs import info_version

    version, _ = info_version(data.get("serverVersion"), document.path, "serverVersion")
    return version


def view_from_documents(side: str, label: str, raw: RawInputs) -> ClusterView:
    """A view from documents read by ``read_inputs`` (a dump, manifests, rendered charts)."""
    from pluto_py.skew.inputs import InputError

    objects: list[ClusterObject] = []
    errors = list(raw.errors)
    version: KubeVersion | None = None
    for document, expanded in raw.documents:
        try:
            found = _version_document(document)
        except InputError as exc:
            errors.append(ScanError(document.path, document.line, str(exc).removeprefix(f"{document.path}: ")))
            found = None
        if found is not None:
            version = version or found
            continue
        objects.extend(objects_of(document, expanded))
        errors.extend(item for item in expanded or () if isinstance(item, ScanError))
    return ClusterView(side, version=version, described_by=(label,), objects=tuple(objects), errors=tuple(errors),
                       notes=tuple(raw.warnings))


# --- served APIs -------------------------------------------------------------------------------------


def view_from_version(side: str, version: KubeVersion, origin: str) -> ClusterView:
    """A release's built-in served APIs (data/served_apis.yaml); a note when the data stands in for it."""
    from pluto_py.core.served import load_served
    from pluto_py.core.table import TableError

    notes: tuple[str, ...] = ()
    try:
        served = load_served()
    except TableError as exc:
        return ClusterView(side, version=version, described_by=(f"version {version} ({origin})",),
                           errors=(ScanError(origin, None, str(exc)),))
    if served is not None:
        _, note = served.covered_release(version)
        notes = (note,) if note else ()
    return ClusterView(side, version=version, described_by=(f"version {version} ({origin})",), notes=notes)


def view_from_discovery(side: str, label: str, resources: Iterable[ApiResource],
                        group_versions: Iterable[str] | None = None,
                        unreachable: Iterable[str] = ()) -> ClusterView:
    """A view from discovery: resources (one per group, at its preferred version) and, when known, the
    complete list of served group/versions."""
    discovered: dict[str, dict[str, ApiResource]] = {}
    for resource in resources:
        discovered.setdefault(resource.group_version, {})[resource.kind] = resource
    return ClusterView(side, described_by=(label,), discovered=discovered,
                       group_versions=None if group_versions is None else frozenset(group_versions),
                       unreachable=frozenset(unreachable))


def view_from_discovery_file(side: str, path: str) -> ClusterView:
    """``kubectl api-resources [-o wide]`` or ``kubectl api-versions`` output saved in ``path`` ('-': stdin)."""
    from pluto_py.core.parse import InputDecodeError, decode_text
    from pluto_py.sources.files import FileInput, StdinInput, read_input_bytes

    label = f"api-resources {path}"
    try:
        content = decode_text(read_input_bytes(StdinInput() if path == STDIN else FileInput(path, path)))
        parsed = parse_discovery_text(content)
    except OSError as exc:
        return ClusterView(side, described_by=(label,),
                           errors=(ScanError(path, None, f"cannot read: {exc.strerror or exc}"),))
    except (ValueError, InputDecodeError) as exc:
        line = exc.line if isinstance(exc, DiscoveryTextError) else None
        return ClusterView(side, described_by=(label,), errors=(ScanError(path, line, str(exc)),))
    errors = tuple(ScanError(path, line, message) for line, message in parsed.errors)
    if parsed.format == FORMAT_VERSIONS:
        view = view_from_discovery(side, f"api-versions {path}", (), parsed.group_versions, parsed.unreachable)
    else:
        view = view_from_discovery(side, label, parsed.resources, None, parsed.unreachable)
    return ClusterView(view.side, described_by=view.described_by, discovered=view.discovered,
                       group_versions=view.group_versions, unreachable=view.unreachable, errors=errors)


# --- a live cluster -------------------------------------------------------------------------------


def view_from_context(side: str, context: str, kubeconfig: str | None = None,
                      timeout: float | None = None) -> ClusterView:
    """A live cluster (``--blue-context`` / ``--green-context``), read by the scan's live-cluster source.

    One provider of the same description as the others, all from one read of the cluster:

    1. every object as it runs (``ClusterOptions.all_objects``: workloads with their status, CRDs,
       APIServices, namespaces, webhooks), through ``read_inputs`` with the ``live-cluster`` source in the
       settings, so the ``cluster-dump`` expander pairs each with its applied configuration (last-applied
       annotation) and decodes Helm release records: blue is judged as applied, as from a dump;
    2. discovery, complete (every group/version /api and /apis name, every resource of each, not only the
       preferred version): the ``group_versions`` of ``kubectl api-versions`` and the kinds of
       ``kubectl api-resources`` at once; a group/version whose discovery fails (an aggregated API whose
       backend does not answer) is unreachable;
    3. the server's ``/version`` and the built-in served-API data of that release.

    What cannot be read follows the live source's conventions: an unreachable server, a TLS failure, a 401,
    a resource that cannot be listed (403, 5xx, timeout) or discovered is an error (exit 2), and what was read
    is still described; RBAC-hidden resources are also summed up in a note naming the ClusterRole.
    """
    from dataclasses import replace

    from pluto_py.bluegreen.model import combine
    from pluto_py.sources.live import (
        REQUEST_TIMEOUT,
        ClientMissingError,
        ClusterOptions,
        LiveCluster,
        LiveClusterSource,
    )

    label = f"context {context}"
    options = ClusterOptions(kubeconfig=kubeconfig, context=context, all_objects=True,
                             timeout=REQUEST_TIMEOUT if timeout is None else timeout)
    try:
        cluster = LiveCluster.open(options)
    except ClientMissingError as exc:
        return ClusterView(side, described_by=(label,), errors=(ScanError(f"--{side}-context {context}", None,
                                                                          str(exc)),))
    raw = read_inputs((), None, {LiveClusterSource.name: cluster})
    discovery = cluster.discovery
    if discovery is None or cluster.version is None:  # not read at all: nothing is known of it (not: it is empty)
        return ClusterView(side, described_by=(label,), errors=tuple(raw.errors), notes=tuple(raw.warnings))
    resources = (ApiResource(r.plural, r.group_version, r.kind, r.namespaced, r.short_names, r.verbs, r.categories)
                 for r in discovery.served)
    # Refused discovery (401, 403) says nothing about what the cluster serves: only the error says it.
    unreachable = (gv for gv, status in discovery.failed if status not in (401, 403))
    parts = [view_from_documents(side, label, raw), view_from_version(side, cluster.version.version, label),
             view_from_discovery(side, label, resources, discovery.group_versions, unreachable)]
    return replace(combine(side, parts), described_by=(label,))
