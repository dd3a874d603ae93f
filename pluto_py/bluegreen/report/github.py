"""`-o github`: GitHub Actions annotations (``::error`` for blockers and inputs not read, ``::warning`` for
warnings) with the scan reporter's escaping, then the verdict line. ``file=`` is relative to the repository
root, as GitHub resolves it (report/locations.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pluto_py.bluegreen.model import BLOCKER
from pluto_py.bluegreen.report.text import summary_line
from pluto_py.core.rules import rule
from pluto_py.report.common import has_file
from pluto_py.report.escape import printable
from pluto_py.report.github import command

if TYPE_CHECKING:
    from pluto_py.bluegreen import Readiness


def render(readiness: Readiness, tool_version: str, color: bool = False) -> str:
    from pluto_py.report.locations import find_source_root, root_relative

    root = find_source_root()
    lines = []
    for result in readiness.results:
        where = result.where
        located = where is not None and has_file(where.path, where.source)
        lines.append(command("error" if result.severity == BLOCKER else "warning",
                             printable(f"{result.message}. What to do: {result.fix}"),
                             file=(root_relative(where.path, root) or where.path)
                             if where is not None and located else None,
                             line=where.line if where is not None and located else None,
                             title=f"kdeprecate {rule(result.id).code}"))
    for error in readiness.errors:
        error_file = (root_relative(error.path, root) or error.path) if error.path != "-" else None
        lines.append(command("error", printable(error.message), file=error_file, line=error.line,
                             title="kdeprecate: not read"))
    return "".join(line + "\n" for line in lines) + summary_line(readiness) + "\n"
