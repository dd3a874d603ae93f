"""The whole scan, from paths to a ScanResult: sources, expanders, hooks, suppressions.

`kdeprecate scan` and `kdeprecate skew --scan` both run it, so a chart, a cluster dump or a
suppression comment means the same thing wherever it is scanned. It returns values; the CLI
renders them and picks the exit code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from pluto_py.model import Document, Notice, ScanError, ScanResult
from pluto_py.scan import Targets
from pluto_py.table import Table
from pluto_py.versions import KubeVersion

if TYPE_CHECKING:
    from pluto_py.sources import InputStats


class DocumentSource(Protocol):
    """A source besides paths (a live cluster: sources/live.py): its documents, read after the
    files', then what it has to say about the scan."""

    def documents(self, stats: InputStats) -> Iterable[Document | ScanError]: ...

    def notices(self) -> Iterable[Notice]: ...


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
    sources: tuple[DocumentSource, ...] = ()  # read after the paths; no paths then means no files


@dataclass(frozen=True)
class ScanRun:
    result: ScanResult
    warnings: tuple[str, ...] = field(default=())  # e.g. the Helm engine fell back to the static reading


class ScanRequestError(ValueError):
    """A request that cannot run (bad --shard, bad KDEPRECATE_HELM_ENGINE): a usage error."""


def run_scan(request: ScanRequest, table: Table) -> ScanRun:
    """Scan ``request.paths`` and judge every object at ``request.targets``.

    Only what a plain scan needs is imported up front; Helm, cluster dumps, suppressions and CRD
    tracking are loaded by the stand-ins of pluto_py.deferred at the first input that needs them.
    Raises ScanRequestError.
    """
    from pluto_py.config import map_chart_templates
    from pluto_py.deferred import LazyChartRenderer, LazyClusterExpander, LazyCrdTracker, LazySuppressions
    from pluto_py.scan import ObjectCollector, ScanHook, build_result, scan_stream
    from pluto_py.sources import InputStats, SourceOptions, iter_documents
    from pluto_py.sources.files import chart_of_file
    from pluto_py.sources.prescan import DEFAULT_ANNOTATIONS, PrescanPolicy

    try:
        charts = LazyChartRenderer()
    except ValueError as exc:
        raise ScanRequestError(str(exc)) from None
    annotations = tuple(dict.fromkeys([*DEFAULT_ANNOTATIONS, *request.annotations]))
    expander = LazyClusterExpander(annotations)
    suppressions = LazySuppressions()
    options = SourceOptions(target=str(request.targets.k8s), helm_values=request.helm_values,
                            helm_set=request.helm_set, annotations=annotations,
                            text_observer=suppressions.observe, path_filter=request.path_filter)
    # pre-commit passes a chart's files one by one: templates are Go templates and values files
    # change what the chart renders, so each is scanned by rendering its chart (once).
    default_paths = [] if request.sources else ["."]
    scan_paths, notices = map_chart_templates(list(request.paths) or default_paths, chart_of_file)
    if request.shard is not None:
        from pluto_py.sources.shard import ShardError, parse_shard, shard_filter

        try:
            options = options.replace(path_filter=shard_filter(parse_shard(request.shard), scan_paths,
                                                               options.path_filter))
        except ShardError as exc:
            raise ScanRequestError(str(exc)) from None
    if not request.collect_objects:  # a report of every object needs every document parsed
        options = options.replace(prescan=PrescanPolicy.for_table(table.rows, annotations))

    stats = InputStats()
    collector = ObjectCollector()
    hooks: list[ScanHook] = [LazyCrdTracker(request.targets), *([collector] if request.collect_objects else [])]
    from itertools import chain

    files = iter_documents(scan_paths, options, stats, chart_handler=charts) if scan_paths else iter(())
    documents = expander.prepare(chain(files,
                                       chain.from_iterable(source.documents(stats) for source in request.sources)))
    findings, errors = scan_stream(documents, table, request.targets, from_version=request.from_version,
                                   expanders=[expander], hooks=hooks)
    findings, suppression_notices = suppressions.apply(findings)
    all_notices: list[Notice] = [*notices, *suppression_notices,
                                 *(notice for source in request.sources for notice in source.notices())]
    result = build_result(findings, errors, stats.files, stats.documents, request.targets,
                          objects=collector.objects, notices=all_notices)
    return ScanRun(result, tuple(charts.warnings))
