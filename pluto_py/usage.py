"""API usage evidence (`scan --audit-log`, `--metrics`): requests recorded by the cluster, judged by
the same table and scan as manifests.

Each (api_version, resource, user, user agent) seen in audit logs, and each (api_version, resource)
the API server's metrics name, becomes one Document ``{apiVersion, kind}`` (the kind from
data/api_resources.yaml) with ``source: "audit-log"`` / ``"metrics"``; ``scan_document`` judges it at
the target exactly as it judges a manifest (status, replacement, interim version), and the finding
gets the ``usage`` record. The server's own deprecation annotations and labels are kept in the
finding's ``context`` as extra evidence only.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from pluto_py.api_resources import ApiResources, load_api_resources, load_system_clients
from pluto_py.model import (
    NOTICE_INFO,
    SOURCE_AUDIT_LOG,
    SOURCE_METRICS,
    Document,
    Finding,
    Notice,
    ScanError,
    Usage,
)
from pluto_py.pipeline import ScanRequest, ScanRun
from pluto_py.scan import Targets, scan_document
from pluto_py.sources.loglines import STDIN
from pluto_py.sources.metrics import DeprecatedApiSample
from pluto_py.table import BUILTIN_COMPONENT, Table
from pluto_py.versions import KubeVersion

NOTICE_SYSTEM_CLIENTS = "system-clients-set-aside"
NOTICE_METRICS_UNKNOWN = "metrics-unknown-api"


class UsageRun(NamedTuple):
    findings: tuple[Finding, ...]
    errors: tuple[ScanError, ...]
    notices: tuple[Notice, ...]
    files: int  # log and metrics files read


def flagged_resources(table: Table, targets: Targets, resources: ApiResources) -> set[tuple[str, str]]:
    """(api_version, resource) of every built-in row deprecated or removed at the target."""
    flagged: set[tuple[str, str]] = set()
    for row in table:
        if row.component != BUILTIN_COMPONENT or row.status_at(targets.k8s) is None:
            continue
        for resource in resources.resources_of(row.api_version, row.kind):
            flagged.add((resource.api_version, resource.resource))
    return flagged


def expand_log_paths(paths: Iterable[str]) -> tuple[list[str], list[ScanError]]:
    """Files to read: each path as given ('-' is stdin); a directory's regular files, by name (so
    rotated ``audit-<time>.log.gz`` files come before ``audit.log``)."""
    files: list[str] = []
    errors: list[ScanError] = []
    for path in paths:
        if path == STDIN:
            files.append(path)
        elif os.path.isdir(path):
            names = sorted(name for name in os.listdir(path)
                           if not name.startswith(".") and os.path.isfile(os.path.join(path, name)))
            if not names:
                errors.append(ScanError(path, None, "directory holds no log files"))
            files.extend(os.path.join(path, name) for name in names)
        elif not os.path.exists(path):
            errors.append(ScanError(path, None, "no such file"))
        else:
            files.append(path)
    return files, errors


def judge(api_version: str, kind: str, usage: Usage, path: str, line: int, source: str, context: dict[str, str],
          table: Table, targets: Targets, from_version: KubeVersion | None) -> list[Finding]:
    """Findings for requests to (api_version, kind) at the target, through the scan's own judgement."""
    document = Document(path=path, index=0, line=line, data={"apiVersion": api_version, "kind": kind},
                        positions={("apiVersion",): (line, 1)}, source=source, context=context)
    return [dataclasses.replace(finding, usage=usage)
            for finding in scan_document(document, table, targets, from_version)]


def read_audit_usage(paths: Sequence[str], table: Table, targets: Targets, *, include_system_clients: bool = False,
                     from_version: KubeVersion | None = None,
                     resources: ApiResources | None = None) -> UsageRun:
    from pluto_py.sources.audit import AuditReader

    resources = resources or load_api_resources()
    files, errors = expand_log_paths(paths)
    reader = AuditReader(flagged_resources(table, targets, resources), load_system_clients(), include_system_clients)
    for path in files:
        errors.extend(reader.read(path))
    findings: list[Finding] = []
    for key, tally in reader.tallies.items():
        kind = resources.kind_of(key.api_version, key.resource)
        if kind is not None:
            findings.extend(judge(key.api_version, kind, tally.usage(key), tally.path, tally.line, SOURCE_AUDIT_LOG,
                                  tally.context(), table, targets, from_version))
    notices: list[Notice] = []
    if reader.set_aside:
        total = sum(reader.set_aside.values())
        who = ", ".join(f"{user} {count}" for user, count in sorted(reader.set_aside.items()))
        notices.append(Notice(files[0] if files else "-", None, NOTICE_SYSTEM_CLIENTS,
                              f"{total} request{'s' if total != 1 else ''} by the control plane's own clients set "
                              f"aside ({who}); --include-system-clients reports them", level=NOTICE_INFO))
    return UsageRun(tuple(findings), tuple(errors), tuple(notices), reader.files)


