"""Renderings of a blue/green Readiness, one module per format, chosen by name (as pluto_py.report does for
scans): text grouped by check, json (design.md section 4), yaml, csv, markdown for a change ticket, sarif,
junit and github annotations. Each returns text; nothing prints."""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pluto_py.bluegreen import Readiness

FORMATS: dict[str, str] = {
    "text": "pluto_py.bluegreen.report.text:render",
    "json": "pluto_py.bluegreen.report.json_report:render",
    "yaml": "pluto_py.bluegreen.report.json_report:render_yaml",
    "csv": "pluto_py.bluegreen.report.json_report:render_csv",
    "markdown": "pluto_py.bluegreen.report.markdown:render",
    "sarif": "pluto_py.bluegreen.report.sarif:render",
    "junit": "pluto_py.bluegreen.report.junit:render",
    "github": "pluto_py.bluegreen.report.github:render",
}

Renderer = Callable[["Readiness", str, bool], str]  # readiness, tool version, colour


def get_renderer(name: str) -> Renderer:
    try:
        target = FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown output format {name!r} (choose from {', '.join(FORMATS)})") from None
    module, _, function = target.partition(":")
    renderer: Renderer = getattr(importlib.import_module(module), function)
    return renderer


_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """``text`` without control characters (escaped as \\xNN / \\uNNNN): input-derived names and messages
    must not drive the terminal (colours, cursor moves, hidden text) or break XML."""
    if text.isprintable() and not _BIDI.search(text):
        return text
    out = []
    for char in text:
        if unicodedata.category(char) == "Cc" or _BIDI.match(char):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def verdict(readiness: Readiness) -> str:
    if readiness.errors:
        return "INCOMPLETE"
    return "NOT READY" if readiness.blockers else "READY"


def side_line(readiness: Readiness, side: str) -> str:
    view = readiness.blue if side == "blue" else readiness.green
    version = str(view.version) if view.version is not None else "version unknown"
    return f"{side} {version} ({'; '.join(view.described_by) or 'nothing given'})"
