"""The API server's ``apiserver_requested_deprecated_apis`` gauge, from Prometheus text exposition
(``kubectl get --raw /metrics``): which deprecated group/version/resources were requested since the
server started (not by whom, nor how often).

``parse_metrics_text`` / ``parse_metrics_lines`` read the text from a string or any iterable of
lines; ``read_metrics_file`` streams a file with flat memory (sources/loglines.py). ``MetricsSource``
(``--metrics``) turns the samples into one Document per (api_version, resource), and
``metrics_documents_from_text`` does the same for text read elsewhere (a live scrape of /metrics). The
format: ``# HELP`` / ``# TYPE`` and other comments, ``name{label="value",...} value [timestamp]``
with labels in any order, values escaped with ``\\\\``, ``\\"`` and ``\\n``, and optional timestamps.
Other metrics are skipped; a malformed sample of this metric is an error naming its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from pluto_py.core.model import NOTICE_INFO, SOURCE_METRICS, Document, Notice, ScanError
from pluto_py.core.usage import Usage
from pluto_py.sources.loglines import expand_log_paths, read_lines

if TYPE_CHECKING:
    from pluto_py.sources import InputStats, SourceRequest

METRIC = "apiserver_requested_deprecated_apis"
NOTICE_METRICS_UNKNOWN = "metrics-unknown-api"
_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_WHITESPACE = re.compile(r"[ \t]*")
_VALUE = re.compile(r"[ \t]+([^ \t]+)(?:[ \t]+(-?[0-9]+))?[ \t]*$")
_ESCAPES = {"\\": "\\", '"': '"', "n": "\n"}


@dataclass(frozen=True, slots=True)
class DeprecatedApiSample:
    """One sample: a group/version/resource the server says was requested while deprecated."""

    line: int
    api_version: str  # "v1" or "group/version"
    resource: str
    subresource: str | None
    removed_release: str | None
    value: float


@dataclass(frozen=True, slots=True)
class MetricsProblem:
    line: int
    message: str


def _labels(text: str, start: int) -> tuple[dict[str, str], int]:
    """Labels from ``{`` at ``start`` to the matching ``}``; (labels, offset after ``}``)."""
    labels: dict[str, str] = {}
    offset = start + 1
    while True:
        offset = _WHITESPACE.match(text, offset).end()  # type: ignore[union-attr]
        if text.startswith("}", offset):
            return labels, offset + 1
        name = _LABEL_NAME.match(text, offset)
        if name is None:
            raise ValueError(f"a label name was expected at column {offset + 1}")
        offset = _WHITESPACE.match(text, name.end()).end()  # type: ignore[union-attr]
        if not text.startswith('="', offset) and not text.startswith("=", offset):
            raise ValueError(f"'=' was expected after label {name.group()}")
        offset = _WHITESPACE.match(text, offset + 1).end()  # type: ignore[union-attr]
        if not text.startswith('"', offset):
            raise ValueError(f"a quoted value was expected for label {name.group()}")
        value, offset = _quoted(text, offset + 1)
        if name.group() in labels:
            raise ValueError(f"label {name.group()} given twice")
        labels[name.group()] = value
        offset = _WHITESPACE.match(text, offset).end()  # type: ignore[union-attr]
        if text.startswith(",", offset):
            offset += 1
        elif not text.startswith("}", offset):
            raise ValueError(f"',' or '}}' was expected at column {offset + 1}")


def _quoted(text: str, offset: int) -> tuple[str, int]:
    out: list[str] = []
    while offset < len(text):
        char = text[offset]
        if char == '"':
            return "".join(out), offset + 1
        if char == "\\":
            escaped = text[offset + 1:offset + 2]
            if escaped not in _ESCAPES:
                raise ValueError(f"unknown escape in a label value at column {offset + 1}")
            out.append(_ESCAPES[escaped])
            offset += 2
            continue
        out.append(char)
        offset += 1
    raise ValueError("a label value is not closed")


def _float(text: str) -> float:
    lowered = text.lower()
    if lowered in ("+inf", "inf"):
        return float("inf")
    if lowered == "-inf":
        return float("-inf")
    if lowered == "nan":
        return float("nan")
    if not re.fullmatch(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", text):
        raise ValueError(f"not a sample value: {text[:40]!r}")
    return float(text)


def parse_sample(text: str, line: int) -> DeprecatedApiSample | MetricsProblem | None:
    """One line of exposition text: our metric's sample, a problem with it, or None (anything else)."""
    stripped = text.strip()
    if not stripped or stripped.startswith("#"):
        return None
    name = _NAME.match(stripped)
    if name is None:
        return MetricsProblem(line, "not a metric sample, comment or blank line")
    if name.group() != METRIC:
        return None
    offset = name.end()
    try:
        labels: dict[str, str] = {}
        after_name = _WHITESPACE.match(stripped, offset).end()  # type: ignore[union-attr]
        if stripped.startswith("{", after_name):
            offset = after_name
            labels, offset = _labels(stripped, offset)
        value_match = _VALUE.match(stripped, offset)
        if value_match is None:
            raise ValueError("a value was expected after the labels")
        value = _float(value_match.group(1))
    except ValueError as exc:
        return MetricsProblem(line, f"malformed {METRIC} sample: {exc}")
    version, resource = labels.get("version", ""), labels.get("resource", "")
    if not version or not resource:
        return MetricsProblem(line, f"{METRIC} sample without version or resource label")
    group = labels.get("group", "")
    return DeprecatedApiSample(line, f"{group}/{version}" if group else version, resource,
                               labels.get("subresource") or None, labels.get("removed_release") or None, value)


