"""One preflight run: scan the inputs and build a cluster view from the same read, run every
registered check, apply waivers and the baseline, and return the report (never prints, never exits).

The inputs are read once, by the scan pipeline (pluto_py.pipeline.run): its registered sources (files,
directories, stdin, charts rendered for the target, and whatever ``settings`` ask for: a live cluster)
yield the documents, the judge makes the API findings, and every document read, as read (a dump's
live objects, not their applied configuration), also goes into the view the checks read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pluto_py.core.model import Document, ScanError, ScanResult
from pluto_py.core.versions import KubeVersion
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
    # Per-source settings (pluto_py.sources.SourceRequest.settings), e.g. "live-cluster": a LiveCluster
    # opened with all_objects (cli/preflight.py).
    settings: Mapping[str, Any] = field(default_factory=dict)
    extra_documents: Iterable[Document | ScanError] = ()  # objects from elsewhere, for the view only


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


def build_view(documents: Iterable[Document | ScanError]) -> tuple[ClusterView, list[ScanError]]:
    """The objects of ``documents`` (and of the component configuration kube-system ConfigMaps hold),
    and the errors among them."""
    view = ClusterView()
    errors: list[ScanError] = []
    for item in documents:
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
    return view, errors


def _scan(request: PreflightRequest) -> tuple[ScanResult | None, list[Document]]:
    """The scan of the request's inputs (None: nothing to read) and every document it read, as read."""
    from pluto_py.core.table import load_table
    from pluto_py.pipeline.judge import Targets
    from pluto_py.pipeline.run import ScanRequest, run_scan

    documents: list[Document] = []
    if not request.paths and not request.settings:
        return None, documents
    run = run_scan(ScanRequest(paths=tuple(request.paths), targets=Targets(request.target),
                               from_version=request.from_version, annotations=request.annotations,
                               settings=request.settings, document_observer=documents.append), load_table())
    return run.result, documents


def sort_key(check: Check) -> tuple[Any, ...]:
    return (SEVERITY_RANK.get(check.severity, 9), RULE_ORDER.get(check.id, 999), check.object.namespace or "",
            check.object.kind, check.object.name, check.fingerprint)


def run_preflight(request: PreflightRequest) -> PreflightReport:
    """Raises FactsError (broken installation), TableError and ScanRequestError (bad scan setup)."""
    facts = load_facts()
    scan, documents = _scan(request)
    extra = list(request.extra_documents)
    view, errors = build_view([*documents, *extra])
    if scan is not None:
        errors[:0] = scan.errors
    read = (*documents, *(item for item in extra if isinstance(item, Document)))
    context = PreflightContext(request.target, request.from_version, view, facts, request.today, scan, read)
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
    unique_errors = list(dict.fromkeys(errors))  # one line per problem
    return PreflightReport(request.target, request.from_version, tuple(sorted(checks, key=sort_key)),
                           tuple(unique_errors), 0 if scan is None else scan.files, len(view),
                           request.baseline is not None)


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
