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
    from pluto_py.sources.base import Source


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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
    from pluto_py.pipeline.hooks import CrdHook, Suppressions
    from pluto_py.pipeline.judge import ObjectCollector, ScanHook, build_result, scan_stream
    from pluto_py.pipeline.unjudged import UnjudgedComponents, addon_keys
    from pluto_py.sources import InputStats, SourceRequest, expanders_for, sources_for
    from pluto_py.sources.files import chart_of_file, map_chart_templates

    annotations = tuple(dict.fromkeys([*DEFAULT_ANNOTATIONS, *request.annotations]))
    suppressions = Suppressions()
    source_request = SourceRequest(paths=tuple(request.paths), target=str(request.targets.k8s),
                                   helm_values=request.helm_values, helm_set=request.helm_set,
                                   annotations=annotations, text_observer=suppressions.observe,
                                   path_filter=request.path_filter, settings=request.settings)
    try:
        sources = sources_for(source_request)
        if not sources:  # nothing named: scan the working directory
            source_request = source_request.replace(paths=(".",))
            sources = sources_for(source_request)
        expanders = expanders_for(source_request)
    except ValueError as exc:  # e.g. a bad KDEPRECATE_HELM_ENGINE
        raise ScanRequestError(str(exc)) from None
    # pre-commit passes a chart's files one by one: templates are Go templates and values files
    # change what the chart renders, so each is scanned by rendering its chart (once).
    scan_paths, notices = map_chart_templates(list(source_request.paths), chart_of_file)
    source_request = source_request.replace(paths=tuple(scan_paths))
    shard: tuple[int, int] | None = None
    if request.shard is not None:
        from pluto_py.sources.shard import ShardError, parse_shard, shard_filter

        try:
            parsed_shard = parse_shard(request.shard)
        except ShardError as exc:
            raise ScanRequestError(str(exc)) from None
        shard = (parsed_shard.index, parsed_shard.count)
        source_request = source_request.replace(path_filter=shard_filter(
            parsed_shard, scan_paths, source_request.path_filter))
    if not request.collect_objects:  # a report of every object needs every document parsed
        # Objects of add-on tables not loaded are still parsed: a notice says they were not judged.
        source_request = source_request.replace(
            prescan=PrescanPolicy.for_table([*table.rows, *addon_keys()], annotations))

    stats = InputStats()
    collector = ObjectCollector()
    unjudged = UnjudgedComponents(table, request.targets)
    hooks: list[ScanHook] = [CrdHook(request.targets), unjudged, *([collector] if request.collect_objects else [])]
    all_notices: list[Notice] = list(notices)
    read_notices: list[Notice] = []  # how documents were read (a key given twice), from the documents
    stream: Iterable[Document | ScanError] = _documents(sources, source_request, stats, all_notices, read_notices)
    for expander in expanders:
        stream = expander.prepare(stream)
    findings, errors = scan_stream(stream, table, request.targets, from_version=request.from_version,
                                   expanders=[expander.expand for expander in expanders], hooks=hooks)
    findings, suppression_notices = suppressions.apply(findings)
    all_notices.extend([*suppression_notices, *unjudged.notices(), *read_notices])
    result = build_result(findings, errors, stats.files, stats.documents, request.targets,
                          objects=collector.objects, notices=all_notices)
    if shard is not None:
        result = result._replace(shard=shard)
    return ScanRun(result, tuple(warning for source in sources for warning in source.warnings))


def _documents(sources: Sequence[Source], request: SourceRequest, stats: InputStats,
               notices: list[Notice], read_notices: list[Notice]) -> Iterator[Document | ScanError]:
    """The documents of every source in turn; the notices they yield go to ``notices``, those the
    documents carry (how they were read) to ``read_notices``."""
    for source in sources:
        for item in source.documents(request, stats):
            if isinstance(item, Notice):
                notices.append(item)
                continue
            if isinstance(item, Document) and item.notices:
                read_notices.extend(item.notices)
            yield item
