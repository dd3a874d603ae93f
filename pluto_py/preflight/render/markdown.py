"""`-o markdown`: the verdict and the worklist as a pull-request comment (GitHub-flavoured)."""

from __future__ import annotations

from pluto_py.preflight.render.text import headline
from pluto_py.preflight.run import PreflightReport, group_by_owner
from pluto_py.report.markdown import cell, code

ICONS = {"ready": "✅", "risky": "⚠️", "blocked": "❌"}


def render(report: PreflightReport, tool_version: str, fail_on: str) -> str:
    lines = [f"### {ICONS.get(report.verdict, '')} {headline(report)}", ""]  # our words only: no escaping
    active = [c for c in report.checks if c.active]
    if not active:
        lines.append("Nothing to fix before this upgrade.")
    for owner, checks in group_by_owner(active).items():
        lines += [f"#### {('Namespace ' + code(owner)) if owner else 'Cluster'}", "",
                  "| Severity | Check | Object | What | Fix |", "| --- | --- | --- | --- | --- |"]
        for check in checks:
            severity = f"**{check.severity}**" if check.severity == "blocker" else check.severity
            new = "" if not report.baseline_used or check.in_baseline else " 🆕"
            lines.append(f"| {severity}{new} | {code(check.id)} | {code(check.object.ref)} | {cell(check.message)} | "
                         f"{cell(check.fix)} |")
        lines.append("")
    waived = [c for c in report.checks if not c.active]
    if waived:
        lines += ["", f"<details><summary>{len(waived)} waived</summary>", ""]
        for check in waived:
            assert check.waived_by is not None
            lines.append(f"- {code(check.id)} {code(check.object.ref)}: waived by {cell(check.waived_by.owner)} "
                         f"until {cell(check.waived_by.expires)} — {cell(check.waived_by.reason)}")
        lines += ["", "</details>"]
    if report.errors:
        lines += ["", "**Not read** (the preflight is incomplete):", ""]
        for error in report.errors:
            where = code(f"{error.path}:{error.line}" if error.line else error.path)
            lines.append(f"- {where}: {cell(error.message)}")
    lines += ["", f"Fails on: {fail_on}. kdeprecate {cell(tool_version)}."]
    return "\n".join(lines) + "\n"
