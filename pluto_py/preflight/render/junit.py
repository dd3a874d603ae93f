"""`-o junit`: JUnit XML for CI test reports. One test suite per owner (namespace), one test case per
check: a failure when it fails the run (active, outside the baseline, at or above --fail-on),
skipped when waived, passing with its message otherwise. Unreadable inputs are error cases."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pluto_py.preflight.model import Check
from pluto_py.preflight.render import printable
from pluto_py.preflight.run import PreflightReport, group_by_owner


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
        failure = ET.SubElement(case, "failure", {"type": check.id, "message": printable(check.message)})
        failure.text = printable(f"{check.severity}: {check.message}") + "\n" + printable(f"fix: {check.fix}")
    else:
        out = ET.SubElement(case, "system-out")
        baseline = " (in baseline)" if check.in_baseline else ""
        out.text = printable(f"{check.severity}{baseline}: {check.message}") + "\n" + printable(f"fix: {check.fix}")
    return case


def render(report: PreflightReport, tool_version: str, fail_on: str) -> str:
    failing = {c.fingerprint for c in report.failing(fail_on)}
    root = ET.Element("testsuites", {"name": f"kdeprecate preflight {report.target}"})
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
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for name, cases in suites:
        counts: dict[str, int] = {"tests": len(cases),
                                  "failures": sum(c.find("failure") is not None for c in cases),
                                  "errors": sum(c.find("error") is not None for c in cases),
                                  "skipped": sum(c.find("skipped") is not None for c in cases)}
        suite = ET.SubElement(root, "testsuite", {"name": name, **{k: str(v) for k, v in counts.items()}})
        properties = ET.SubElement(suite, "properties")
        for prop, text in (("target", str(report.target)), ("from", str(report.from_version or "")),
                           ("verdict", report.verdict), ("fail-on", fail_on), ("tool-version", tool_version)):
            ET.SubElement(properties, "property", {"name": prop, "value": text})
        suite.extend(cases)
        for key, count in counts.items():
            totals[key] += count
    for key, total in totals.items():
        root.set(key, str(total))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
