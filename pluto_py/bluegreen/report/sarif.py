"""`-o sarif`: SARIF 2.1.0, the shape of the scan's report (pluto_py/report/sarif.py): one rule per check
(help and helpUri from the rule registry, core/rules.py), one result per problem (error for a blocker,
warning for a warning) located in the input it was read from, relative to the repository root as the
scan's are (report/locations.py); inputs not read are tool execution notifications, checks not run are
notes. Deterministic."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pluto_py.bluegreen.checks import CHECK_IDS, CHECKS
from pluto_py.bluegreen.model import BLOCKER, CheckResult
from pluto_py.core.rules import rule
from pluto_py.report.sarif import fingerprint, invocation, result_location, rule_descriptor, sarif_log

if TYPE_CHECKING:
    from pluto_py.bluegreen import Readiness


def _level(severity: str) -> str:
    return "error" if severity == BLOCKER else "warning"


def _result(result: CheckResult, root: str) -> dict[str, Any]:
    ref, where = result.object, result.where
    location = (result_location(where.path, where.source, where.line, None, root) if where is not None
                else {"logicalLocations": [{"name": str(ref), "kind": "resource"}]})
    return {
        "ruleId": result.id,
        "ruleIndex": CHECK_IDS.index(result.id),
        "level": _level(result.severity),
        "message": {"text": f"{result.message}. What to do: {result.fix}"},
        "locations": [location],
        "partialFingerprints": {"kdeprecate-bluegreen/v1": fingerprint(
            result.id, ref.api_version, ref.kind, ref.namespace, ref.name)},
        "properties": {"apiVersion": ref.api_version, "kind": ref.kind, "name": ref.name,
                       "namespace": ref.namespace, "severity": result.severity, "side": result.side,
                       "fix": result.fix},
    }


def render(readiness: Readiness, tool_version: str, color: bool = False) -> str:
    from pluto_py.report.locations import find_source_root

    root = find_source_root()
    rules = [rule_descriptor(rule(check.id), ("kubernetes", "blue-green")) for check in CHECKS]
    invoked = invocation(readiness.errors, [f"{entry.id} not checked: {entry.reason}"
                                            for entry in readiness.not_checked], root=root)
    properties = {"blue": str(readiness.blue.version) if readiness.blue.version else None,
                  "green": str(readiness.green.version) if readiness.green.version else None}
    log = sarif_log(tool_version, rules, [_result(result, root) for result in readiness.results], invoked,
                    properties, root)
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
