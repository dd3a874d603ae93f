"""Renderings of a blue/green Readiness, one module per format, chosen by name (as pluto_py.report does for
scans): text grouped by check, json (design.md section 4), yaml, csv, markdown for a change ticket, sarif,
junit and github annotations. Each returns text; nothing prints."""

from __future__ import annotations

import importlib
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


def verdict(readiness: Readiness) -> str:
    if readiness.errors:
        return "INCOMPLETE"
    return "NOT READY" if readiness.blockers else "READY"


def side_line(readiness: Readiness, side: str) -> str:
    view = readiness.blue if side == "blue" else readiness.green
    version = str(view.version) if view.version is not None else "version unknown"
    return f"{side} {version} ({'; '.join(view.described_by) or 'nothing given'})"
