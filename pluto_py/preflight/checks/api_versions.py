"""api-removed / api-deprecated: what the scan pipeline finds in the same inputs.

The scan judges what was *applied* (last-applied configuration, Helm release records), as
`kdeprecate scan` does; each unsuppressed finding becomes a check.
"""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.core.model import STATUS_DEPRECATED, STATUS_REMOVED, Finding
from pluto_py.preflight.context import PreflightContext
from pluto_py.preflight.model import BLOCKER, WARNING, Check, ObjectRef, Rule
from pluto_py.report.common import advice

API_REMOVED = "api-removed"
API_DEPRECATED = "api-deprecated"


def _check(finding: Finding) -> Check:
    removed = finding.status == STATUS_REMOVED
    ref = ObjectRef(finding.kind, finding.name or "<unnamed>", finding.namespace, finding.api_version,
                    finding.path, finding.line)
    what = "no longer served" if removed else "deprecated"
    fix = advice(finding)
    if finding.fixable:
        fix += "; `kdeprecate fix` can rewrite the manifest"
    return Check(
        id=API_REMOVED if removed else API_DEPRECATED,
        severity=BLOCKER if removed else WARNING,
        object=ref,
        message=f"{finding.kind} {ref.name} uses {finding.api_version}, {what} at {finding.target}",
        fix=fix,
        evidence={"api_version": finding.api_version, "source": finding.source, "path": finding.path,
                  "line": finding.line, "template": finding.template, "removed_in": finding.removed_in,
                  "deprecated_in": finding.deprecated_in, "replacement": finding.replacement,
                  "component": finding.component},
        key=("api_version", "source", "template"),
    )


def run(context: PreflightContext) -> Iterator[Check]:
    if context.scan is None:
        return
    for finding in context.scan.findings:
        if not finding.suppressed and finding.status in (STATUS_REMOVED, STATUS_DEPRECATED):
            yield _check(finding)  # add-ons the target does not support: sources_of_checks.addon_checks


RULES = (
    Rule(API_REMOVED, BLOCKER, run),
    Rule(API_DEPRECATED, WARNING),
)
