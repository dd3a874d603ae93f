"""Usage evidence through the real scan pipeline (the audit-log and metrics Sources), for the tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pluto_py.core.model import Document, Notice, ScanError, ScanResult
from pluto_py.core.table import Table
from pluto_py.pipeline.judge import Targets, build_result, scan_stream
from pluto_py.pipeline.run import ScanRequest, run_scan
from pluto_py.sources.audit import AuditLogSettings
from pluto_py.sources.metrics import MetricsSettings


def scan_usage(table: Table, targets: Targets, *, audit_logs: Sequence[str] = (), metrics: Sequence[str] = (),
               include_system_clients: bool = False) -> ScanResult:
    """`kdeprecate scan --audit-log ... --metrics ...` without PATHs, as a ScanResult."""
    settings: dict[str, Any] = {}
    if audit_logs:
        settings["audit-log"] = AuditLogSettings(tuple(audit_logs), include_system_clients)
    if metrics:
        settings["metrics"] = MetricsSettings(tuple(metrics))
    return run_scan(ScanRequest(paths=[], targets=targets, settings=settings), table).result


def read_audit_usage(paths: Sequence[str], table: Table, targets: Targets, *,
                     include_system_clients: bool = False) -> ScanResult:
    return scan_usage(table, targets, audit_logs=paths, include_system_clients=include_system_clients)


def read_metrics_usage(paths: Sequence[str], table: Table, targets: Targets) -> ScanResult:
    return scan_usage(table, targets, metrics=paths)


def judge_items(items: Iterable[Document | ScanError | Notice], table: Table, targets: Targets) -> ScanResult:
    """What the judge makes of a source's items (documents read elsewhere, e.g. a live scrape)."""
    produced = list(items)
    findings, errors = scan_stream([i for i in produced if not isinstance(i, Notice)], table, targets)
    return build_result(findings, errors, 0, 0, targets, notices=[i for i in produced if isinstance(i, Notice)])
