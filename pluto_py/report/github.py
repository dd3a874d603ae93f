"""`-o github`: GitHub Actions workflow commands, one annotation per finding, then the summary.

``::error file=…,line=…,col=…,title=…::message`` for findings at or above ``--fail-on``,
``::warning`` below it and for notices; read errors are ``::error`` too. Suppressed findings are
not annotated. Chosen automatically when ``GITHUB_ACTIONS=true`` and no ``-o`` was given.
Values are escaped as the runner expects (``%``, CR, LF; and ``:``/``,`` in properties), after the
control characters of the inputs are made visible (core/escape.py): a name cannot end the command, start
another one, or reach the log viewer as an escape sequence. ``file=``
is relative to the repository root (``$GITHUB_WORKSPACE``: report/locations.py), as GitHub resolves
it, whatever directory the scan ran in; chart findings name the template file.
"""

from __future__ import annotations

from pluto_py.core.escape import printable
from pluto_py.core.model import NOTICE_WARNING, ScanResult
from pluto_py.report import ReportContext, fails
from pluto_py.report.common import active, has_file, message, notice_code, rule_id
from pluto_py.report.locations import root_relative
from pluto_py.report.text import summary_line


def escape_data(text: str) -> str:
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, text: str, *, file: str | None = None, line: int | None = None,
            col: int | None = None, title: str | None = None) -> str:
    props = []
    if file:
        props.append(f"file={escape_property(file)}")
    if line is not None:
        props.append(f"line={line}")
    if col is not None:
        props.append(f"col={col}")
    if title:
        props.append(f"title={escape_property(title)}")
    head = f"::{level} {','.join(props)}" if props else f"::{level}"
    return f"{head}::{escape_data(text)}"


def _file(path: str, root: str | None) -> str:
    """The annotation's file: relative to the repository root when inside it, else as shown."""
    return root_relative(path, root) or path


class GithubReporter:
    needs_source_root = True

    def render(self, result: ScanResult, context: ReportContext) -> str:
        summary = "" if context.quiet else summary_line(result) + "\n"
        return "".join(line + "\n" for line in self.annotations(result, context)) + summary

    @staticmethod
    def annotations(result: ScanResult, context: ReportContext) -> list[str]:
        lines = []
        root = context.source_root
        for finding in active(result):
            level = "error" if fails(finding.status, context.fail_on) else "warning"
            located = has_file(finding.path, finding.source)
            lines.append(command(level, message(finding), file=_file(finding.path, root) if located else None,
                                 line=finding.line if located else None, col=finding.column if located else None,
                                 title=f"kdeprecate {rule_id(finding)}"))
        for notice in result.notices:
            if context.quiet and notice.level != NOTICE_WARNING:
                continue
            level = "warning" if notice.level == NOTICE_WARNING else "notice"
            located = has_file(notice.path, "file")  # not stdin, not a live cluster
            lines.append(command(level, notice.message, file=_file(notice.path, root) if located else None,
                                 line=notice.line, col=notice.column, title=f"kdeprecate {notice_code(notice)}"))
        for error in result.errors:
            located = has_file(error.path, "file")
            lines.append(command("error", error.message, file=_file(error.path, root) if located else None,
                                 line=error.line, title="kdeprecate: not scanned"))
        return lines
