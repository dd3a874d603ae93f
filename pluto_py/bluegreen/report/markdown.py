"""`-o markdown`: a change ticket — the verdict, both sides, then a task list per check (blockers first, in
install order), what was not checked and what could not be read. GitHub/GitLab-flavoured Markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pluto_py.bluegreen.checks import CHECKS
from pluto_py.bluegreen.model import BLOCKER, WARNING, CheckResult
from pluto_py.bluegreen.report import verdict
from pluto_py.report.escape import printable
from pluto_py.report.markdown import cell, error_items

if TYPE_CHECKING:
    from pluto_py.bluegreen import Readiness
    from pluto_py.bluegreen.model import ClusterView


def _side(view: ClusterView) -> str:
    return str(view.version) if view.version is not None else "unknown"


def _task(result: CheckResult) -> str:
    return f"- [ ] {cell(printable(result.message))}  \n  *What to do:* {cell(printable(result.fix))}"


def _section(title: str, readiness: Readiness, severity: str) -> list[str]:
    lines: list[str] = []
    for check in CHECKS:
        results = [r for r in readiness.results if r.id == check.id and r.severity == severity]
        if results:
            lines += ["", f"#### `{check.id}` — {cell(check.summary)}", ""]
            lines += [_task(result) for result in results]
    return (["", f"### {title}", *lines]) if lines else []


def render(readiness: Readiness, tool_version: str, color: bool = False) -> str:
    state = verdict(readiness)
    icon = {"READY": "✅", "NOT READY": "❌", "INCOMPLETE": "⚠️"}[state]
    lines = [f"## {icon} Blue/green readiness: {state.lower()} — {readiness.blockers} blockers, "
             f"{readiness.warning_count} warnings", "",
             "| | Blue | Green |", "| --- | --- | --- |",
             f"| Kubernetes | {_side(readiness.blue)} | {_side(readiness.green)} |",
             f"| Described by | {cell(printable('; '.join(readiness.blue.described_by)))} | "
             f"{cell(printable('; '.join(readiness.green.described_by)))} |"]
    lines += _section("Before switching traffic (blockers, in install order)", readiness, BLOCKER)
    lines += _section("Worth a look (warnings)", readiness, WARNING)
    if not readiness.results:
        lines += ["", "Nothing on blue stands in the way of green."]
    if readiness.not_checked:
        lines += ["", "### Not checked", ""]
        lines += [f"- `{entry.id}`: {cell(entry.reason)}" for entry in readiness.not_checked]
    if readiness.errors:
        lines += ["", "### Inputs not read (the check is incomplete)", "", *error_items(readiness.errors)]
    lines += ["", f"<sub>kdeprecate {tool_version} bluegreen</sub>"]
    return "\n".join(lines) + "\n"
