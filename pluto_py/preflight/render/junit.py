"""`-o junit`: JUnit XML for CI test reports. One test suite per owner (namespace), one test case per
check: a failure when it fails the run (active, outside the baseline, at or above --fail-on; its type
the check's code in the rule registry, core/rules.py), skipped when waived, passing with its message
otherwise. Unreadable inputs are error cases."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pluto_py.core.rules import rule
from pluto_py.preflight.model import Check
from pluto_py.preflight.run import PreflightReport, group_by_owner
from pluto_py.report.escape import printable
from pluto_py.report.junit import junit_document


def _case(check: Check, failing: set[str]) -> ET.Element:
    # XML 1.0 cannot hold control characters: input text is shown escaped (as on a terminal).
    case = ET.Element("testcase", {"classname": check.id, "name": printable(check.object.ref)})
    if check.object.path:
        case.set("file", printable(check.object.path))
        if check.object.line:
            case.set("line", str(check.object.line))
    if check.waived_by is not None:
        ET.SubElement(case, "skipped", {"message": printable(f"waived by {check.waived_by.owner} until "
                                                             f"{check.waived_by.expires}: {check.waived_by.reason}")})
    elif check.fingerprint in failing:
        failure = ET.SubElement(case, "failure", {"type": rule(check.id).code, "message": printable(check.message)})
        failure.text = printable(f"{check.severity}: {check.message}") + "\n" + printable(f"fix: {check.fix}")
    else:
        out = ET.SubElement(case, "system-out")
        baseline = " (in baseline)" if check.in_baseline else ""
        out.text = printable(f"{check.severity}{baseline}: {check.message}") + "\n" + printable(f"fix: {check.fix}")
    return case


def render(report: PreflightReport, tool_version: str, fail_on: str) -> str:
    failing = {c.fingerprint for c in report.failing(fail_on)}
    suites: list[tuple[str, list[ET.Element]]] = [
        (f"namespace {owner}" if owner else "cluster", [_case(c, failing) for c in checks])
        for owner, checks in group_by_owner(report.checks).items()]
    if report.errors:
        cases = []
        for error in report.errors:
            case = ET.Element("testcase", {"classname": "input", "name": printable(error.path)})
            ET.SubElement(case, "error", {"type": "input-error", "message": printable(error.message)}).text = (
                printable(f"{error.path}{':' + str(error.line) if error.line else ''}: {error.message}"))
            cases.append(case)
        suites.append(("inputs", cases))
    properties = [("target", str(report.target)), ("from", str(report.from_version or "")),
                  ("verdict", report.verdict), ("fail-on", fail_on), ("tool-version", tool_version)]
    return junit_document(f"kdeprecate preflight {report.target}", suites, properties)
