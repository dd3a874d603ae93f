"""`-o sarif`: SARIF 2.1.0 for code scanning, in the shape of the scan's report (pluto_py/report/sarif.py).

One rule per registered check id (help and helpUri from the rule registry, core/rules.py); blockers
are errors, warnings warnings, info notes. Waived checks carry an external suppression with the
waiver's reason; with --baseline, results say whether they are new or were in the baseline.
"""

from __future__ import annotations

import json
from typing import Any

from pluto_py.core.model import SOURCE_FILE
from pluto_py.preflight.model import BLOCKER, INFO, WARNING, Check
from pluto_py.preflight.registry import RULES
from pluto_py.preflight.run import PreflightReport
from pluto_py.report.sarif import invocation, result_location, rule_descriptor, sarif_log

LEVELS = {BLOCKER: "error", WARNING: "warning", INFO: "note"}
TAGS = ("kubernetes", "upgrade", "preflight")


def _location(check: Check, root: str | None) -> dict[str, Any]:
    """The file and line it was read at (none for stdin or a live cluster), and the object itself."""
    location = (result_location(check.object.path, SOURCE_FILE, check.object.line, None, root)
                if check.object.path else {})
    location.setdefault("logicalLocations", []).append({"name": check.object.ref, "kind": "resource"})
    return location


def _result(check: Check, index: dict[str, int], baseline_used: bool, root: str | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": check.id,
        "ruleIndex": index[check.id],
        "level": LEVELS.get(check.severity, "note"),
        "message": {"text": f"{check.message}. Fix: {check.fix}"},
        "locations": [_location(check, root)],
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
    from pluto_py.report.locations import find_source_root

    root = find_source_root()  # paths relative to the repository root, as the scan's SARIF
    index = {rule.id: i for i, rule in enumerate(RULES)}
    rules = [rule_descriptor(rule.registered, TAGS) for rule in RULES]
    results = [_result(c, index, report.baseline_used, root) for c in report.checks]
    properties = {"target": str(report.target), "from": str(report.from_version) if report.from_version else None,
                  "verdict": report.verdict, "failOn": fail_on}
    log = sarif_log(tool_version, rules, results, invocation(report.errors, root=root), properties, root)
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
