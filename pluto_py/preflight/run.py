"""One preflight run: read the inputs into a cluster view, scan them, run every registered check,
apply waivers and the baseline, and return the report (never prints, never exits)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pluto_py.model import Document, ScanError
from pluto_py.preflight.context import PreflightContext
from pluto_py.preflight.embedded import embedded_documents
from pluto_py.preflight.facts import load_facts
from pluto_py.preflight.model import (
    BLOCKER,
    INFO,
    SEVERITY_RANK,
    WARNING,
    Check,
    Waiver,
    verdict_of,
)
from pluto_py.preflight.registry import RULE_ORDER, RULES
from pluto_py.preflight.view import ClusterView
from pluto_py.preflight.waivers import apply_waivers
from pluto_py.versions import KubeVersion

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class PreflightRequest:
    paths: Sequence[str]
    target: KubeVersion
    today: date
    from_version: KubeVersion | None = None
    waivers: tuple[Waiver, ...] = ()
    baseline: frozenset[str] | None = None  # fingerprints of an earlier report
    annotations: tuple[str, ...] = ()  # applied-configuration annotations besides kubectl's, for the scan
    extra_documents: Iterable[Document | ScanError] = ()  # e.g. a live cluster's (sources_of_checks)


@dataclass(frozen=True)
class PreflightReport:
    target: KubeVersion
    from_version: KubeVersion | None
    checks: tuple[Check, ...]
    errors: tuple[ScanError, ...]
    files: int
    objects: int
    baseline_used: bool = False

    @property
    def verdict(self) -> str:
        return verdict_of(self.checks)

    @property
    def active(self) -> list[Check]:
        return [c for c in self.checks if c.active]

    def failing(self, fail_on: str) -> list[Check]:
        """Active checks outside the baseline at or above ``fail_on`` (blocker, warning, none)."""
        levels = {"blocker": (BLOCKER,), "warning": (BLOCKER, WARNING), "none": ()}[fail_on]
        return [c for c in self.active if not c.in_baseline and c.severity in levels]

    def summary(self) -> dict[str, int]:
        active = self.active
        return {
            "blockers": sum(c.severity == BLOCKER for c in active),
            "warnings": sum(c.severity == WARNING for c in active),
            "info": sum(c.severity == INFO for c in active),
            "waived": len(self.checks) - len(active),
            "in_baseline": sum(c.in_baseline for c in active),
            "new": sum(not c.in_baseline for c in active),
            "objects": self.objects,
            "files": self.files,
            "errors": len(self.errors),
        }


def _skip_charts(chart: Any, options: Any) -> Iterable[Document | ScanError]:
    return ()  # charts are rendered by the scan pipeline (API findings); the view holds plain objects


def build_view(paths: Sequence[str], target: KubeVersion,
               extra: Iterable[Document | ScanError] = ()) -> tuple[ClusterView, list[ScanError], int]:
    """The objects under ``paths`` (and ``extra``), the inputs that could not be read, the file count."""
    from pluto_py.sources import InputStats, SourceOptions, iter_documents

    view = ClusterView()
    errors: list[ScanError] = []
    stats = InputStats()
    documents: list[Iterable[Document | ScanError]] = []
    if paths:
        documents.append(iter_documents(paths, SourceOptions(target=str(target)), stats, chart_handler=_skip_charts))
    documents.append(extra)
    for stream in documents:
        for item in stream:
            if isinstance(item, ScanError):
                errors.append(item)
            else:
                view.add_document(item)
    for embedded in embedded_documents(view.of_kind("ConfigMap")):
        if isinstance(embedded, ScanError):
            errors.append(embedded)
        else:
            document, name = embedded
            view.add_document(document, default_name=name)
    return view, errors, stats.files


def _scan(request: PreflightRequest) -> tuple[Any, list[ScanError]]:
    from pluto_py.pipeline import ScanRequest, run_scan
    from pluto_py.scan import Targets
    from pluto_py.table import load_table

    if not request.paths:
        return None, []
    run = run_scan(ScanRequest(paths=list(request.paths), targets=Targets(request.target),
                               from_version=request.from_version, annotations=request.annotations), load_table())
    return run.result, list(run.result.errors)


def sort_key(check: Check) -> tuple[Any, ...]:
    return (SEVERITY_RANK.get(check.severity, 9), RULE_ORDER.get(check.id, 999), check.object.namespace or "",
            check.object.kind, check.object.name, check.fingerprint)


def run_preflight(request: PreflightRequest) -> PreflightReport:
    """Raises FactsError (broken installation), TableError and ScanRequestError (bad scan setup)."""
    facts = load_facts()
    view, errors, files = build_view(request.paths, request.target, request.extra_documents)
    scan, scan_errors = _scan(request)
    errors.extend(scan_errors)
    context = PreflightContext(request.target, request.from_version, view, facts, request.today, scan)
    checks: list[Check] = []
    for rule in RULES:
        if rule.run is None:
            continue
        try:
            checks.extend(rule.run(context))
        except Exception as exc:  # one check's bug must not cost the others: an error line (exit 2)
            errors.append(ScanError("<preflight>", None, f"internal error in check {rule.id} "
                                                         f"({exc.__class__.__name__}: {exc}); please report it"))
    checks, about_waivers = apply_waivers(checks, request.waivers, request.today)
    checks.extend(about_waivers)
    if request.baseline is not None:
        checks = [c.in_the_baseline() if c.fingerprint in request.baseline else c for c in checks]
    unique_errors = list(dict.fromkeys(errors))  # the scan reads the same files: one line per problem
    return PreflightReport(request.target, request.from_version, tuple(sorted(checks, key=sort_key)),
                           tuple(unique_errors), files, len(view), request.baseline is not None)


def report_document(report: PreflightReport, tool_version: str) -> dict[str, Any]:
    """The JSON contract (schema_version 1)."""
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "kdeprecate", "version": tool_version},
        "target": str(report.target),
        "from": None if report.from_version is None else str(report.from_version),
        "verdict": report.verdict,
        "checks": [check.to_dict() for check in report.checks],
        "errors": [error.to_dict() for error in report.errors],
        "summary": report.summary(),
    }
    return document


def group_by_owner(checks: Iterable[Check]) -> Mapping[str, list[Check]]:
    """Checks by namespace ("" for cluster-scoped), groups ordered by their most urgent check."""
    groups: dict[str, list[Check]] = {}
    for check in checks:
        groups.setdefault(check.object.owner, []).append(check)
    ordered = sorted(groups.items(), key=lambda item: (min(sort_key(c) for c in item[1])[:1], item[0]))
    return dict(ordered)
