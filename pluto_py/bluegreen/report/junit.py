"""`-o junit`: JUnit XML for CI test reports. One ``<testsuite>`` per check, in install order; a blocker is a
``<failure>``, a warning passes with its text in ``<system-out>``, a check with nothing to report is one
passing case, a check that could not run is ``<skipped>``; inputs not read are ``<error>`` cases of an
``inputs`` suite. Deterministic (no timestamps)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from pluto_py.bluegreen.checks import CHECKS
from pluto_py.bluegreen.model import BLOCKER, CheckResult
from pluto_py.core.rules import rule
from pluto_py.report.escape import printable
from pluto_py.report.junit import junit_document

if TYPE_CHECKING:
    from pluto_py.bluegreen import Readiness


def _case(check_id: str, result: CheckResult) -> ET.Element:
    case = ET.Element("testcase", {"classname": check_id, "name": printable(str(result.object))})
    if result.where is not None:
        case.set("file", printable(result.where.path))
        if result.where.line is not None:
            case.set("line", str(result.where.line))
    text = f"{printable(result.message)}\nWhat to do: {printable(result.fix)}"
    if result.severity == BLOCKER:
        failure = ET.SubElement(case, "failure", {"type": rule(check_id).code, "message": printable(result.message)})
        failure.text = text
    else:
        ET.SubElement(case, "system-out").text = f"warning: {text}"
    return case


def render(readiness: Readiness, tool_version: str, color: bool = False) -> str:
    skipped = {entry.id: entry.reason for entry in readiness.not_checked}
    suites: list[tuple[str, list[ET.Element]]] = []
    for check in CHECKS:
        if check.id in skipped:
            case = ET.Element("testcase", {"classname": check.id, "name": check.summary})
            ET.SubElement(case, "skipped", {"message": skipped[check.id]})
            suites.append((check.id, [case]))
            continue
        cases = [_case(check.id, r) for r in readiness.results if r.id == check.id]
        suites.append((check.id, cases or [ET.Element("testcase", {"classname": check.id, "name": "no problems"})]))
    if readiness.errors:
        errors = []
        for error in readiness.errors:
            case = ET.Element("testcase", {"classname": "inputs", "name": f"read {printable(error.path)}",
                                           "file": printable(error.path)})
            ET.SubElement(case, "error", {"type": "input-error", "message": printable(error.message)}).text = printable(
                f"{error.path}{':' + str(error.line) if error.line else ''}: {error.message}")
            errors.append(case)
        suites.append(("inputs", errors))
    properties = [(f"{side}.version", str(view.version) if view.version else "unknown")
                  for side, view in (("blue", readiness.blue), ("green", readiness.green))]
    return junit_document("kdeprecate bluegreen", suites, properties)
