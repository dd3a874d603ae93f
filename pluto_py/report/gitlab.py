"""`-o gitlab`: a GitLab Code Quality report (``artifacts:reports:codequality``).

GitLab's format is a JSON array of issues: ``description``, ``check_name`` (the rule code,
core/rules.py), ``fingerprint``, ``severity`` (``info``, ``minor``, ``major``, ``critical``,
``blocker``) and ``location`` (``path`` relative to the repository root, report/locations.py, and
``lines.begin``). GitLab shows one issue per fingerprint, so fingerprints are unique; they do not
depend on the line, so an issue keeps its identity when lines above it move.

Severity: a removed API is ``critical`` (applying the manifest fails), another finding at or above
``--fail-on`` is ``major``, one below it ``minor``; warnings about the setup (a stale suppression) are
``minor``; notes about the scan (a file that is no manifest) are not issues and are left out.
Suppressed findings are left out (GitLab has no notion of a suppressed issue), as are files that
could not be read: they are errors on stderr and make the scan exit 2.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pluto_py.core.escape import json_text
from pluto_py.core.model import NOTICE_WARNING, STATUS_REMOVED, Finding, ScanResult
from pluto_py.report import ReportContext, fails
from pluto_py.report.common import active, has_file, message, notice_code, rule_id
from pluto_py.report.locations import root_relative

STDIN_PATH = "stdin"


def _path(path: str, source: str, root: str | None) -> str:
    if not has_file(path, source):
        return STDIN_PATH if path in ("", "-") else path
    return root_relative(path, root) or path


def _severity(finding: Finding, fail_on: str) -> str:
    if finding.status == STATUS_REMOVED:
        return "critical"
    return "major" if fails(finding.status, fail_on) else "minor"


class GitlabReporter:
    needs_source_root = True

    def render(self, result: ScanResult, context: ReportContext) -> str:
        # json_text (core/escape.py): faithful, printable and encodable, as `-o json`.
        return json_text(json.dumps(self.issues(result, context), indent=2, ensure_ascii=False)) + "\n"

    def issues(self, result: ScanResult, context: ReportContext) -> list[dict[str, Any]]:
        root = context.source_root
        issues: list[dict[str, Any]] = []
        seen: dict[str, int] = {}

        def add(description: str, check: str, severity: str, path: str, line: int | None,
                identity: tuple[object, ...]) -> None:
            key = "\x1f".join(map(str, (check, path, *identity)))
            fingerprint = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
            repeat = seen.get(fingerprint, 0)
            seen[fingerprint] = repeat + 1
            if repeat:  # the same object twice (e.g. rendered twice): still one issue each
                fingerprint = hashlib.sha256(f"{fingerprint}\x1f{repeat}".encode()).hexdigest()
            issues.append({
                "description": description,
                "check_name": check,
                "fingerprint": fingerprint[:32],
                "severity": severity,
                "location": {"path": path, "lines": {"begin": line if line is not None and line >= 1 else 1}},
            })

        for finding in active(result):
            path = _path(finding.path, finding.source, root)
            usage = finding.usage  # an audit log's or the metrics' findings: one per resource and client
            add(message(finding), rule_id(finding), _severity(finding, context.fail_on), path, finding.line,
                (finding.document, finding.template, finding.api_version, finding.kind, finding.name,
                 finding.namespace,
                 *((usage.resource, usage.subresource, usage.user, usage.user_agent) if usage is not None else ())))
        for notice in result.notices:
            if notice.level != NOTICE_WARNING:
                continue  # a remark about the scan (a file that is no manifest), not an issue of the code
            add(notice.message, notice_code(notice), "minor", _path(notice.path, "file", root),
                notice.line, (notice.line, notice.message))
        return issues
