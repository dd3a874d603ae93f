"""`-o csv`: one row per finding (suppressed ones included, flagged), RFC 4180, with a header row.

Columns are the JSON report's finding fields in the same order; ``context`` is JSON text.
Read errors and notices are not rows: they go to stderr / the other formats.
"""

from __future__ import annotations

import csv
import io
import json

from pluto_py.core.model import ScanResult
from pluto_py.report import ReportContext
from pluto_py.report.common import ordered

COLUMNS = ("path", "line", "column", "document", "source", "template", "api_version", "kind", "name", "namespace",
           "status", "deprecated_in", "removed_in", "replacement", "replacement_available_in", "component",
           "fixable", "target", "notes", "replacement_available_at_from", "interim_replacement", "interim_available_in",
           "from_version", "suppressed",
           "suppression_reason", "context")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False) if value else ""
    return str(value)


class CsvReporter:
    def render(self, result: ScanResult, context: ReportContext) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        for finding in ordered(result.findings):
            record = finding.to_dict()
            writer.writerow([_cell(record.get(column)) for column in COLUMNS])
        return buffer.getvalue()
