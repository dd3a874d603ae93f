"""`-o markdown`: the verdict and the worklist as a pull-request comment (GitHub-flavoured)."""

from __future__ import annotations

from pluto_py.preflight.render.text import headline
from pluto_py.preflight.run import PreflightReport, group_by_owner
from pluto_py.report.escape import printable
from pluto_py.report.markdown import cell, code, error_items

ICONS = {"ready": "✅", "risky": "⚠️", "blocked": "❌"}


def render(report: PreflightReport, tool_version: str, fail_on: str) -> str:
    lines = [f"### {ICONS.get(report.verdict, '')} {headline(report)}", ""]  # our words only: no escaping
    active = [c for c in report.checks if c.active]
    if not active:
        lines.append("Nothing to fix before this upgrade.")
    for owner, checks in group_by_owner(active).items():
        lines += [f"#### {('Namespace ' + code(printable(owner))) if owner else 'Cluster'}", "",
                  "| Severity | Check | Object | What | Fix |", "| --- | --- | --- | --- | --- |"]
        for check in checks:
            severity = f"**{check.severity}**" if check.severity == "blocker" else check.severity
            new = "" if not report.baseline_used or check.in_baseline else " 🆕"
            lines.append(f"| {severity}{new} | {code(check.id)} | {code(printable(check.object.ref))} | "
                         f"{cell(printable(check.message))} | {cell(printable(check.fix))} |")
        lines.append("")
    waived = [c for c in report.checks if not c.active]
    if waived:
        lines += ["", f"<details><summary>{len(waived)} waived</summary>", ""]
        for check in waived:
            assert check.waived_by is not None
            waiver = check.waived_by
            lines.append(f"- {code(check.id)} {code(printable(check.object.ref))}: waived by {cell(waiver.owner)} "
                         f"until {cell(waiver.expires)} — {cell(waiver.reason)}")
        lines += ["", "</details>"]
    if report.errors:
        lines += ["", "**Not read** (the preflight is incomplete):", "", *error_items(report.errors)]
    lines += ["", f"Fails on: {fail_on}. kdeprecate {cell(tool_version)}."]
    return "\n".join(lines) + "\n"
