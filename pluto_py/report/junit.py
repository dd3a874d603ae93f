"""`-o junit`: JUnit XML for CI test reports (GitLab `artifacts:reports:junit`, Jenkins, Azure).

One ``<testsuite>`` per scanned file, one ``<testcase>`` per scanned **object** (so a clean object
is a passing test): a finding at or above ``--fail-on`` is a ``<failure>``, a finding below it
passes with the advice in ``<system-out>``, a suppressed finding is ``<skipped>``. A file that
could not be read is a test case with an ``<error>``; notices (stale suppressions) are test cases
that fail only when ``--fail-on deprecated``. Deterministic: no timestamps or durations.
Well-formed with any name: characters XML 1.0 cannot hold (control characters, lone surrogates) and
every other non-printable one are written as visible escapes (core/escape.py) before serialising.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pluto_py.core.escape import printable, printable_lines
from pluto_py.core.model import Finding, Notice, ScannedObject, ScanResult, object_key
from pluto_py.report import ReportContext, fails, notice_fails
from pluto_py.report.common import advice, message, notice_code, ordered, rule_id

_Case = tuple[ScannedObject | None, list[Finding]]


def _object_name(kind: str, name: str | None, namespace: str | None, api_version: str) -> str:
    ref = f"{kind}/{name or '<unnamed>'}"
    if namespace:
        ref += f" (namespace {namespace})"
    return f"{ref} {api_version}"


class JunitReporter:
    needs_objects = True

    def render(self, result: ScanResult, context: ReportContext) -> str:
        suites: dict[str, list[ET.Element]] = {}
        cases: dict[tuple[object, ...], _Case] = {}
        for scanned in result.objects:
            cases.setdefault(scanned.key, (scanned, []))
        for finding in ordered(result.findings):
            cases.setdefault(object_key(finding), (None, []))[1].append(finding)
        for key in sorted(cases, key=lambda k: tuple(str(part).zfill(9) if isinstance(part, int) else part
                                                    for part in k)):
            obj, findings = cases[key]
            path, line = str(key[0]), int(str(key[3]))
            suites.setdefault(path, []).append(self._case(path, line, obj, findings, context))
        for notice in result.notices:
            suites.setdefault(notice.path, []).append(self._notice_case(notice, context))
        for error in result.errors:
            case = ET.Element("testcase", {"classname": error.path, "name": "read and parse",
                                           "file": error.path})
            if error.line is not None:
                case.set("line", str(error.line))
            failure = ET.SubElement(case, "error", {"type": "scan-error", "message": error.message})
            failure.text = f"{error.path}{':' + str(error.line) if error.line else ''}: {error.message}"
            suites.setdefault(error.path, []).append(case)

        root = ET.Element("testsuites", {"name": "kdeprecate"})
        totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for path, testcases in suites.items():
            counts = {
                "tests": len(testcases),
                "failures": sum(c.find("failure") is not None for c in testcases),
                "errors": sum(c.find("error") is not None for c in testcases),
                "skipped": sum(c.find("skipped") is not None for c in testcases),
            }
            suite = ET.SubElement(root, "testsuite", {"name": path, **{k: str(v) for k, v in counts.items()}})
            suite.extend(testcases)
            for name, value in counts.items():
                totals[name] += value
        for name, value in totals.items():
            root.set(name, str(value))
        properties = ET.Element("properties")
        for component, version in result.targets.items():
            ET.SubElement(properties, "property", {"name": f"target.{component}", "value": version})
        ET.SubElement(properties, "property", {"name": "fail-on", "value": context.fail_on})
        for suite in root:
            suite.insert(0, _copy(properties))
        _make_printable(root)
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

    @staticmethod
    def _case(path: str, line: int, obj: ScannedObject | None, findings: list[Finding],
              context: ReportContext) -> ET.Element:
        if obj is not None:
            name = _object_name(obj.kind, obj.name, obj.namespace, obj.api_version)
        else:
            first = findings[0]
            name = _object_name(first.kind, first.name, first.namespace, first.api_version)
        where = f"line {line}"
        template = obj.template if obj is not None else findings[0].template
        if template:
            where += f", {template}"
        case = ET.Element("testcase", {"classname": path, "name": f"{name} ({where})", "file": path,
                                       "line": str(line)})
        failing = [f for f in findings if not f.suppressed and fails(f.status, context.fail_on)]
        passing = [f for f in findings if not f.suppressed and not fails(f.status, context.fail_on)]
        silenced = [f for f in findings if f.suppressed]
        if failing:
            first = failing[0]
            failure = ET.SubElement(case, "failure", {"type": rule_id(first), "message": message(first)})
            failure.text = "\n".join(f"{f.path}:{f.line}:{f.column}: {f.status}: {advice(f)}" for f in failing)
        elif silenced and not passing:
            reason = silenced[0].suppression_reason
            ET.SubElement(case, "skipped", {"message": "suppressed" + (f": {reason}" if reason else "")})
        if passing:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(f"{f.status} (below --fail-on {context.fail_on}): {message(f)}" for f in passing)
        return case

    @staticmethod
    def _notice_case(notice: Notice, context: ReportContext) -> ET.Element:
        case = ET.Element("testcase", {"classname": notice.path, "name": f"{notice_code(notice)} (line {notice.line})",
                                       "file": notice.path})
        if notice.line is not None:
            case.set("line", str(notice.line))
        if notice_fails(notice, context.fail_on):
            failure = ET.SubElement(case, "failure", {"type": notice_code(notice), "message": notice.message})
            failure.text = notice.message
        else:
            out = ET.SubElement(case, "system-out")
            out.text = f"{notice.level}: {notice.message}"
        return case


def _make_printable(root: ET.Element) -> None:
    """Every attribute and text of the tree without the characters XML 1.0 forbids or a viewer would
    act on; the line breaks of texts (several findings of one object) are kept."""
    for element in root.iter():
        for name, value in element.attrib.items():
            element.set(name, printable(value))
        if element.text:
            element.text = printable_lines(element.text)


def _copy(element: ET.Element) -> ET.Element:
    clone = ET.Element(element.tag, dict(element.attrib))
    clone.extend(_copy(child) for child in element)
    return clone