def parse_metrics_lines(lines: Iterable[tuple[int, str]]) -> Iterator[DeprecatedApiSample | MetricsProblem]:
    """Our metric's samples (and problems) among (line number, text) pairs."""
    for number, text in lines:
        found = parse_sample(text, number)
        if found is not None:
            yield found


def parse_metrics_text(text: str) -> list[DeprecatedApiSample | MetricsProblem]:
    """Samples of ``apiserver_requested_deprecated_apis`` in exposition text (e.g. a live scrape)."""
    return list(parse_metrics_lines(enumerate(text.splitlines(), start=1)))


def read_metrics_file(path: str, display: str | None = None) -> Iterator[DeprecatedApiSample | ScanError]:
    """Samples of a metrics file ('-': stdin), streamed; problems become ScanErrors with the line."""
    shown = display or path
    for item in read_lines(path, shown):
        if isinstance(item, ScanError):
            yield item
            continue
        number, data, complete = item
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            yield ScanError(shown, number, "not UTF-8 text")
            continue
        found = parse_sample(text, number)
        if isinstance(found, MetricsProblem):
            message = found.message
            if not complete:
                message = f"last line is cut short? {message}"
            yield ScanError(shown, found.line, message)
        elif found is not None:
            yield found


# --- the source --------------------------------------------------------------------------------

# (api_version, resource) -> the samples naming it, each with where it was read
Samples = dict[tuple[str, str], list[tuple[str, DeprecatedApiSample]]]


@dataclass(frozen=True, slots=True)
class MetricsSettings:
    """``scan --metrics FILE ...``: SourceRequest.settings["metrics"]."""

    paths: tuple[str, ...]


def _add_sample(samples: Samples, origin: str, sample: DeprecatedApiSample) -> None:
    if sample.value > 0:  # a gauge at 0: not requested since the server started
        samples.setdefault((sample.api_version, sample.resource), []).append((origin, sample))


def metrics_documents(samples: Mapping[tuple[str, str], Sequence[tuple[str, DeprecatedApiSample]]],
                      ) -> Iterator[Document | Notice]:
    """One Document per (api_version, resource) the samples name, at its last sample, carrying a
    ``usage`` without a caller; an info notice for each API the resource data does not know (a
    custom resource's deprecated version)."""
    from pluto_py.core.api_resources import load_api_resources, usage_document

    resources = load_api_resources()
    for (api_version, resource), entries in samples.items():
        path, last = entries[-1]
        kind = resources.kind_of(api_version, resource)
        if kind is None:
            yield Notice(path, last.line, NOTICE_METRICS_UNKNOWN,
                         f"the API server reports requests to deprecated {api_version} {resource}, "
                         "an API kdeprecate's data does not know (a custom resource?)", level=NOTICE_INFO)
            continue
        subresources = sorted({s.subresource for _, s in entries if s.subresource})
        removed = next((s.removed_release for _, s in reversed(entries) if s.removed_release), None)
        usage = Usage(resource=resource, subresource=",".join(subresources) or None, user=None, user_agent=None,
                      verbs=(), count=None, first_seen=None, last_seen=None)
        # The server's own word: extra evidence only (the status is the table's at the target).
        context = {"server_deprecated": "true", **({"server_removed_release": removed} if removed else {})}
        yield usage_document(api_version, kind, usage, path, last.line, SOURCE_METRICS, context)


def metrics_documents_from_text(text: str, origin: str) -> Iterator[Document | ScanError | Notice]:
    """Documents of metrics text read elsewhere (a live scrape of /metrics: ``origin`` names it, e.g.
    ``cluster:CONTEXT``); a malformed sample is an error naming ``origin`` and its line."""
    samples: Samples = {}
    for item in parse_metrics_text(text):
        if isinstance(item, DeprecatedApiSample):
            _add_sample(samples, origin, item)
        else:
            yield ScanError(origin, item.line, item.message)
    yield from metrics_documents(samples)


class MetricsSource:
    """API server metrics files (``--metrics``): the deprecated APIs requested since the server started."""

    name: ClassVar[str] = "metrics"

    def __init__(self, request: SourceRequest) -> None:
        self._settings: MetricsSettings | None = request.settings.get(self.name)

    def wanted(self, request: SourceRequest) -> bool:
        return bool(self._settings and self._settings.paths)

    def documents(self, request: SourceRequest, stats: InputStats) -> Iterator[Document | ScanError | Notice]:
        assert self._settings is not None
        files, errors = expand_log_paths(self._settings.paths)
        yield from errors
        samples: Samples = {}
        for path in files:
            stats.files += 1
            for item in read_metrics_file(path):
                if isinstance(item, ScanError):
                    yield item
                else:
                    _add_sample(samples, path, item)
        yield from metrics_documents(samples)

    @property
    def warnings(self) -> Sequence[str]:
        return ()
