"""The whole scan, from paths to a ScanResult: sources, expanders, hooks, suppressions.

`kdeprecate scan` and `kdeprecate skew --scan` both run it, so a chart, a cluster dump or a
suppression comment means the same thing wherever it is scanned. It returns values; the CLI
renders them and picks the exit code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from pluto_py.model import Document, Notice, ScanError, ScanResult
from pluto_py.scan import Targets
from pluto_py.table import Table
from pluto_py.versions import KubeVersion


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
    scan_paths, notices = map_chart_templates(list(request.paths) or ["."], chart_of_file)
    if request.shard is not None:
        from pluto_py.sources.shard import ShardError, parse_shard, shard_filter

        try:
            options = options.replace(path_filter=shard_filter(parse_shard(request.shard), scan_paths,
                                                               options.path_filter))
        except ShardError as exc:
            raise ScanRequestError(str(exc)) from None
    if not request.collect_objects:  # a report of every object needs every document parsed
        from pluto_py.unjudged import addon_keys

        # Objects of add-on tables not loaded are still parsed: a notice says they were not judged.
        options = options.replace(prescan=PrescanPolicy.for_table([*table.rows, *addon_keys()], annotations))

    stats = InputStats()
    collector = ObjectCollector()
    from pluto_py.unjudged import UnjudgedComponents

    unjudged = UnjudgedComponents(table, request.targets)
    hooks: list[ScanHook] = [LazyCrdTracker(request.targets), unjudged,
                             *([collector] if request.collect_objects else [])]
    read_notices: list[Notice] = []  # how documents were read (a key given twice), from the documents
    documents = expander.prepare(_noting(iter_documents(scan_paths, options, stats, chart_handler=charts),
                                         read_notices))
    findings, errors = scan_stream(documents, table, request.targets, from_version=request.from_version,
                                   expanders=[expander], hooks=hooks)
    findings, suppression_notices = suppressions.apply(findings)
    all_notices: list[Notice] = [*notices, *suppression_notices, *unjudged.notices(), *read_notices,
                                 *_static_render_notices(charts.engines_used)]
    result = build_result(findings, errors, stats.files, stats.documents, request.targets,
                          objects=collector.objects, notices=all_notices)
    return ScanRun(result, tuple(charts.warnings))


def _noting(items: Iterable[Document | ScanError], notices: list[Notice]) -> Iterator[Document | ScanError]:
    """``items`` unchanged; the notices the documents carry are added to ``notices`` as they pass."""
    for item in items:
        if isinstance(item, Document) and item.notices:
            notices.extend(item.notices)
        yield item


STATIC_RENDER_CODE = "chart-rendered-statically"


def _static_render_notices(engines_used: dict[str, str]) -> list[Notice]:
    """The report itself (not only stderr) says which charts were read without a Helm engine."""
    from pluto_py.model import NOTICE_INFO

    return [Notice(chart, None, STATIC_RENDER_CODE,
                   "rendered without a Helm engine (static reading of the templates): apiVersions computed by "
                   "templates are not seen, and findings marked conditional may not be rendered at the target",
                   level=NOTICE_INFO)
            for chart, engine in engines_used.items() if engine == "static"]
