"""`-o markdown`: a summary and a table, ready to post as a pull-request comment.

GitHub-flavoured Markdown: a heading with the verdict, a table of the active findings (cells
escaped), suppressed findings and notices folded in ``<details>``, read errors as a list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pluto_py.core.escape import printable
from pluto_py.core.model import STATUS_REMOVED, Finding, ScanError, ScanResult
from pluto_py.report import ReportContext, fails, result_fails
from pluto_py.report.common import (
    active,
    advice,
    notice_code,
    plural,
    suppressed,
    targets_text,
    template_shown,
)

# Characters Markdown would read as markup in a table cell: pipes end the cell, `<`/`&` start HTML or
# an entity, the rest emphasis, code or links. Control characters are made visible first (core/escape.py).
_ESCAPES = str.maketrans({"\\": "\\\\", "|": "\\|", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]",
                          "<": "&lt;", ">": "&gt;", "&": "&amp;"})


def cell(text: str | None) -> str:
    return printable((text or "").replace("\r\n", " ").replace("\n", " ").replace("\r", " ")).translate(_ESCAPES)


def code(text: str | None) -> str:
    """A code span, fenced by more backticks than the text holds in a row; pipes escaped (GFM tables
    split on them even inside code). Text holding a backslash (which a code span in a table cell cannot
    hold unambiguously next to a pipe) is an escaped plain cell instead."""
    if not text:
        return ""
    body = printable(text.replace("\n", " ")).replace("|", "\\|")
    if "\\" in body.replace("\\|", ""):
        return cell(text)
    if "`" not in body:
        return f"`{body}`"
    fence = "`" * (max(len(run) for run in re.findall("`+", body)) + 1)
    return f"{fence} {body} {fence}"


def error_items(errors: Iterable[ScanError]) -> list[str]:
    """Inputs that could not be read, as list items: ``- `path:line`: message``."""
    return [f"- {code(f'{e.path}:{e.line}' if e.line else e.path)}: {cell(e.message)}"
            for e in errors]


def _object(finding: Finding) -> str:
    name = code(finding.name) or "*unnamed*"
    text = f"{cell(finding.kind)} {name}"
    if finding.namespace:
        text += f" (ns {code(finding.namespace)})"
    return text


def _where(finding: Finding) -> str:
    where = code(finding.path if finding.line is None else f"{finding.path}:{finding.line}")  # a live cluster: no line
    if template_shown(finding):
        where += f" ({code(finding.template)})"
    return where


def _status(finding: Finding, fail_on: str) -> str:
    label = f"**{finding.status}**" if fails(finding.status, fail_on) else finding.status
    return label


def _table(findings: list[Finding], fail_on: str) -> list[str]:
    rows = ["| Status | Location | Object | API version | What to do |", "| --- | --- | --- | --- | --- |"]
    for finding in findings:
        rows.append(f"| {_status(finding, fail_on)} | {_where(finding)} | {_object(finding)} | "
                    f"{code(finding.api_version)} | {cell(advice(finding))} |")
    return rows


class MarkdownReporter:
    def render(self, result: ScanResult, context: ReportContext) -> str:
        summary = result.summary
        shown = active(result)
        verdict = "❌" if result_fails(result, context.fail_on) else "✅"
        lines = [f"### {verdict} kdeprecate: {summary.removed} removed, {summary.deprecated} deprecated "
                 f"(target {cell(targets_text(result))})", ""]
        if shown:
            lines += _table(shown, context.fail_on)
        else:
            lines.append("No deprecated or removed API versions in use.")
        lines.append("")
        lines.append(f"{plural(summary.files, 'file')}, {plural(summary.documents, 'document')} scanned; "
                     f"{plural(summary.errors, 'error')}; {summary.suppressed} suppressed; "
                     f"fails on: {context.fail_on}.")
        hidden = suppressed(result)
        if hidden:
            lines += ["", f"<details><summary>{plural(len(hidden), 'suppressed finding')}</summary>", ""]
            lines += [f"- {_where(f)} {_object(f)} {code(f.api_version)}: {f.status}"
                      + (f" — {cell(f.suppression_reason)}" if f.suppression_reason else "") for f in hidden]
            lines += ["", "</details>"]
        if result.notices:
            lines += ["", f"<details><summary>{plural(len(result.notices), 'notice')}</summary>", ""]
            for notice in result.notices:
                where = code(f"{notice.path}:{notice.line}" if notice.line else notice.path)
                lines.append(f"- {where} {notice.level} `{notice_code(notice)}`: {cell(notice.message)}")
            lines += ["", "</details>"]
        if result.errors:
            lines += ["", "**Not scanned** (the scan is incomplete):", "", *error_items(result.errors)]
        removed = [f for f in shown if f.status == STATUS_REMOVED]
        if removed and any(f.fixable for f in removed):
            lines += ["", "Many of these can be rewritten with `kdeprecate fix`."]
        return "\n".join(lines) + "\n"
