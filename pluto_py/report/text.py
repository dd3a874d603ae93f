"""Text for people: findings grouped by file (one ``path:line:col:`` line each, so editors and
terminals can jump to them), notices beside them, then a one-line summary. Colour on a terminal.
Everything taken from the inputs is escaped (core/escape.py) before it is coloured."""

from __future__ import annotations

from pluto_py.core.escape import printable
from pluto_py.core.model import NOTICE_WARNING, STATUS_REMOVED, Finding, Notice, ScanResult
from pluto_py.report import ReportContext, fails
from pluto_py.report.common import advice, grouped, location, notice_code, plural, targets_text

__all__ = ["TextReporter", "advice", "location", "summary_line"]

_RED, _YELLOW, _CYAN, _DIM, _BOLD, _RESET = "\033[31m", "\033[33m", "\033[36m", "\033[2m", "\033[1m", "\033[0m"


def summary_line(result: ScanResult) -> str:
    summary = result.summary
    parts = [
        f"{summary.removed} removed",
        f"{summary.deprecated} deprecated",
        plural(summary.errors, "error"),
    ]
    if summary.unsupported:
        parts.insert(2, f"{summary.unsupported} unsupported")
    if summary.suppressed:
        parts.append(f"{summary.suppressed} suppressed")
    warnings = sum(n.level == NOTICE_WARNING for n in result.notices)
    if warnings:
        parts.append(plural(warnings, "warning"))
    return (f"{plural(summary.files, 'file')}, {plural(summary.documents, 'document')}: "
            f"{', '.join(parts)} (target {printable(targets_text(result))})")


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


def finding_line(finding: Finding, context: ReportContext) -> str:
    colour = _RED if finding.status == STATUS_REMOVED or fails(finding.status, context.fail_on) else _YELLOW
    status = _paint(finding.status, colour, context.color)
    what = _paint(printable(f"{finding.object_ref} {finding.api_version}"), _BOLD, context.color)
    where = _paint(printable(location(finding)), _DIM, context.color)
    return f"{where}: {status}: {what}: {printable(advice(finding))}"


def notice_line(notice: Notice, context: ReportContext) -> str:
    where = notice.path
    if notice.line is not None:
        where += f":{notice.line}"
        if notice.column is not None:
            where += f":{notice.column}"
    level = "warning" if notice.level == NOTICE_WARNING else "note"
    level = _paint(level, _YELLOW if level == "warning" else _CYAN, context.color)
    return f"{printable(where)}: {level}: {printable(notice.message)} [{notice_code(notice)}]"


class TextReporter:
    def render(self, result: ScanResult, context: ReportContext) -> str:
        blocks: list[str] = []
        usage = [f for f in result.findings if f.usage is not None and not f.suppressed]
        by_file = result._replace(findings=tuple(f for f in result.findings if f.usage is None)) if usage else result
        for _path, entries in grouped(by_file):
            shown = [e for e in entries if not (context.quiet and isinstance(e, Notice) and e.level != NOTICE_WARNING)]
            if shown:
                blocks.append("\n".join(
                    finding_line(e, context) if isinstance(e, Finding) else notice_line(e, context) for e in shown))
        if usage:  # audit-log / metrics findings, by client
            from pluto_py.report.usage_text import usage_blocks

            blocks.extend(usage_blocks(usage, context))
        lines = ["\n\n".join(blocks)] if blocks else []
        if context.quiet:  # --quiet: findings (and warnings about the setup) only
            return "".join(line + "\n" for line in lines)
        summary = summary_line(result)
        if context.color:
            failing = any(fails(f.status, context.fail_on) for f in result.findings if not f.suppressed)
            summary = _paint(summary, _BOLD + (_RED if failing else ""), True)
        lines.append(summary)
        return "\n".join(lines) + "\n"
