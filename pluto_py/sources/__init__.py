"""Sources of Documents: files, stdin, Helm output and charts, cluster dumps.

Every source yields Documents (or ScanErrors for what it could not read), so the scanner,
reporters and exit codes work the same whatever the input was.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from pluto_py.core.model import SOURCE_FILE, SOURCE_STDIN, Document, ScanError
from pluto_py.core.parse import InputDecodeError, decode_text, parse_text
from pluto_py.core.prescan import DEFAULT_ANNOTATIONS, PrescanPolicy
from pluto_py.core.record import Record
from pluto_py.sources.files import (
    ChartInput,
    FileInput,
    Input,
    StdinInput,
    collect_inputs,
    read_input_bytes,
)

HELM_ENGINE_ENV = "KDEPRECATE_HELM_ENGINE"  # forces a Helm engine (sources/helm.py); read before the scan


class InputStats(Record):
    """Counts a scan reports in its summary."""

    __slots__ = ("documents", "files")
    _fields = ("files", "documents")

    def __init__(self, files: int = 0, documents: int = 0) -> None:
        self.files = files
        self.documents = documents

    def count_document(self) -> None:
        """A document that was counted but not yielded (SourceOptions.prescan)."""
        self.documents += 1


class SourceOptions(Record):
    """What sources need to know beyond the paths (helm values, annotations to read, ...).

    target: k8s target, e.g. "1.25": charts are rendered for it.
    text_observer: called with (display path, text) of every file or stdin read: suppression
    comments are read from it (pluto_py.pipeline.suppress), at the cost of one substring test per file.
    path_filter: inputs whose display path it rejects are skipped (config include/exclude globs).
    prescan: skip the full parse of documents that cannot matter (core/prescan.py); None parses all.
    """

    __slots__ = ("annotations", "extra", "helm_set", "helm_values", "path_filter", "prescan", "target",
                 "text_observer")
    _fields = ("target", "helm_values", "helm_set", "annotations", "extra", "text_observer", "path_filter",
               "prescan")

    def __init__(self, target: str | None = None, helm_values: tuple[str, ...] = (), helm_set: tuple[str, ...] = (),
                 annotations: tuple[str, ...] = DEFAULT_ANNOTATIONS, extra: dict[str, str] | None = None,
                 text_observer: Callable[[str, str], None] | None = None,
                 path_filter: Callable[[str], bool] | None = None, prescan: PrescanPolicy | None = None) -> None:
        self.target = target
        self.helm_values = helm_values
        self.helm_set = helm_set
        self.annotations = annotations
        self.extra: dict[str, str] = {} if extra is None else extra
        self.text_observer = text_observer
        self.path_filter = path_filter
        self.prescan = prescan

    def replace(self, **changes: Any) -> SourceOptions:
        """A copy with ``changes`` (as dataclasses.replace did when this was a dataclass)."""
        values: dict[str, Any] = {name: getattr(self, name) for name in self._fields}
        values.update(changes)
        return SourceOptions(**values)


# A handler renders a chart directory into Documents (provided by the helm source).
ChartHandler = Callable[[ChartInput, SourceOptions], Iterable[Document | ScanError]]


def _no_chart_support(chart: ChartInput, options: SourceOptions) -> Iterator[Document | ScanError]:
    yield ScanError(chart.display, None, "Helm chart rendering is not available in this build")


def documents_of_input(item: FileInput | StdinInput, options: SourceOptions | None = None,
                       on_skip: Callable[[], None] | None = None) -> Iterator[Document | ScanError]:
    """Read, decode and parse one file (or stdin) into its documents.

    With ``options.prescan``, documents that cannot matter are not parsed nor yielded: each one
    calls ``on_skip`` (to be counted) instead.
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
    if options is not None and options.text_observer is not None:
        options.text_observer(display, text)
    source = SOURCE_STDIN if isinstance(item, StdinInput) else SOURCE_FILE
    json_file = isinstance(item, FileInput) and os.path.basename(item.fspath).lower().endswith(".json")
    prescan = options.prescan if options is not None and on_skip is not None else None
    try:
        yield from parse_text(text, display, source, json_file=json_file, prescan=prescan, on_skip=on_skip)
    except Exception as exc:
        # A bug of ours on one hostile file must not cost the findings of all the others:
        # report it against the file (exit 2) and go on. KDEPRECATE_DEBUG=1 shows the traceback.
        if os.environ.get("KDEPRECATE_DEBUG"):
            raise
        yield ScanError(display, None, f"internal error while parsing ({exc.__class__.__name__}: {exc}); "
                                       "please report it")


def iter_documents(paths: Sequence[str], options: SourceOptions, stats: InputStats,
                   chart_handler: ChartHandler | None = None) -> Iterator[Document | ScanError]:
    """All documents under ``paths``, in a stable order, counting files and documents."""
    handler = chart_handler or _no_chart_support
    inputs: Iterable[Input | ScanError] = collect_inputs(paths)
    for item in inputs:
        if isinstance(item, ScanError):
            yield item
            continue
        if (options.path_filter is not None and not isinstance(item, StdinInput)
                and not options.path_filter(item.display)):
            continue
        stats.files += 1
        produced = (handler(item, options) if isinstance(item, ChartInput)
                    else documents_of_input(item, options, stats.count_document))
        for document in produced:
            if isinstance(document, Document):
                stats.documents += 1
            yield document
