"""`-o junit`: JUnit XML for CI test reports (GitLab `artifacts:reports:junit`, Jenkins, Azure).

One ``<testsuite>`` per scanned file, one ``<testcase>`` per scanned **object** (so a clean object
is a passing test): a finding at or above ``--fail-on`` is a ``<failure>``, a finding below it
passes with the advice in ``<system-out>``, a suppressed finding is ``<skipped>``. A file that
could not be read is a test case with an ``<error>``; notices (stale suppressions) are test cases
that fail only when ``--fail-on deprecated``. Deterministic: no timestamps or durations.

Valid against Jenkins' junit-10.xsd (xunit-plugin; tests/schemas/junit-10.xsd): ``<testsuites>``
carries only name/tests/failures/errors, a ``<testcase>`` only name/classname (the file is on its
``<testsuite>``, the line in its name). GitLab reads ``classname`` as the suite and the element text
of ``<failure>``/``<error>``/``<skipped>`` as the details, and keeps only the first of test cases
with the same classname and name: names are made unique within a file. Well-formed with any name:
characters XML 1.0 cannot hold (control characters, lone surrogates) and every other non-printable one
are written as visible escapes (core/escape.py) before serialising.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable

from pluto_py.core.escape import printable, printable_lines
from pluto_py.core.model import CLUSTER_PATH_PREFIX, Finding, Notice, ScannedObject, ScanResult, object_key
from pluto_py.report import ReportContext, fails, notice_fails
from pluto_py.report.common import message, notice_code, ordered, rule_id

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
        for key in sorted(cases, key=lambda k: tuple(str(part).zfill(9) if isinstance(part, int) else part or ""
                                                    for part in k)):
            obj, findings = cases[key]
            path, line = str(key[0]), key[3] if isinstance(key[3], int) else None
            suites.setdefault(path, []).append(self._case(path, line, obj, findings, context))
        for notice in result.notices:
            suites.setdefault(notice.path, []).append(self._notice_case(notice, context))
        for error in result.errors:
            where = f"{error.path}{':' + str(error.line) if error.line else ''}"
            name = "read and parse" + (f" (line {error.line})" if error.line else "")
            case = ET.Element("testcase", {"classname": error.path, "name": name})
            failure = ET.SubElement(case, "error", {"type": "scan-error", "message": error.message})
            failure.text = f"{where}: {error.message}"
            suites.setdefault(error.path, []).append(case)

        properties = [(f"target.{component}", version) for component, version in result.targets.items()]
        return junit_document("kdeprecate", suites.items(), [*properties, ("fail-on", context.fail_on)],
                              suite_file=_suite_file)

    @staticmethod
    def _case(path: str, line: int | None, obj: ScannedObject | None, findings: list[Finding],
              context: ReportContext) -> ET.Element:
        if obj is not None:
            name = _object_name(obj.kind, obj.name, obj.namespace, obj.api_version)
        else:
            first = findings[0]
            name = _object_name(first.kind, first.name, first.namespace, first.api_version)
        where = f"line {line}" if line is not None else ""  # a live cluster's objects have no line
        template = obj.template if obj is not None else findings[0].template
        if template:
            where += f", {template}" if where else template
        # junit-10.xsd (Jenkins) allows no file or line on a test case: its suite names the file.
        case = ET.Element("testcase", {"classname": path, "name": f"{name} ({where})" if where else name})
        failing = [f for f in findings if not f.suppressed and fails(f.status, context.fail_on)]
        passing = [f for f in findings if not f.suppressed and not fails(f.status, context.fail_on)]
        silenced = [f for f in findings if f.suppressed]
        if failing:
            first = failing[0]
            failure = ET.SubElement(case, "failure", {"type": rule_id(first), "message": message(first)})
            failure.text = "\n".join(
                f"{f.path if f.line is None else f'{f.path}:{f.line}:{f.column}'}: {f.status}: {message(f)}"
                for f in failing)
        elif silenced and not passing:
            reason = silenced[0].suppression_reason
            skipped = ET.SubElement(case, "skipped", {"message": "suppressed" + (f": {reason}" if reason else "")})
            skipped.text = skipped.get("message")  # GitLab shows the element's text as the reason
        if passing:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(f"{f.status} (below --fail-on {context.fail_on}): {message(f)}" for f in passing)
        return case

    @staticmethod
    def _notice_case(notice: Notice, context: ReportContext) -> ET.Element:
        where = f" (line {notice.line})" if notice.line is not None else ""  # e.g. a note about a whole log
        case = ET.Element("testcase", {"classname": notice.path, "name": f"{notice_code(notice)}{where}"})
        if notice_fails(notice, context.fail_on):
            failure = ET.SubElement(case, "failure", {"type": notice_code(notice), "message": notice.message})
            failure.text = notice.message
        else:
            out = ET.SubElement(case, "system-out")
            out.text = f"{notice.level}: {notice.message}"
        return case


def junit_document(name: str, suites: Iterable[tuple[str, list[ET.Element]]],
                   properties: Iterable[tuple[str, str]],
                   suite_file: Callable[[str], str | None] | None = None) -> str:
    """``<testsuites>`` with one ``<testsuite>`` per (name, test cases): ``properties`` first in each,
    counts of tests, failures, errors and skipped on each, totals (no skipped: Jenkins' junit-10 schema
    has none there) on the root, and ``file`` on a suite when ``suite_file`` names one. Test case names
    are made unique within a suite (GitLab keeps only the first of a name). Deterministic (no
    timestamps); scan, bluegreen and preflight all write this shape."""
    root = ET.Element("testsuites", {"name": name})
    shared = list(properties)
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite_name, cases in suites:
        _unique_names(cases)
        counts = {
            "tests": len(cases),
            "failures": sum(c.find("failure") is not None for c in cases),
            "errors": sum(c.find("error") is not None for c in cases),
        }
        skipped = sum(c.find("skipped") is not None for c in cases)
        suite = ET.SubElement(root, "testsuite", {"name": suite_name, **{k: str(v) for k, v in counts.items()},
                                                  "skipped": str(skipped)})
        file = suite_file(suite_name) if suite_file is not None else None
        if file is not None:
            suite.set("file", file)
        listed = ET.SubElement(suite, "properties")
        for key, value in shared:
            ET.SubElement(listed, "property", {"name": key, "value": value})
        suite.extend(cases)
        for key, count in counts.items():
            totals[key] += count
    for key, total in totals.items():
        root.set(key, str(total))
    _make_printable(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _make_printable(root: ET.Element) -> None:
    """Every attribute and text of the tree without the characters XML 1.0 forbids or a viewer would
    act on (core/escape.py); the line breaks of texts (several findings of one object) are kept."""
    for element in root.iter():
        for name, value in element.attrib.items():
            element.set(name, printable(value))
        if element.text:
            # (a CR of a CRLF too: XML parsers read it as a line break anyway, and a raw CR moves the cursor)
            element.text = printable_lines(element.text.replace("\r\n", "\n"))


def _suite_file(path: str) -> str | None:
    """A scan's suite is a file, but for stdin and a live cluster."""
    return None if path in ("", "-") or path.startswith(CLUSTER_PATH_PREFIX) else path


def _unique_names(testcases: list[ET.Element]) -> None:
    """GitLab keeps only the first test case of a (classname, name): number the repeats."""
    seen: dict[str, int] = {}
    for case in testcases:
        name = case.get("name", "")
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            case.set("name", f"{name} #{seen[name]}")
