"""Renderings of a PodSecurityReport: text (grouped by namespace), json, yaml, markdown, github.

Every string that came from the input is made printable before it reaches a terminal (names and
values of user manifests may hold control characters; JSON escapes them by itself).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pluto_py.podsecurity.model import LABEL_PREFIX, NamespaceReport, PodSecurityReport, Violation

FORMATS = ("text", "json", "yaml", "markdown", "github")
SCHEMA_VERSION = 1


def printable(value: object) -> str:
    """``value`` as text without control characters (they are written as escapes)."""
    text = str(value)
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def _labels_text(labels: dict[str, str] | Any) -> str:
    if not labels:
        return "none"
    return " ".join(f"{printable(key.removeprefix(LABEL_PREFIX))}={printable(value)}"
                    for key, value in labels.items())


def _where(violation: Violation) -> str:
    where = printable(violation.path)
    if violation.template:
        where += f" [{printable(violation.template)}]"
    return f"{where}:{violation.line}" if violation.line is not None else where


def _object(violation: Violation) -> str:
    return f"{violation.kind}/{printable(violation.name or '<unnamed>')}"


def _psps_text(namespace: NamespaceReport) -> str:
    if not namespace.psps:
        return "none"
    return printable(", ".join(grant.describe() for grant in namespace.psps))


def summary_line(report: PodSecurityReport) -> str:
    counts = report.summary()
    return (f"{counts['namespaces']} namespace{'s' if counts['namespaces'] != 1 else ''} "
            f"({counts['privileged']} privileged, {counts['baseline']} baseline, {counts['restricted']} restricted), "
            f"{counts['workloads']} workload{'s' if counts['workloads'] != 1 else ''}: "
            f"{counts['enforcement_lost']} losing enforcement, {counts['pods_refused']} refusing pods, "
            f"{counts['warnings']} warning{'s' if counts['warnings'] != 1 else ''}, "
            f"{counts['errors']} error{'s' if counts['errors'] != 1 else ''} (target {report.target})")


def render_text(report: PodSecurityReport) -> str:
    blocks = []
    for namespace in report.namespaces:
        lines = [f"namespace {printable(namespace.namespace)}: {namespace.level} "
                 f"({namespace.workloads} workload{'s' if namespace.workloads != 1 else ''}); "
                 f"PodSecurityPolicy: {_psps_text(namespace)}; labels: {_labels_text(namespace.labels)}"]
        for finding in namespace.findings:
            severity = "error" if finding.fails else "warning"
            lines.append(f"  {severity}: {printable(finding.message)} [{finding.id}]")
        if namespace.violations:
            lines.append(f"  blocks {namespace.level.stricter()}:")
            for violation in namespace.violations:
                lines.append(f"    {_where(violation)}: {_object(violation)} {printable(violation.field)}: "
                             f"{printable(violation.message)} [{violation.control}]")
        for grant in namespace.psps:
            if grant.gaps and not grant.unrestricted:
                lines.append(f"  PodSecurityPolicy {printable(grant.name)} is {grant.level}: "
                             f"{printable('; '.join(grant.gaps))}")
        lines.append(f"  suggested labels: {_labels_text(namespace.suggested_labels)}")
        blocks.append("\n".join(lines))
    out = "\n\n".join(blocks)
    notes = "".join(f"note: {printable(note)}\n" for note in report.notes)
    return (out + "\n\n" if out else "") + notes + summary_line(report) + "\n"


def report_dict(report: PodSecurityReport, tool_version: str) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "kdeprecate", "version": tool_version},
        "target": report.target,
        "namespaces": [namespace.to_dict() for namespace in report.namespaces],
        "errors": [error.to_dict() for error in report.errors],
        "notes": list(report.notes),
        "summary": report.summary(),
    }


def render_json(report: PodSecurityReport, tool_version: str) -> str:
    return json.dumps(report_dict(report, tool_version), indent=2, ensure_ascii=False) + "\n"


def render_yaml(report: PodSecurityReport, tool_version: str) -> str:
    from pluto_py.report.yaml_report import yaml_text

    return yaml_text(report_dict(report, tool_version))


def _cell(value: object) -> str:
    return printable(value).replace("|", "\\|")


def render_markdown(report: PodSecurityReport) -> str:
    lines = [f"## Pod security at Kubernetes {report.target}", "",
             "| Namespace | Level | Workloads | PodSecurityPolicy | Labels | Verdict |",
             "| --- | --- | --- | --- | --- | --- |"]
    for namespace in report.namespaces:
        verdict = ", ".join(f"**{f.id}**" if f.fails else f.id for f in namespace.findings) or "ok"
        lines.append(f"| {_cell(namespace.namespace)} | {namespace.level} | {namespace.workloads} | "
                     f"{_cell(_psps_text(namespace))} | {_cell(_labels_text(namespace.labels))} | {verdict} |")
    for namespace in report.namespaces:
        if not (namespace.findings or namespace.violations):
            continue
        lines += ["", f"### {_cell(namespace.namespace)}"]
        if namespace.findings:
            lines += [""] + [f"- {'**error**' if f.fails else 'warning'}: {_cell(f.message)}"
                             for f in namespace.findings]
        if namespace.violations:
            lines += ["", f"What blocks {namespace.level.stricter()}:", "",
                      "| Where | Object | Field | Control | Why |", "| --- | --- | --- | --- | --- |"]
            lines += [f"| {_cell(_where(v))} | {_cell(_object(v))} | `{_cell(v.field)}` | {v.control} | "
                      f"{_cell(v.message)} |" for v in namespace.violations]
        lines += ["", "Suggested labels: " + ", ".join(f"`{_cell(k)}={_cell(v)}`"
                                                      for k, v in namespace.suggested_labels.items())]
    lines += ["", summary_line(report)]
    return "\n".join(lines) + "\n"


def render_github(report: PodSecurityReport) -> str:
    from pluto_py.core.rules import rule
    from pluto_py.report.github import command

    lines = []
    for namespace in report.namespaces:
        where = namespace.manifest
        for finding in namespace.findings:
            located = where is not None and where.source == "file"
            lines.append(command("error" if finding.fails else "warning", printable(finding.message),
                                 file=where.path if located and where else None,
                                 line=where.line if located and where else None,
                                 title=f"kdeprecate {rule(finding.id).code}"))  # registered: core/rules.py
    for error in report.errors:
        lines.append(command("error", printable(error.message), file=error.path if error.path != "-" else None,
                             line=error.line, title="kdeprecate: not scanned"))
    return "".join(line + "\n" for line in lines) + summary_line(report) + "\n"


def renderer(name: str, tool_version: str) -> Callable[[PodSecurityReport], str]:
    """The renderer of format ``name``. Raises ValueError for an unknown one."""
    table: dict[str, Callable[[PodSecurityReport], str]] = {
        "text": render_text,
        "json": lambda report: render_json(report, tool_version),
        "yaml": lambda report: render_yaml(report, tool_version),
        "markdown": render_markdown,
        "github": render_github,
    }
    if name not in table:
        raise ValueError(f"unknown output format {name!r} (choose from {', '.join(FORMATS)})")
    return table[name]
