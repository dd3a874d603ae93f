"""The readiness checks, one module each, registered in ONE explicit list.

The list is in the order a move installs things on green — namespaces, CRDs, aggregated APIs, admission
webhooks, then the objects themselves, their pod security, workloads, data and add-ons — and reports
follow it, so a reader fixes problems in the order the move meets them. Check ids are a stable contract
(design.md section 4).
"""

from __future__ import annotations

from collections.abc import Sequence

from pluto_py.bluegreen.checks import (
    addon_unsupported,
    api_not_served,
    apiservice_missing,
    crd_missing,
    crd_version_not_served,
    image_drift,
    namespace_missing,
    psp_without_psa,
    stateful_data,
    webhook_no_backend,
    workload_missing,
    workload_not_ready,
)
from pluto_py.bluegreen.checks.base import AddonLookup, AddonVerdict, Check, CheckContext
from pluto_py.bluegreen.model import CheckResult, NotChecked

CHECKS: tuple[Check, ...] = (
    namespace_missing.CHECK,
    crd_missing.CHECK,
    crd_version_not_served.CHECK,
    apiservice_missing.CHECK,
    webhook_no_backend.CHECK,
    api_not_served.CHECK,
    psp_without_psa.CHECK,
    workload_missing.CHECK,
    workload_not_ready.CHECK,
    image_drift.CHECK,
    stateful_data.CHECK,
    addon_unsupported.CHECK,
)

CHECK_IDS = tuple(check.id for check in CHECKS)


def check_by_id(check_id: str) -> Check:
    for check in CHECKS:
        if check.id == check_id:
            return check
    raise KeyError(check_id)


def run_checks(context: CheckContext,
               checks: Sequence[Check] = CHECKS) -> tuple[list[CheckResult], list[NotChecked]]:
    """Every check that the descriptions can answer; the others, with the reason, as not checked."""
    results: list[CheckResult] = []
    not_checked: list[NotChecked] = []
    for check in checks:
        reason = check.cannot_run(context)
        if reason is not None:
            not_checked.append(NotChecked(check.id, reason))
            continue
        results.extend(check.run(context))
    return results, not_checked


__all__ = ["CHECKS", "CHECK_IDS", "AddonLookup", "AddonVerdict", "Check", "CheckContext", "check_by_id",
           "run_checks"]
