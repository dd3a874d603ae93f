"""Renderers of a preflight report: one module per format, chosen by name (imported when chosen)."""

from __future__ import annotations

import importlib
from typing import Protocol

from pluto_py.preflight.run import PreflightReport

FORMATS: dict[str, str] = {
    "text": "pluto_py.preflight.render.text",
    "json": "pluto_py.preflight.render.json_render",
    "markdown": "pluto_py.preflight.render.markdown",
    "html": "pluto_py.preflight.render.html",
    "sarif": "pluto_py.preflight.render.sarif",
    "junit": "pluto_py.preflight.render.junit",
}


class Renderer(Protocol):
    def __call__(self, report: PreflightReport, tool_version: str, fail_on: str) -> str: ...


def renderer(name: str) -> Renderer:
    try:
        module = importlib.import_module(FORMATS[name])
    except KeyError:
        raise ValueError(f"unknown output format {name!r} (choose from {', '.join(FORMATS)})") from None
    render: Renderer = module.render
    return render

