"""Text for people: one line per finding with what to do, then a one-line summary."""

from __future__ import annotations

from pluto_py.model import STATUS_REMOVED, Finding, ScanResult
from pluto_py.report import ReportContext

_RED, _YELLOW, _DIM, _BOLD, _RESET = "\033[31m", "\033[33m", "\033[2m", "\033[1m", "\033[0m"


def advice(finding: Finding) -> str:
    """'removed in 1.22; use networking.k8s.io/v1, available since 1.19'."""
    if finding.status == STATUS_REMOVED:
        head = f"removed in {finding.removed_in}"
    else:
        head = f"deprecated in {finding.deprecated_in}"
        if finding.removed_in:
            head += f", removed in {finding.removed_in}"
    if finding.replacement is None:
        return f"{head}; no replacement API" + (f" ({finding.notes})" if finding.notes else "")
    use = f"use {finding.replacement}"
    if finding.replacement_available_in:
        use += f", available since {finding.replacement_available_in}"
    if finding.replacement_available_at_from is False:
        use += " (not yet served by the --from version)"
    return f"{head}; {use}"


def location(finding: Finding) -> str:
    where = f"{finding.path}:{finding.line}:{finding.column}"
    if finding.template:
        where += f" [{finding.template}]"
    return where


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary_line(result: ScanResult) -> str:
    summary = result.summary
    parts = [
        f"{summary.removed} removed",
        f"{summary.deprecated} deprecated",
        _plural(summary.errors, "error"),
    ]
    if summary.suppressed:
        parts.append(f"{summary.suppressed} suppressed")
    targets = ", ".join(f"{name} {version}" for name, version in result.targets.items())
    return (f"{_plural(summary.files, 'file')}, {_plural(summary.documents, 'document')}: "
            f"{', '.join(parts)} (target {targets})")


class TextReporter:
    def render(self, result: ScanResult, context: ReportContext) -> str:
        lines = []
        for finding in result.findings:
            if finding.suppressed:
                continue
            status = finding.status
            if context.color:
                colour = _RED if status == STATUS_REMOVED else _YELLOW
                status = f"{colour}{status}{_RESET}"
            what = f"{finding.object_ref} {finding.api_version}"
            if context.color:
                what = f"{_BOLD}{what}{_RESET}"
            lines.append(f"{location(finding)}: {status}: {what}: {advice(finding)}")
        lines.append(summary_line(result))
        return "\n".join(lines) + "\n"
