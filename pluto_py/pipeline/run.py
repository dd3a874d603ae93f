"""The whole scan, from paths to a ScanResult: sources, expanders, hooks, suppressions.

`kdeprecate scan` and `kdeprecate skew --scan` both run it, so a chart, a cluster dump or a
suppression comment means the same thing wherever it is scanned. It returns values; the CLI
renders them and picks the exit code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pluto_py.core.model import Document, Notice, ScanError, ScanResult
from pluto_py.core.table import Table
from pluto_py.core.versions import KubeVersion
from pluto_py.pipeline.judge import Targets

if TYPE_CHECKING:
    from pluto_py.sources import InputStats, SourceRequest
    from pluto_py.sources.base import Expander, Source


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """What to scan and how; everything a user can set for `kdeprecate scan`."""

    paths: Sequence[str]
    targets: Targets
    from_version: KubeVersion | None = None
    helm_values: tuple[str, ...] = ()
    helm_set: tuple[str, ...] = ()
    annotations: tuple[str, ...] = ()  # read besides kubectl's last-applied-configuration
    path_filter: Callable[[str], bool] | None = None  # include/exclude globs
    shard: str | None = None  # "I/N": scan only that part of the files
    collect_objects: bool = False  # every scanned object (JUnit): disables the pre-scan
    # Per-source settings from the command line, keyed by source name (pluto_py.sources.SOURCES).
    settings: Mapping[str, Any] = field(default_factory=dict)
    # Shown every document the sources yield, as read (before expanders and the judge): a command that
    # needs the objects themselves besides the findings (preflight) reads its inputs once. Disables the
    # pre-scan, as it must see every document.
    document_observer: Callable[[Document], None] | None = None


@dataclass(frozen=True, slots=True)
class ScanRun:
    result: ScanResult
    warnings: tuple[str, ...] = field(default=())  # e.g. the Helm engine fell back to the static reading


class ScanRequestError(ValueError):
    """A request that cannot run (bad --shard, bad KDEPRECATE_HELM_ENGINE): a usage error."""


def run_scan(request: ScanRequest, table: Table) -> ScanRun:
    """Scan what ``request`` names and judge every object at ``request.targets``.

    The registered sources and expanders (pluto_py.sources.SOURCES / EXPANDERS) and the optional
    stages (pipeline/hooks.py) import their heavy parts at the first input that needs them.
    Raises ScanRequestError.
    """
    from pluto_py.core.prescan import DEFAULT_ANNOTATIONS, PrescanPolicy
    from pluto_py.pipeline.hooks import AddonHook, CrdHook, Suppressions, may_run_addon
    from pluto_py.pipeline.judge import ObjectCollector, ScanHook, build_result, scan_stream
    from pluto_py.pipeline.unjudged import UnjudgedComponents, addon_keys
    from pluto_py.sources import InputStats, SourceRequest

    annotations = tuple(dict.fromkeys([*DEFAULT_ANNOTATIONS, *request.annotations]))
    suppressions = Suppressions()
    inputs = open_inputs(SourceRequest(paths=tuple(request.paths), target=str(request.targets.k8s),
                                       helm_values=request.helm_values, helm_set=request.helm_set,
                                       annotations=annotations, text_observer=suppressions.observe,
                                       path_filter=request.path_filter, settings=request.settings, table=table))
    sources, expanders, source_request = inputs.sources, inputs.expanders, inputs.request
    shard: tuple[int, int] | None = None
    if request.shard is not None:
        from pluto_py.sources.shard import ShardError, parse_shard, shard_filter

        try:
            parsed_shard = parse_shard(request.shard)
        except ShardError as exc:
            raise ScanRequestError(str(exc)) from None
        shard = (parsed_shard.index, parsed_shard.count)
        source_request = source_request.replace(path_filter=shard_filter(
            parsed_shard, list(source_request.paths), source_request.path_filter))
    if not request.collect_objects and request.document_observer is None:  # these need every document parsed
        # Objects of add-on tables not loaded are still parsed: a notice says they were not judged.
        source_request = source_request.replace(
            prescan=PrescanPolicy.for_table([*table.rows, *addon_keys()], annotations, text_test=may_run_addon))

    stats = InputStats()
    collector = ObjectCollector()
    unjudged = UnjudgedComponents(table, request.targets)
    addons = AddonHook(request.targets)  # add-on images judged against the target (pluto_py.addons)
    hooks: list[ScanHook] = [CrdHook(request.targets), addons, unjudged,
                             *([collector] if request.collect_objects else [])]
    all_notices: list[Notice] = list(inputs.notices)
    read_notices: list[Notice] = []  # how documents were read (a key given twice), from the documents
    stream = document_stream(sources, expanders, source_request, stats, all_notices, read_notices)
    if request.document_observer is not None:
        stream = _observed(stream, request.document_observer)
    findings, errors = scan_stream(stream, table, request.targets, from_version=request.from_version,
                                   expanders=[expander.expand for expander in expanders], hooks=hooks)
    findings, suppression_notices = suppressions.apply(findings)
    all_notices.extend([*suppression_notices, *addons.notices, *unjudged.notices(), *read_notices])
    result = build_result(findings, errors, stats.files, stats.documents, request.targets,
                          objects=collector.objects, notices=all_notices)
    if shard is not None:
        result = result._replace(shard=shard)
    return ScanRun(result, tuple(warning for source in sources for warning in source.warnings))


def _observed(items: Iterable[Document | ScanError], observer: Callable[[Document], None]
              ) -> Iterator[Document | ScanError]:
    for item in items:
        if isinstance(item, Document):
            observer(item)
        yield item


@dataclass(frozen=True, slots=True)
class Inputs:
    """The registered sources and expanders a request wants, and the request they read."""

    request: SourceRequest  # "." when no source was wanted; a chart's files replaced by their chart
    sources: tuple[Source, ...]
    expanders: tuple[Expander, ...]
    notices: tuple[Notice, ...]  # about the paths named (a chart's file read through its chart)


def open_inputs(request: SourceRequest) -> Inputs:
    """The sources and expanders of ``request`` (pluto_py.sources.SOURCES / EXPANDERS), as every
    command that reads inputs enumerates them: `scan`, `skew --scan`, `podsecurity`. Raises
    ScanRequestError (e.g. a bad KDEPRECATE_HELM_ENGINE)."""
    from pluto_py.sources import expanders_for, sources_for
    from pluto_py.sources.files import chart_of_file, chart_values_sets, map_chart_templates

    try:
        sources = sources_for(request)
        if not sources:  # nothing named: read the working directory
            request = request.replace(paths=(".",))
            sources = sources_for(request)
        expanders = expanders_for(request)
    except ValueError as exc:
        raise ScanRequestError(str(exc)) from None
    # pre-commit passes a chart's files one by one: templates are Go templates and values files
    # change what the chart renders, so each is read by rendering its chart (once).
    # A chart's own values file (values-prod.yaml) renders that chart with it; so do the sets the
    # configuration names per chart (`charts:`, put in settings["paths"]["charts"] by the CLI).
    own = dict(request.settings.get("paths", {}))
    own["charts"] = chart_values_sets(list(request.paths), own.get("charts", {}), chart_of_file)
    paths, notices = map_chart_templates(list(request.paths), chart_of_file)
    return Inputs(request.replace(paths=tuple(paths), settings={**request.settings, "paths": own}),
                  tuple(sources), tuple(expanders), tuple(notices))


def source_documents(sources: Sequence[Source], request: SourceRequest, stats: InputStats,
                     notices: list[Notice], read_notices: list[Notice] | None = None,
                     ) -> Iterator[Document | ScanError]:
    """The documents of every source in turn; the notices they yield go to ``notices``, those the
    documents carry (how they were read) to ``read_notices`` (or ``notices`` when it is None)."""
    for source in sources:
        for item in source.documents(request, stats):
            if isinstance(item, Notice):
                notices.append(item)
                continue
            if isinstance(item, Document) and item.notices:
                (notices if read_notices is None else read_notices).extend(item.notices)
            yield item


def document_stream(sources: Sequence[Source], expanders: Sequence[Expander], request: SourceRequest,
                    stats: InputStats, notices: list[Notice], read_notices: list[Notice] | None = None,
                    ) -> Iterable[Document | ScanError]:
    """The documents of every source in turn (read lazily), through each expander's ``prepare``; the notices they
    yield go to ``notices``. Other commands that read what the scan reads (``bluegreen``) use it with
    ``open_inputs``, so a source added to the registry reaches them too."""
    stream: Iterable[Document | ScanError] = source_documents(sources, request, stats, notices, read_notices)
    for expander in expanders:
        stream = expander.prepare(stream)
    return stream
