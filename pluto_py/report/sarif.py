"""`-o sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps, IDE viewers).

One rule per registered code (core/rules.py: ``removed-api``, ``deprecated-api``, every notice
code), each with help text and a helpUri into docs/rules.md. Results carry a physical location
(file relative to ``%SRCROOT%``, line, column of the apiVersion value); findings in chart templates
point at the template file. Findings at or above ``--fail-on`` are ``error``, others ``warning``;
suppressed findings keep their result with an ``inSource`` suppression (GitHub hides them). Files
that could not be read are tool execution notifications, with ``executionSuccessful: false``.
Output is deterministic (no timestamps).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from pluto_py.core.escape import file_name_bytes, json_text
from pluto_py.core.model import NOTICE_WARNING, Finding, Notice, ScanResult
from pluto_py.core.rules import RULES
from pluto_py.report import ReportContext, fails
from pluto_py.report.common import file_of, has_file, message, notice_code, ordered, rule_id

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/kdeprecate/"
SRCROOT = "%SRCROOT%"


def artifact_uri(path: str) -> tuple[str, str | None]:
    """(uri, uriBaseId) for a displayed path: relative paths against %SRCROOT%, absolute ones as file URIs."""
    posix = path.replace("\\", "/")
    if PurePosixPath(posix).is_absolute() or PureWindowsPath(path).is_absolute():
        drive_path = posix if posix.startswith("/") else "/" + posix
        return "file://" + quote(file_name_bytes(drive_path), safe="/:"), None
    while posix.startswith("./"):
        posix = posix[2:]
    return quote(file_name_bytes(posix), safe="/"), SRCROOT  # a name's bytes, UTF-8 or not


def _location(path: str, source: str, line: int | None, column: int | None) -> dict[str, Any]:
    if not has_file(path, source):
        return {"logicalLocations": [{"name": "stdin" if path in ("", "-") else path, "kind": "resource"}]}
    uri, base = artifact_uri(path)
    artifact: dict[str, Any] = {"uri": uri}
    if base:
        artifact["uriBaseId"] = base
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if line is not None and line >= 1:
        region: dict[str, Any] = {"startLine": line}
        if column is not None and column >= 1:
            region["startColumn"] = column
        physical["region"] = region
    return {"physicalLocation": physical}


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


class SarifReporter:
    def render(self, result: ScanResult, context: ReportContext) -> str:
        return json_text(json.dumps(self.log(result, context), indent=2, ensure_ascii=False)) + "\n"

    def log(self, result: ScanResult, context: ReportContext) -> dict[str, Any]:
        rule_ids = list(RULES)
        rules = []
        for registered in RULES.values():
            rules.append({
                "id": registered.code,
                "name": registered.name,
                "shortDescription": {"text": registered.short},
                "fullDescription": {"text": registered.short},
                "help": {"text": registered.help, "markdown": registered.help},
                "helpUri": registered.help_uri,
                "defaultConfiguration": {"level": registered.level},
                "properties": {"tags": ["kubernetes", "deprecation"]},
            })
        results = [self._finding_result(f, rule_ids, context) for f in ordered(result.findings)]
        results += [self._notice_result(n, rule_ids) for n in result.notices]
        invocation: dict[str, Any] = {"executionSuccessful": not result.errors}
        if result.errors:
            invocation["toolExecutionNotifications"] = [
                {"level": "error", "message": {"text": error.message},
                 "locations": [_location(error.path, "file", error.line, None)]}
                for error in result.errors
            ]
        run: dict[str, Any] = {
            "tool": {"driver": {
                "name": "kdeprecate",
                "version": context.tool_version,
                "semanticVersion": context.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "invocations": [invocation],
            "originalUriBaseIds": {SRCROOT: {"description": {"text": "The directory kdeprecate was run in."}}},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {"targets": dict(result.targets), "failOn": context.fail_on},
        }
        return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}

    @staticmethod
    def _finding_result(finding: Finding, rule_ids: list[str], context: ReportContext) -> dict[str, Any]:
        rid = rule_id(finding)
        path = file_of(finding)
        record: dict[str, Any] = {
            "ruleId": rid,
            "ruleIndex": rule_ids.index(rid),
            "level": "error" if fails(finding.status, context.fail_on) else "warning",
            "message": {"text": message(finding)},
            "locations": [_location(path, finding.source, finding.line, finding.column)],
            "partialFingerprints": {"kdeprecate/v1": _fingerprint(
                path, finding.document, finding.api_version, finding.kind, finding.name, finding.namespace)},
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
    def _notice_result(notice: Notice, rule_ids: list[str]) -> dict[str, Any]:
        rid = notice_code(notice)
        return {
            "ruleId": rid,
            "ruleIndex": rule_ids.index(rid),
            "level": "warning" if notice.level == NOTICE_WARNING else "note",
            "message": {"text": notice.message},
            "locations": [_location(notice.path, "file", notice.line, notice.column)],
        }
