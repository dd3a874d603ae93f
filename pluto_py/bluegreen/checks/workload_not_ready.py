"""`workload-not-ready`: a workload of blue is on green with fewer available replicas than it wants."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.bluegreen.checks.base import Check, CheckContext, workloads
from pluto_py.bluegreen.checks.workload_missing import counterpart, green_workloads_known
from pluto_py.bluegreen.model import BLOCKER, GREEN, CheckResult, ClusterObject, mapping, sequence, text

ID = "workload-not-ready"


def _count(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def availability(obj: ClusterObject) -> tuple[int, int] | None:
    """(available, desired) from the live status; None for a manifest (no status)."""
    status = obj.status
    if status is None:
        return None
    if obj.kind == "DaemonSet":
        return _count(status.get("numberAvailable"), 0), _count(status.get("desiredNumberScheduled"), 0)
    desired = _count(obj.spec.get("replicas"), 1)
    if obj.kind == "StatefulSet" and "availableReplicas" not in status:  # before Kubernetes 1.22
        return _count(status.get("readyReplicas"), 0), desired
    return _count(status.get("availableReplicas"), 0), desired


def _reason(obj: ClusterObject) -> str:
    for condition in sequence((obj.status or {}).get("conditions")):
        condition = mapping(condition)
        if condition.get("status") == "False" and text(condition.get("message")):
            return f" ({condition.get('type')}: {text(condition.get('message'))})"
    return ""


def _run(context: CheckContext) -> Iterator[CheckResult]:
    for blue_obj in workloads(context.blue):
        green_obj = counterpart(context, blue_obj)
        counts = availability(green_obj) if green_obj is not None else None
        if green_obj is None or counts is None or counts[0] >= counts[1]:
            continue
        available, desired = counts
        namespace = f" -n {green_obj.namespace}" if green_obj.namespace else ""
        yield CheckResult(
            ID, BLOCKER, green_obj.ref,
            f"{green_obj.ref} has {available} of {desired} replicas available on green{_reason(green_obj)}",
            f"find out why (kubectl{namespace} describe {green_obj.kind.lower()} {green_obj.name}; kubectl{namespace} "
            "get events) and switch traffic only once every replica is available",
            side=GREEN, where=green_obj.where)


CHECK = Check(id=ID, severity=BLOCKER, run=_run, cannot_run=green_workloads_known)
