"""The ``paths`` source: files, directories (recursively), stdin, FIFOs and Helm chart directories.

YAML and JSON files are parsed here (Helm output keeps its ``# Source:`` template paths); a chart
directory is rendered for the target by sources/helm.py, imported at the first chart (or at once
when $KDEPRECATE_HELM_ENGINE is set, so that a bad value is reported before the scan).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from pluto_py.core.model import NOTICE_INFO, SOURCE_FILE, SOURCE_STDIN, Document, Notice, ScanError
from pluto_py.core.parse import InputDecodeError, decode_text, parse_text
from pluto_py.core.prescan import TEMPLATE_MARKERS
from pluto_py.sources import HELM_ENGINE_ENV, InputStats, SourceRequest
from pluto_py.sources.files import ChartInput, FileInput, Input, StdinInput, collect_inputs, read_input_bytes

if TYPE_CHECKING:
    from pluto_py.sources.helm import ChartRenderer

# A handler renders a chart directory into Documents (sources.helm.ChartRenderer).
ChartHandler = Callable[[ChartInput, SourceRequest], Iterable[Document | ScanError]]


STATIC_RENDER_CODE = "chart-rendered-statically"


def static_render_notices(engines_used: Mapping[str, str]) -> list[Notice]:
    """The report itself (not only stderr) says which charts were read without a Helm engine."""
    return [Notice(chart, None, STATIC_RENDER_CODE,
                   "rendered without a Helm engine (static reading of the templates): apiVersions computed by "
                   "templates are not seen, and findings marked conditional may not be rendered at the target",
                   level=NOTICE_INFO)
            for chart, engine in engines_used.items() if engine == "static"]  # sources.helm.ENGINE_STATIC


def _no_chart_support(chart: ChartInput, request: SourceRequest) -> Iterator[Document | ScanError]:
    yield ScanError(chart.display, None, "Helm chart rendering is not available in this build")


def documents_of_input(item: FileInput | StdinInput, request: SourceRequest | None = None,
                       on_skip: Callable[[], None] | None = None) -> Iterator[Document | ScanError | Notice]:
    """Read, decode and parse one file (or stdin) into its documents.

    With ``request.prescan``, documents that cannot matter are not parsed nor yielded: each one
    calls ``on_skip`` (to be counted) instead. A file that does not parse is an error only when it
    looks like a manifest; a templated manifest is read statically, anything else is one note
    (sources/unparsable.py).
    """
    display = item.display
    try:
        raw = read_input_bytes(item)
    except OSError as exc:
        yield ScanError(display, None, f"cannot read: {exc.strerror or exc}")
        return
    except ValueError as exc:
        yield ScanError(display, None, str(exc))
        return
    try:
        text = decode_text(raw)
    except InputDecodeError as exc:
        yield ScanError(display, None, str(exc))
        return
    if request is not None and request.text_observer is not None:
        request.text_observer(display, text)
    source = SOURCE_STDIN if isinstance(item, StdinInput) else SOURCE_FILE
    json_file = isinstance(item, FileInput) and os.path.basename(item.fspath).lower().endswith(".json")
    prescan = request.prescan if request is not None and on_skip is not None else None
    try:
        parsed = parse_text(text, display, source, json_file=json_file, prescan=prescan, on_skip=on_skip)
        if isinstance(item, StdinInput):
            # What is piped in is meant to be manifests (`helm template ... | kdeprecate scan -`): a pipe
            # that carried something else (an error message) must not pass a gate.
            yield from parsed
        else:
            yield from _judge_parse_errors(parsed, text, display)
    except Exception as exc:
        # A bug of ours on one hostile file must not cost the findings of all the others:
        # report it against the file (exit 2) and go on. KDEPRECATE_DEBUG=1 shows the traceback.
        if os.environ.get("KDEPRECATE_DEBUG"):
            raise
        yield ScanError(display, None, f"internal error while parsing ({exc.__class__.__name__}: {exc}); "
                                       "please report it")


def _templated(text: str) -> bool:
    """sources.unparsable.looks_templated, for every file: "{" first (one character is found much faster
    than two), then each marker written out (a generator costs more than the test)."""
    return "{" in text and (TEMPLATE_MARKERS[0] in text or TEMPLATE_MARKERS[1] in text)


def _judge_parse_errors(parsed: Iterator[Document | ScanError], text: str,
                        display: str) -> Iterator[Document | ScanError | Notice]:
    """``parsed``, where parse errors are errors only for manifests (sources/unparsable.py, imported
    at the first file that needs it: this runs for every file)."""
    if _templated(text):
        # A template may parse in parts: decide on the whole file before yielding any of it.
        items = list(parsed)
        errors = [item for item in items if isinstance(item, ScanError)]
        if not errors:
            yield from items
            return
        from pluto_py.sources.unparsable import looks_like_manifest, not_a_manifest, template_documents

        if looks_like_manifest(text):
            yield from template_documents(display, text)
        else:
            yield not_a_manifest(display, errors[0])
        return
    manifest: bool | None = None  # decided at the first error
    for item in parsed:
        if isinstance(item, ScanError):
            if manifest is None:
                from pluto_py.sources.unparsable import looks_like_manifest, not_a_manifest

                manifest = looks_like_manifest(text)
                if not manifest:
                    yield not_a_manifest(display, item)
            if manifest:
                yield item
            continue
        yield item


def iter_documents(paths: Sequence[str], request: SourceRequest, stats: InputStats,
                   chart_handler: ChartHandler | None = None) -> Iterator[Document | ScanError | Notice]:
    """All documents under ``paths``, in a stable order, counting files and documents."""
    handler = chart_handler or _no_chart_support
    inputs: Iterable[Input | ScanError] = collect_inputs(paths)
    for item in inputs:
        if isinstance(item, ScanError):
            yield item
            continue
        if (request.path_filter is not None and not isinstance(item, StdinInput)
                and not request.path_filter(item.display)):
            continue
        stats.files += 1
        produced = (handler(item, request) if isinstance(item, ChartInput)
                    else documents_of_input(item, request, stats.count_document))
        for document in produced:
            if isinstance(document, Document):
                stats.documents += 1
            yield document


class PathSource:
    """The files, directories, stdin and charts named on the command line (``request.paths``)."""

    name: ClassVar[str] = "paths"

    def __init__(self, request: SourceRequest | None = None) -> None:
        self._renderer: ChartRenderer | None = None
        self._charts = 0
        # --values/--set given on the command line apply to charts only: say so when none was scanned.
        own = request.settings.get(self.name, {}) if request is not None else {}
        self._values_given = bool(own.get("warn_unused_values")) if isinstance(own, dict) else False
        if os.environ.get(HELM_ENGINE_ENV):
            self._renderer_for_charts()  # a bad engine name is a usage error before anything is read (ValueError)

    def _renderer_for_charts(self) -> ChartRenderer:
        if self._renderer is None:
            from pluto_py.sources.helm import ChartRenderer

            self._renderer = ChartRenderer()
        return self._renderer

    def render_chart(self, chart: ChartInput, request: SourceRequest) -> Iterable[Document | ScanError]:
        self._charts += 1
        return self._renderer_for_charts()(chart, request)

    def wanted(self, request: SourceRequest) -> bool:
        return bool(request.paths)

    def documents(self, request: SourceRequest, stats: InputStats) -> Iterator[Document | ScanError | Notice]:
        yield from iter_documents(request.paths, request, stats, chart_handler=self.render_chart)
        if self._renderer is not None:
            yield from static_render_notices(self._renderer.engines_used)

    @property
    def warnings(self) -> Sequence[str]:
        found = list(self._renderer.warnings) if self._renderer is not None else []
        if self._values_given and not self._charts:
            found.append("--values/--set apply to Helm charts, and no chart was scanned (a directory with a "
                         "Chart.yaml, or a file of one)")
        return found
