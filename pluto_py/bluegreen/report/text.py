"""Text for people: results grouped by check, in install order, each with what to do; then what was not
checked, and the verdict. Colour on a terminal; input text never carries control characters through."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pluto_py.bluegreen.checks import CHECKS
from pluto_py.bluegreen.model import BLOCKER
from pluto_py.bluegreen.report import side_line, verdict
from pluto_py.report.escape import printable

if TYPE_CHECKING:
    from pluto_py.bluegreen import Readiness

_RED, _YELLOW, _GREEN, _DIM, _BOLD, _RESET = "\033[31m", "\033[33m", "\033[32m", "\033[2m", "\033[1m", "\033[0m"


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


def _count(blockers: int, warnings: int) -> str:
    parts = [f"{blockers} blocker{'s' if blockers != 1 else ''}"] if blockers else []
    parts += [f"{warnings} warning{'s' if warnings != 1 else ''}"] if warnings else []
    return ", ".join(parts)


def summary_line(readiness: Readiness) -> str:
    counts = _count(readiness.blockers, readiness.warning_count) or "no blockers, no warnings"
    errors = len(readiness.errors)
    tail = f"; {errors} input error{'s' if errors != 1 else ''}" if errors else ""
    return f"{verdict(readiness)}: {counts}{tail}"


def render(readiness: Readiness, tool_version: str, color: bool = False) -> str:
    lines = [f"Blue/green readiness: {printable(side_line(readiness, 'blue'))}",
             f"                   -> {printable(side_line(readiness, 'green'))}", ""]
    for check in CHECKS:
        results = [r for r in readiness.results if r.id == check.id]
        if not results:
            continue
        blockers = sum(r.severity == BLOCKER for r in results)
        lines.append(_paint(f"{check.id}: {_count(blockers, len(results) - blockers)}", _BOLD, color)
                     + f" — {check.summary}")
        for result in results:
            mark = _paint("x", _RED, color) if result.severity == BLOCKER else _paint("!", _YELLOW, color)
            lines.append(f"  {mark} {printable(result.message)}")
            lines.append(f"    fix: {printable(result.fix)}")
            if result.where is not None:
                lines.append(_paint(f"    {result.side}: {printable(str(result.where))}", _DIM, color))
        lines.append("")
    if readiness.not_checked:
        lines.append("Not checked:")
        lines += [f"  - {entry.id}: {entry.reason}" for entry in readiness.not_checked]
        lines.append("")
    for note in readiness.warnings:
        lines.append(f"note: {printable(note)}")
    summary = summary_line(readiness)
    colour = _RED if readiness.blockers or readiness.errors else _GREEN
    lines.append(_paint(summary, _BOLD + colour, color))
    return "\n".join(lines) + "\n"
