"""The API server's ``apiserver_requested_deprecated_apis`` gauge, from Prometheus text exposition
(``kubectl get --raw /metrics``): which deprecated group/version/resources were requested since the
server started (not by whom, nor how often).

``parse_metrics_text`` / ``parse_metrics_lines`` read the text from a string or any iterable of
lines (a live scrape can reuse them); ``read_metrics_file`` streams a file with flat memory. The
format: ``# HELP`` / ``# TYPE`` and other comments, ``name{label="value",...} value [timestamp]``
with labels in any order, values escaped with ``\\\\``, ``\\"`` and ``\\n``, and optional timestamps.
Other metrics are skipped; a malformed sample of this metric is an error naming its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from pluto_py.model import ScanError
from pluto_py.sources.loglines import read_lines

METRIC = "apiserver_requested_deprecated_apis"
_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_WHITESPACE = re.compile(r"[ \t]*")
_VALUE = re.compile(r"[ \t]+([^ \t]+)(?:[ \t]+(-?[0-9]+))?[ \t]*$")
_ESCAPES = {"\\": "\\", '"': '"', "n": "\n"}


class DeprecatedApiSample(NamedTuple):
    """One sample: a group/version/resource the server says was requested while deprecated."""

    line: int
    api_version: str  # "v1" or "group/version"
    resource: str
    subresource: str | None
    removed_release: str | None
    value: float


class MetricsProblem(NamedTuple):
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
