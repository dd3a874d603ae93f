"""Text for people: the verdict, then the worklist grouped by owner (namespace), most urgent first."""

from __future__ import annotations

from pluto_py.preflight.model import Check
from pluto_py.preflight.run import PreflightReport, group_by_owner
from pluto_py.report.common import plural
from pluto_py.report.escape import printable

LABELS = {"blocker": "BLOCKER", "warning": "WARNING", "info": "INFO"}


def headline(report: PreflightReport) -> str:
    summary = report.summary()
    path = f"{report.from_version} -> {report.target}" if report.from_version else f"to {report.target}"
    parts = [plural(summary["blockers"], "blocker"), plural(summary["warnings"], "warning"), f"{summary['info']} info"]
    if summary["waived"]:
        parts.append(f"{summary['waived']} waived")
    if report.baseline_used:
        parts.append(f"{summary['new']} new since the baseline")
    return f"Upgrade preflight {path}: {report.verdict.upper()} ({', '.join(parts)})"


def _line(check: Check) -> list[str]:
    where = f" [{check.object.path}:{check.object.line}]" if check.object.path and check.object.line else ""
    marks = ""
    if check.waived_by is not None:
        marks += f" (waived by {check.waived_by.owner} until {check.waived_by.expires})"
    if check.in_baseline:
        marks += " (in baseline)"
    return [
        printable(f"  {LABELS.get(check.severity, check.severity):8} {check.id}  {check.object.ref}{where}{marks}"),
        printable(f"           {check.message}"),
        printable(f"           fix: {check.fix}"),
    ]


def render(report: PreflightReport, tool_version: str, fail_on: str) -> str:
    lines = [headline(report), ""]
    active = [c for c in report.checks if c.active]
    for owner, checks in group_by_owner(active).items():
        lines.append(printable(f"Namespace {owner}" if owner else "Cluster"))
        for check in checks:
            lines.extend(_line(check))
        lines.append("")
    waived = [c for c in report.checks if not c.active]
    if waived:
        lines.append("Waived")
        for check in waived:
            lines.extend(_line(check))
        lines.append("")
    if not report.checks:
        lines += ["Nothing to fix before this upgrade.", ""]
    summary = report.summary()
    lines.append(f"{plural(summary['files'], 'file')}, {plural(summary['objects'], 'object')} checked; "
                 f"{plural(summary['errors'], 'input error')}; fails on: {fail_on}.")
    return "\n".join(lines) + "\n"
