"""`-o json`: the preflight report's JSON contract (schema_version 1)."""

from __future__ import annotations

import json

from pluto_py.preflight.run import PreflightReport, report_document


def render(report: PreflightReport, tool_version: str, fail_on: str) -> str:
    document = report_document(report, tool_version)
    document["fail_on"] = fail_on
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
