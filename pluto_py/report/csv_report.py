"""`-o csv`: one row per finding (suppressed ones included, flagged), RFC 4180, with a header row.

Columns are the JSON report's finding fields in the same order; ``context`` is JSON text.
Read errors and notices are not rows: they go to stderr / the other formats.
Cells are made safe for spreadsheets: control characters as visible escapes (core/escape.py), and a
cell that starts with ``=``, ``+``, ``-`` or ``@`` (a formula to a spreadsheet) gets a leading ``'``.
"""

from __future__ import annotations

import csv
import io
import json

from pluto_py.core.escape import printable
from pluto_py.core.model import ScanResult
from pluto_py.report import ReportContext
from pluto_py.report.common import ordered

COLUMNS = ("path", "line", "column", "document", "source", "template", "api_version", "kind", "name", "namespace",
           "status", "deprecated_in", "removed_in", "replacement", "replacement_available_in", "component",
           "fixable", "target", "notes", "replacement_available_at_from", "interim_replacement", "interim_available_in",
           "from_version", "suppressed",
           "suppression_reason", "context")


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return printable(json.dumps(value, sort_keys=True, ensure_ascii=False)) if value else ""
    text = printable(str(value))
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class CsvReporter:
    def render(self, result: ScanResult, context: ReportContext) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        for finding in ordered(result.findings):
            record = finding.to_dict()
            writer.writerow([_cell(record.get(column)) for column in COLUMNS])
        return buffer.getvalue()
