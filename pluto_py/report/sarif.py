"""`-o sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps, IDE viewers).

One rule per registered code (core/rules.py: ``removed-api``, ``deprecated-api``, every notice
code), each with help text, a helpUri into docs/rules.md, ``precision`` and ``problem.severity``.
Results carry a physical location: the file relative to ``%SRCROOT%``, the repository root
(report/locations.py: ``$GITHUB_WORKSPACE``, ``$CI_PROJECT_DIR``, or git's top level, so a scan
run from a subdirectory still points at the right files), and the region of the apiVersion value
(start and end line and column). Findings in chart templates point at the template file. A file
outside the root is an absolute ``file://`` URI. Findings read from stdin (or a cluster) have no
file: their location is the artifact ``stdin`` (resp. the cluster's name) with a logical location
beside it, since GitHub rejects results without a physical location. Findings at or above
``--fail-on`` are ``error``, others ``warning``; suppressed findings keep their result with an
``inSource`` suppression (GitHub hides them). Warnings about the user's setup (stale suppressions) are
results; files that could not be read (with ``executionSuccessful: false``) and notes about the scan
(``not-a-manifest``, ``chart-template``, ...) are tool execution notifications, which raise no alert.
Output is deterministic (no timestamps). `kdeprecate bluegreen -o sarif` builds its log from the
public helpers here (``rule_descriptor``, ``result_location``, ``fingerprint``, ``uri_base``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from pluto_py.core.escape import file_name_bytes, json_text
from pluto_py.core.model import (
    NOTICE_WARNING,
    SOURCE_AUDIT_LOG,
    SOURCE_HELM_RELEASE,
    SOURCE_LAST_APPLIED,
    SOURCE_METRICS,
    Finding,
    Notice,
    ScanError,
    ScanResult,
)
from pluto_py.core.rules import LEVEL_ERROR, LEVEL_WARNING, RULES, Rule
from pluto_py.report import ReportContext, fails
from pluto_py.report.common import has_file, message, notice_code, ordered, rule_id
from pluto_py.report.locations import root_relative

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/kdeprecate/"
SRCROOT = "%SRCROOT%"
STDIN_ARTIFACT = "stdin"
# GitHub's rule properties: how often a result is right, and how bad it is (security-severity is
# for security rules only). Findings come from the table's facts; notices about comments are exact too.
PRECISION = "very-high"
PROBLEM_SEVERITY = {LEVEL_ERROR: "error", LEVEL_WARNING: "warning"}  # anything else: "recommendation"
# Findings whose line and column are not the apiVersion value (an annotation, a release's Secret, a
# line of a log): their region is not given an end.
NOT_AT_API_VERSION = frozenset({SOURCE_LAST_APPLIED, SOURCE_HELM_RELEASE, SOURCE_AUDIT_LOG, SOURCE_METRICS})


def artifact_uri(path: str, root: str | None = None) -> tuple[str, str | None]:
    """(uri, uriBaseId) for a displayed path: relative to %SRCROOT% (the repository root, or the
    working directory when ``root`` is None) when inside it, else an absolute file URI."""
    relative = root_relative(path, root)
    if relative is not None:
        return quote(file_name_bytes(relative), safe="/"), SRCROOT  # a name's bytes, UTF-8 or not
    absolute = os.path.abspath(path) if root is not None else path
    posix = absolute.replace("\\", "/")
    if not (PurePosixPath(posix).is_absolute() or PureWindowsPath(absolute).is_absolute()):
        posix = os.path.abspath(posix).replace("\\", "/")
    drive_path = posix if posix.startswith("/") else "/" + posix
    return "file://" + quote(file_name_bytes(drive_path), safe="/:"), None


def root_uri(root: str) -> str:
    """%SRCROOT% as SARIF wants it: an absolute URI ending with a slash."""
    return Path(root).as_uri().rstrip("/") + "/"


def uri_base(root: str | None) -> dict[str, Any]:
    """The %SRCROOT% entry of ``originalUriBaseIds``: the repository root, when known."""
    base: dict[str, Any] = {"description": {"text": "The root of the repository (or the directory kdeprecate "
                                                    "was run in, outside a repository)."}}
    if root is not None:
        base["uri"] = root_uri(root)
    return base


def result_location(path: str, source: str, line: int | None, column: int | None, root: str | None = None,
                    length: int | None = None) -> dict[str, Any]:
    """A result's location: the file (relative to %SRCROOT%, the repository ``root`` or, without one,
    the working directory), and the region from ``line``/``column`` (``length`` characters long); an
    artifact named after stdin or the cluster, with a logical location, when there is no file."""
    if not has_file(path, source):
        # No file to point at (stdin, a live cluster); GitHub needs a physical location anyway.
        name = STDIN_ARTIFACT if path in ("", "-") else path
        physical: dict[str, Any] = {"artifactLocation": {
            "uri": quote(file_name_bytes(name), safe="/"),
            "description": {"text": "standard input" if name == STDIN_ARTIFACT else f"not a file: {name}"}}}
        if line is not None and line >= 1:
            physical["region"] = _region(line, column, length)
        return {"physicalLocation": physical, "logicalLocations": [{"name": name, "kind": "resource"}]}
    uri, base = artifact_uri(path, root)
    artifact: dict[str, Any] = {"uri": uri}
    if base:
        artifact["uriBaseId"] = base
    physical = {"artifactLocation": artifact}
    if line is not None and line >= 1:  # objects of a live cluster have no line
        physical["region"] = _region(line, column, length)
    return {"physicalLocation": physical}


def _region(line: int, column: int | None, length: int | None) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": line}
    if column is not None and column >= 1:
        region["startColumn"] = column
        if length:
            # The apiVersion value: endColumn is the column after its last character (SARIF 3.30.8).
            region["endLine"] = line
            region["endColumn"] = column + length
    return region


def rule_descriptor(registered: Rule, tags: Sequence[str] = ("kubernetes", "deprecation")) -> dict[str, Any]:
    """A registered rule (core/rules.py) as SARIF describes it, with its help and helpUri."""
    return {
        "id": registered.code,
        "name": registered.name,
        "shortDescription": {"text": registered.short},
        "fullDescription": {"text": registered.short},
        "help": {"text": registered.help, "markdown": registered.help},
        "helpUri": registered.help_uri,
        "defaultConfiguration": {"level": registered.level},
        "properties": {
            "tags": list(tags),
            "precision": PRECISION,
            "problem.severity": PROBLEM_SEVERITY.get(registered.level, "recommendation"),
        },
    }


def invocation(errors: Iterable[ScanError], notes: Iterable[str] = (), root: str | None = None,
               notices: Iterable[Notice] = ()) -> dict[str, Any]:
    """The run's invocation: successful unless inputs could not be read; those, ``notes`` and
    ``notices`` (remarks about the run, not results) as tool execution notifications."""
    failed = list(errors)
    notifications: list[dict[str, Any]] = [
        {"level": "error", "message": {"text": error.message},
         "locations": [result_location(error.path, "file", error.line, None, root)]} for error in failed]
    notifications += [{"level": "note", "message": {"text": note}} for note in notes]
    notifications += [
        {"level": "note", "message": {"text": notice.message}, "descriptor": {"id": notice_code(notice)},
         "locations": [result_location(notice.path, "file", notice.line, notice.column, root)]}
        for notice in notices]
    record: dict[str, Any] = {"executionSuccessful": not failed}
    if notifications:
        record["toolExecutionNotifications"] = notifications
    return record


def sarif_log(tool_version: str, rules: list[dict[str, Any]], results: list[dict[str, Any]],
              invoked: dict[str, Any], properties: dict[str, Any], root: str | None = None) -> dict[str, Any]:
    """A SARIF log of one kdeprecate run (scan, bluegreen and preflight all write this shape)."""
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "kdeprecate",
            "version": tool_version,
            "semanticVersion": tool_version,
            "informationUri": INFORMATION_URI,
            "rules": rules,
        }},
        "invocations": [invoked],
        "originalUriBaseIds": {SRCROOT: uri_base(root)},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": properties,
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def fingerprint(*parts: object) -> str:
    """A stable partialFingerprints value: code scanning matches results across runs by it."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


