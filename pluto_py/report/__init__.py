"""Reporters: one module per format, registered in one map (name -> "module:Class").

Modules are imported only when chosen, so the scan path pays for one reporter only. A reporter
class may set ``needs_objects = True`` to receive every scanned object in ``ScanResult.objects``
(the scan collects them only then), and ``needs_source_root = True`` to receive the repository root
in ``ReportContext.source_root`` (report/locations.py: code-scanning paths are relative to it).
"""

from __future__ import annotations

import importlib
from typing import NamedTuple, Protocol

from pluto_py.core.model import NOTICE_WARNING, Notice, ScanResult

REPORTERS: dict[str, str] = {
    "text": "pluto_py.report.text:TextReporter",
    "json": "pluto_py.report.json_report:JsonReporter",
    "yaml": "pluto_py.report.yaml_report:YamlReporter",
    "csv": "pluto_py.report.csv_report:CsvReporter",
    "markdown": "pluto_py.report.markdown:MarkdownReporter",
    "sarif": "pluto_py.report.sarif:SarifReporter",
    "junit": "pluto_py.report.junit:JunitReporter",
    "github": "pluto_py.report.github:GithubReporter",
    "gitlab": "pluto_py.report.gitlab:GitlabReporter",
    "prometheus": "pluto_py.report.prometheus:PrometheusReporter",
}

FAIL_LEVELS = ("removed", "deprecated", "none")


class ReportContext(NamedTuple):
    """What a reporter needs besides the result."""

    tool_version: str
    fail_on: str  # removed | deprecated | none
    color: bool = False
    source_root: str | None = None  # absolute; set for reporters with needs_source_root
    quiet: bool = False  # --quiet: reports for people leave out their summary line


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


def needs_objects(reporter: Reporter) -> bool:
    """Whether the reporter wants every scanned object (not only findings) in the result."""
    return bool(getattr(reporter, "needs_objects", False))


def needs_source_root(reporter: Reporter) -> bool:
    """Whether the reporter's paths are relative to the repository root (report/locations.py)."""
    return bool(getattr(reporter, "needs_source_root", False))


def fails(status: str, fail_on: str) -> bool:
    """Whether a finding of ``status`` is at or above the fail level."""
    if fail_on == "none":
        return False
    if fail_on == "deprecated":
        return status in ("removed", "unsupported", "deprecated")
    return status in ("removed", "unsupported")  # an add-on that does not support the target blocks too


def notice_fails(notice: Notice, fail_on: str) -> bool:
    """Warnings about the user's setup (a stale suppression) fail only the strictest gate."""
    return notice.level == NOTICE_WARNING and fail_on == "deprecated"


def result_fails(result: ScanResult, fail_on: str) -> bool:
    """Whether the scan should exit 1: an unsuppressed finding, or a warning, at the fail level."""
    return (any(fails(f.status, fail_on) for f in result.findings if not f.suppressed)
            or any(notice_fails(n, fail_on) for n in result.notices))