def read_metrics_usage(paths: Sequence[str], table: Table, targets: Targets, *,
                       from_version: KubeVersion | None = None, resources: ApiResources | None = None) -> UsageRun:
    from pluto_py.sources.metrics import read_metrics_file

    resources = resources or load_api_resources()
    files, errors = expand_log_paths(paths)
    samples: dict[tuple[str, str], list[tuple[str, DeprecatedApiSample]]] = {}
    for path in files:
        for item in read_metrics_file(path):
            if isinstance(item, ScanError):
                errors.append(item)
            elif item.value > 0:
                samples.setdefault((item.api_version, item.resource), []).append((path, item))
    findings, notices = metrics_findings(samples, table, targets, from_version, resources)
    return UsageRun(findings, tuple(errors), notices, len(files))


def metrics_usage_from_text(text: str, origin: str, table: Table, targets: Targets, *,
                            from_version: KubeVersion | None = None) -> UsageRun:
    """Findings from metrics text read elsewhere (a live scrape of /metrics: ``origin`` names it,
    e.g. ``cluster:CONTEXT``); malformed samples are errors naming ``origin`` and their line."""
    from pluto_py.sources.metrics import parse_metrics_text

    samples: dict[tuple[str, str], list[tuple[str, DeprecatedApiSample]]] = {}
    errors: list[ScanError] = []
    for item in parse_metrics_text(text):
        if isinstance(item, DeprecatedApiSample):
            if item.value > 0:
                samples.setdefault((item.api_version, item.resource), []).append((origin, item))
        else:
            errors.append(ScanError(origin, item.line, item.message))
    findings, notices = metrics_findings(samples, table, targets, from_version, load_api_resources())
    return UsageRun(findings, tuple(errors), notices, 0)


def metrics_findings(samples: dict[tuple[str, str], list[tuple[str, DeprecatedApiSample]]], table: Table,
                     targets: Targets,
                     from_version: KubeVersion | None,
                     resources: ApiResources) -> tuple[tuple[Finding, ...], tuple[Notice, ...]]:
    """One finding per (api_version, resource) the samples name and the table flags at the target;
    an info notice for each one the resource data does not know (a CRD's deprecated version)."""
    findings: list[Finding] = []
    notices: list[Notice] = []
    for (api_version, resource), entries in samples.items():
        path, last = entries[-1]
        kind = resources.kind_of(api_version, resource)
        if kind is None:
            notices.append(Notice(path, last.line, NOTICE_METRICS_UNKNOWN,
                                  f"the API server reports requests to deprecated {api_version} {resource}, "
                                  "an API kdeprecate's data does not know (a custom resource?)", level=NOTICE_INFO))
            continue
        subresources = sorted({s.subresource for _, s in entries if s.subresource})
        removed = next((s.removed_release for _, s in reversed(entries) if s.removed_release), None)
        usage = Usage(resource=resource, subresource=",".join(subresources) or None, user=None, user_agent=None,
                      verbs=(), count=None, first_seen=None, last_seen=None)
        context = {"server_deprecated": "true", **({"server_removed_release": removed} if removed else {})}
        findings.extend(judge(api_version, kind, usage, path, last.line, SOURCE_METRICS, context, table, targets,
                              from_version))
    return tuple(findings), tuple(notices)


def read_usage(audit_logs: Sequence[str], metrics: Sequence[str], table: Table, targets: Targets, *,
               include_system_clients: bool = False, from_version: KubeVersion | None = None) -> UsageRun:
    """Audit logs and metrics files together (either may be empty)."""
    runs = []
    if audit_logs:
        runs.append(read_audit_usage(audit_logs, table, targets, include_system_clients=include_system_clients,
                                     from_version=from_version))
    if metrics:
        runs.append(read_metrics_usage(metrics, table, targets, from_version=from_version))
    return UsageRun(tuple(f for run in runs for f in run.findings), tuple(e for run in runs for e in run.errors),
                    tuple(n for run in runs for n in run.notices), sum(run.files for run in runs))


def run_scan_with_usage(request: ScanRequest, table: Table, audit_logs: Sequence[str], metrics: Sequence[str], *,
                        include_system_clients: bool = False, scan_files: bool = True) -> ScanRun:
    """`kdeprecate scan` with usage evidence: the files of ``request`` (unless ``scan_files`` is
    False: with only --audit-log/--metrics nothing else is scanned) plus the logs and metrics."""
    from pluto_py.pipeline import run_scan
    from pluto_py.scan import build_result

    run = run_scan(request, table) if scan_files else ScanRun(build_result((), (), 0, 0, request.targets))
    usage = read_usage(audit_logs, metrics, table, request.targets, include_system_clients=include_system_clients,
                       from_version=request.from_version)
    result = run.result
    merged = result._replace(findings=result.findings + usage.findings, errors=result.errors + usage.errors,
                             files=result.files + usage.files, notices=result.notices + usage.notices)
    return ScanRun(merged, run.warnings)
