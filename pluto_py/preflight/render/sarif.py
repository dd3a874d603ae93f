"""`-o sarif`: SARIF 2.1.0 for code scanning. One rule per registered check id; blockers are errors,
warnings warnings, info notes. Waived checks carry an external suppression with the waiver's
reason; with --baseline, results say whether they are new or were in the baseline."""

from __future__ import annotations

import json
from typing import Any

from pluto_py.preflight.model import Check
from pluto_py.preflight.registry import RULES
from pluto_py.preflight.run import PreflightReport
from pluto_py.report.sarif import INFORMATION_URI, SARIF_SCHEMA, SRCROOT, artifact_uri

LEVELS = {"blocker": "error", "warning": "warning", "info": "note"}


def _location(check: Check) -> dict[str, Any]:
    path = check.object.path
    if not path or path in ("-", "") or path.startswith("cluster:"):
        return {"logicalLocations": [{"name": check.object.ref, "kind": "resource"}]}
    uri, base = artifact_uri(path)
    artifact: dict[str, Any] = {"uri": uri}
    if base:
        artifact["uriBaseId"] = base
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if check.object.line:
        physical["region"] = {"startLine": check.object.line}
    return {"physicalLocation": physical,
            "logicalLocations": [{"name": check.object.ref, "kind": "resource"}]}


def _result(check: Check, index: dict[str, int], baseline_used: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": check.id,
        "ruleIndex": index.get(check.id, -1),
        "level": LEVELS.get(check.severity, "note"),
        "message": {"text": f"{check.message}. Fix: {check.fix}"},
        "locations": [_location(check)],
        "partialFingerprints": {"kdeprecatePreflight/v1": check.fingerprint},
        "properties": {"severity": check.severity, "object": check.object.to_dict(), "evidence": dict(check.evidence)},
    }
    if baseline_used:
        result["baselineState"] = "unchanged" if check.in_baseline else "new"
    if check.waived_by is not None:
        result["suppressions"] = [{"kind": "external", "status": "accepted",
                                   "justification": f"{check.waived_by.reason} (owner {check.waived_by.owner}, "
                                                    f"until {check.waived_by.expires})"}]
    return result


def render(report: PreflightReport, tool_version: str, fail_on: str) -> str:
    index = {rule.id: i for i, rule in enumerate(RULES)}
    rules = [{
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.title},
        "help": {"text": rule.help, "markdown": rule.help},
        "defaultConfiguration": {"level": LEVELS.get(rule.severity, "note")},
        "properties": {"tags": ["kubernetes", "upgrade", "preflight"]},
    } for rule in RULES]
    invocation: dict[str, Any] = {"executionSuccessful": not report.errors}
    if report.errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": f"{e.path}{':' + str(e.line) if e.line else ''}: {e.message}"}}
            for e in report.errors]
    run = {
        "tool": {"driver": {"name": "kdeprecate", "version": tool_version, "semanticVersion": tool_version,
                            "informationUri": INFORMATION_URI, "rules": rules}},
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "The directory kdeprecate was run in."}}},
        "results": [_result(c, index, report.baseline_used) for c in report.checks],
        "properties": {"target": str(report.target), "from": str(report.from_version) if report.from_version else None,
                       "verdict": report.verdict, "failOn": fail_on},
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2, ensure_ascii=False) + "\n"
