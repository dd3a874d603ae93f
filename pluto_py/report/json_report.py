"""`-o json`: the machine contract of design.md, schema_version 1 (docs/report.schema.json).

New keys may be added, existing keys keep their meaning: ``notices`` (unused or unreadable
suppression comments, chart templates scanned through their chart) was added beside ``errors``;
``shard`` (``{"index": I, "count": N}``) is present in the reports of ``scan --shard I/N``.
"""

from __future__ import annotations

import json
from typing import Any

from pluto_py.core.escape import json_text
from pluto_py.core.model import ScanResult
from pluto_py.report import ReportContext

SCHEMA_VERSION = 1


def report_dict(result: ScanResult, context: ReportContext) -> dict[str, Any]:
    report = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "kdeprecate", "version": context.tool_version},
        "targets": dict(result.targets),
        "findings": [finding.to_dict() for finding in result.findings],
        "errors": [error.to_dict() for error in result.errors],
        "notices": [notice.to_dict() for notice in result.notices],
        "summary": result.summary.to_dict(),
    }
    if result.shard is not None:  # `scan --shard I/N`: merge-reports checks that each shard comes once
        report["shard"] = {"index": result.shard[0], "count": result.shard[1]}
    return report


class JsonReporter:
    def render(self, result: ScanResult, context: ReportContext) -> str:
        # json_text: lone surrogates (file names that are not UTF-8) and non-printable characters as
        # \u escapes, so the report is printable and encodable and still decodes to the same values.
        return json_text(json.dumps(report_dict(result, context), indent=2, ensure_ascii=False)) + "\n"