class SarifReporter:
    needs_source_root = True

    def render(self, result: ScanResult, context: ReportContext) -> str:
        return json_text(json.dumps(self.log(result, context), indent=2, ensure_ascii=False)) + "\n"

    def log(self, result: ScanResult, context: ReportContext) -> dict[str, Any]:
        rule_ids = list(RULES)
        rules = [rule_descriptor(registered) for registered in RULES.values()]
        root = context.source_root
        results = [self._finding_result(f, rule_ids, context) for f in ordered(result.findings)]
        # Warnings about the user's setup (a stale suppression) are results; remarks about the scan itself
        # (a file that is no manifest, a chart template rendered through its chart) are notifications,
        # which code scanning does not turn into alerts.
        results += [self._notice_result(n, rule_ids, root) for n in result.notices if n.level == NOTICE_WARNING]
        invoked = invocation(result.errors, root=root,
                             notices=[n for n in result.notices if n.level != NOTICE_WARNING])
        return sarif_log(context.tool_version, rules, results, invoked,
                         {"targets": dict(result.targets), "failOn": context.fail_on}, root)

    @staticmethod
    def _finding_result(finding: Finding, rule_ids: list[str], context: ReportContext) -> dict[str, Any]:
        rid = rule_id(finding)
        length = None if finding.source in NOT_AT_API_VERSION else len(finding.api_version)
        location = result_location(finding.path, finding.source, finding.line, finding.column, context.source_root,
                                   length)
        artifact = location["physicalLocation"]["artifactLocation"]["uri"]
        record: dict[str, Any] = {
            "ruleId": rid,
            "ruleIndex": rule_ids.index(rid),
            "level": "error" if fails(finding.status, context.fail_on) else "warning",
            "message": {"text": message(finding)},
            "locations": [location],
            "partialFingerprints": {"kdeprecate/v1": fingerprint(
                artifact, finding.document, finding.api_version, finding.kind, finding.name, finding.namespace)},
            "properties": {
                "apiVersion": finding.api_version, "kind": finding.kind, "name": finding.name,
                "namespace": finding.namespace, "status": finding.status, "component": finding.component,
                "target": finding.target, "deprecatedIn": finding.deprecated_in, "removedIn": finding.removed_in,
                "replacement": finding.replacement, "replacementAvailableIn": finding.replacement_available_in,
                "fixable": finding.fixable, "document": finding.document, "source": finding.source,
                "template": finding.template,
            },
        }
        if finding.suppressed:
            suppression: dict[str, Any] = {"kind": "inSource", "status": "accepted"}
            if finding.suppression_reason:
                suppression["justification"] = finding.suppression_reason
            record["suppressions"] = [suppression]
        return record

    @staticmethod
    def _notice_result(notice: Notice, rule_ids: list[str], root: str | None) -> dict[str, Any]:
        rid = notice_code(notice)
        return {
            "ruleId": rid,
            "ruleIndex": rule_ids.index(rid),
            "level": "warning",
            "message": {"text": notice.message},
            "locations": [result_location(notice.path, "file", notice.line, notice.column, root)],
        }
