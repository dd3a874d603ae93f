"""Reporters: one module per format, registered in one map (name -> "module:Class").

Modules are imported only when chosen, so the scan path pays for one reporter only.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Protocol

from pluto_py.model import ScanResult

REPORTERS: dict[str, str] = {
    "text": "pluto_py.report.text:TextReporter",
    "json": "pluto_py.report.json_report:JsonReporter",
}


@dataclass(frozen=True)
class ReportContext:
    tool_version: str
    fail_on: str  # removed | deprecated | none
    color: bool = False


class Reporter(Protocol):
    def render(self, result: ScanResult, context: ReportContext) -> str: ...


def reporter_names() -> list[str]:
    return list(REPORTERS)


def get_reporter(name: str) -> Reporter:
    try:
        target = REPORTERS[name]
    except KeyError:
        raise ValueError(f"unknown output format {name!r} (choose from {', '.join(REPORTERS)})") from None
    module_name, _, class_name = target.partition(":")
    reporter_class = getattr(importlib.import_module(module_name), class_name)
    reporter: Reporter = reporter_class()
    return reporter


def fails(status: str, fail_on: str) -> bool:
    """Whether a finding of ``status`` is at or above the fail level."""
    if fail_on == "none":
        return False
    if fail_on == "deprecated":
        return status in ("removed", "deprecated")
    return status == "removed"
