"""The result of `kdeprecate skew`, and its text and JSON renderings (returned, never printed)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pluto_py.core.escape import printable
from pluto_py.core.skew_policy import COMPONENTS, Policy
from pluto_py.core.versions import KubeVersion
from pluto_py.skew.check import allowed_for, check
from pluto_py.skew.model import ClusterState, Instance, VersionRange, Violation
from pluto_py.skew.plan import ACTION_CONTROL_PLANE, Plan, plan_upgrade

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class ComponentRow:
    instance: Instance
    allowed: VersionRange | None
    ok: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "component": self.instance.component,
            "node": self.instance.node,
            "version": str(self.instance.version),
            "raw_version": self.instance.raw,
            "allowed": self.allowed.to_dict() if self.allowed else None,
            "ok": self.ok,
        }


@dataclass(frozen=True, slots=True)
class SkewReport:
    state: ClusterState
    policy: Policy
    violations: tuple[Violation, ...]
    components: tuple[ComponentRow, ...]
    plan: Plan | None = None
    scan_errors: tuple[Any, ...] = ()  # pluto_py.core.model.ScanError
    scan_stats: tuple[int, int] | None = None  # files, documents
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def within_policy(self) -> bool:
        return not self.violations


def analyze(state: ClusterState, policy: Policy, target: KubeVersion | None = None, *,
            nodes_to_target: bool = False) -> SkewReport:
    """Check ``state`` and, with a target, plan the upgrade. Raises PlanError for impossible targets."""
    violations = tuple(check(state, policy))
    bad = {v.instance.key for v in violations}
    order = {name: index for index, name in enumerate(COMPONENTS)}
    rows = tuple(sorted(
        (ComponentRow(i, allowed_for(i, state, policy), i.key not in bad) for i in state.instances),
        key=lambda r: (order[r.instance.component], r.instance.version, r.instance.label),
    ))
    plan = plan_upgrade(state, target, policy, nodes_to_target=nodes_to_target) if target is not None else None
    return SkewReport(state, policy, violations, rows, plan, notes=state.notes)


def with_scan(report: SkewReport, plan: Plan, errors: Sequence[Any], files: int, documents: int) -> SkewReport:
    return SkewReport(report.state, report.policy, report.violations, report.components, plan,
                      tuple(errors), (files, documents), report.notes)


# ----------------------------------------------------------------------------------------- JSON


def render_json(report: SkewReport, tool_version: str) -> str:
    plan = report.plan
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "kdeprecate", "version": tool_version},
        "within_policy": report.within_policy,
        "cluster": {
            "distribution": report.state.distribution,
            "kube_apiserver": [str(v) for v in report.state.apiserver_versions()],
        },
        "components": [row.to_dict() for row in report.components],
        "violations": [v.to_dict() for v in report.violations],
        "target": str(plan.target) if plan else None,
        "plan": [step.to_dict() for step in plan.steps] if plan else [],
        "plan_summary": {
            "hops": [str(h) for h in plan.hops],
            "node_rollouts": plan.node_rollouts,
            "blockers": [v.to_dict() for v in plan.blockers],
            "notes": list(plan.notes),
        } if plan else None,
        "notes": list(report.notes),
    }
    if report.scan_stats is not None:
        files, documents = report.scan_stats
        document["scan"] = {"files": files, "documents": documents,
                            "errors": [error.to_dict() for error in report.scan_errors]}
    return json.dumps(document, indent=2) + "\n"


# ----------------------------------------------------------------------------------------- text

_RED, _GREEN, _YELLOW, _BOLD, _RESET = "\033[31m", "\033[32m", "\033[33m", "\033[1m", "\033[0m"
_OUR_COLOURS = re.compile("(" + "|".join(re.escape(code) for code in (_RED, _GREEN, _YELLOW, _BOLD, _RESET)) + ")")


def _shown(line: str, color: bool) -> str:
    """A line of the text report with what came from the inputs (node names, a policy file's rules and
    notes, scanned paths) escaped (core/escape.py); with colour, the colour codes we add are kept."""
    if not color:
        return printable(line)
    return "".join(part if index % 2 else printable(part) for index, part in enumerate(_OUR_COLOURS.split(line)))


class _Paint:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.color else text


def _names(labels: Sequence[str], limit: int = 3) -> str:
    if not labels:
        return "-"
    shown = ", ".join(labels[:limit])
    return shown + (f" (+{len(labels) - limit} more)" if len(labels) > limit else "")


def _table(report: SkewReport, paint: _Paint) -> list[str]:
    groups: dict[tuple[str, KubeVersion, str, bool], list[Instance]] = {}
    for entry in report.components:
        allowed = str(entry.allowed) if entry.allowed else "none"
        groups.setdefault((entry.instance.component, entry.instance.version, allowed, entry.ok),
                          []).append(entry.instance)
    rows = [("COMPONENT", "NODE / INSTANCE", "VERSION", "ALLOWED", "STATUS")]
    for (component, version, allowed, ok), members in groups.items():
        labels = [i.node for i in members if i.node is not None]
        anonymous = len(members) - len(labels)
        where = _names(labels)
        if len(where) > 48:
            where = _names(labels, 1)
        if anonymous and labels:
            where += f" + {anonymous} unnamed"
        elif anonymous > 1:
            where = f"{anonymous} instances"
        rows.append((component, where, str(version), allowed, "ok" if ok else "VIOLATION"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for index, cols in enumerate(rows):
        cells = [cols[i].ljust(widths[i]) for i in range(4)]
        status = cols[4]
        if index == 0:
            lines.append("  " + paint("  ".join([*cells, status]), _BOLD))
        else:
            lines.append("  " + "  ".join([*cells, paint(status, _GREEN if status == "ok" else _RED)]))
    return lines


def _violation_lines(violations: Sequence[Violation], paint: _Paint) -> list[str]:
    lines: list[str] = []
    for violation in violations:
        lines.append(f"  {paint('x', _RED)} {violation.message}")
        lines.append(f"    rule {violation.rule.id} (policy from {violation.rule.since}): {violation.rule.source_url}")
    return lines


def _finding_line(finding: Any) -> str:
    name = finding.object_ref
    addon = getattr(finding, "addon", None)
    if addon:  # an add-on whose support excludes this hop (pluto_py.addons)
        return (f"{finding.path}:{finding.line}: {name} runs {addon['name']} {addon['version']}, which does not "
                f"support {finding.target}: upgrade it first")
    replacement = f" -> {finding.replacement}" if finding.replacement else ""
    return f"{finding.path}:{finding.line}: {finding.api_version} {name}{replacement}"


def _plan_lines(plan: Plan, paint: _Paint) -> list[str]:
    lines: list[str] = []
    if plan.blockers:
        lines.append(paint(f"No plan to {plan.target}: the current state is outside the policy in ways "
                           "upgrades cannot repair; fix these first:", _RED))
        lines.extend(_violation_lines(plan.blockers, paint))
        return lines
    if not plan.steps:
        lines.append(f"Nothing to do: the control plane is already at {plan.target}.")
    else:
        rollouts = plan.node_rollouts
        lines.append(paint(f"Upgrade plan {plan.current} -> {plan.target}: {len(plan.steps)} steps, "
                           f"{len(plan.hops)} control-plane hop(s), {rollouts} node rollout(s)", _BOLD))
    current_hop: object = object()
    width = len(str(len(plan.steps)))
    for step in plan.steps:
        if step.hop != current_hop:
            current_hop = step.hop
            title = f"Control plane to {step.hop}" if step.hop is not None else \
                ("Bring into policy first" if step.action == "bring-into-policy" else "After the last hop")
            lines.append(f"  {paint(title, _BOLD)}")
        where = f"  [{_names(list(step.nodes), 4)}]" if step.nodes else ""
        lines.append(f"  {str(step.number).rjust(width)}. {step.component} {step.before} -> {step.after}{where}")
        lines.append(f"  {' ' * width}  {step.note}")
        if step.action == ACTION_CONTROL_PLANE and plan.scanned:
            if step.findings:
                lines.append(f"  {' ' * width}  {paint('migrate before this hop', _RED)}: "
                             f"{len(step.findings)} object(s) use APIs removed in {step.hop} or add-ons that do not "
                             "support it:")
                lines.extend(f"  {' ' * width}    {_finding_line(f)}" for f in step.findings)
            else:
                lines.append(f"  {' ' * width}  scan: no object uses an API removed in {step.hop}")
            if step.deprecations:
                lines.append(f"  {' ' * width}  {paint(f'deprecated at {step.hop}', _YELLOW)}: "
                             f"{len(step.deprecations)} object(s):")
                lines.extend(f"  {' ' * width}    {_finding_line(f)}" for f in step.deprecations)
    for note in plan.notes:
        lines.append(f"  note: {note}")
    return lines


def render_text(report: SkewReport, *, color: bool = False) -> str:
    paint = _Paint(color)
    versions = report.state.apiserver_versions()
    header = "Cluster"
    if versions:
        header += f" (kube-apiserver {', '.join(str(v) for v in versions)}"
        header += f", {report.state.distribution})" if report.state.distribution else ")"
    lines = [paint(header, _BOLD), *_table(report, paint), ""]
    if report.violations:
        lines.append(paint(f"{len(report.violations)} violation(s) of the version skew policy:", _RED))
        lines.extend(_violation_lines(report.violations, paint))
    else:
        lines.append(paint("All components are within the version skew policy.", _GREEN))
    for note in report.notes:
        lines.append(f"note: {note}")
    if report.plan is not None:
        lines.append("")
        lines.extend(_plan_lines(report.plan, paint))
    if report.scan_stats is not None:
        files, documents = report.scan_stats
        lines.append(f"  scanned {files} file(s), {documents} document(s); "
                     f"{len(report.scan_errors)} could not be read")
    return "\n".join(_shown(line, color) for line in lines) + "\n"
