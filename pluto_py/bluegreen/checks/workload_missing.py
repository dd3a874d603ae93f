"""`workload-missing`: a Deployment, StatefulSet or DaemonSet on blue that green does not have."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.bluegreen.checks.base import Check, CheckContext, workloads
from pluto_py.bluegreen.model import BLOCKER, BLUE, WORKLOAD_KINDS, CheckResult, ClusterObject

ID = "workload-missing"


def green_workloads_known(context: CheckContext) -> str | None:
    if context.green.objects is None or not context.green.has_kind(*WORKLOAD_KINDS):
        return ("needs green's Deployments, StatefulSets and DaemonSets: --green with a dump of them, "
                "or --green-context")
    return None


def counterpart(context: CheckContext, obj: ClusterObject) -> ClusterObject | None:
    return context.green.find(obj.kind, obj.namespace, obj.name)


def _run(context: CheckContext) -> Iterator[CheckResult]:
    for obj in workloads(context.blue):
        if counterpart(context, obj) is not None:
            continue
        origin = f" (from {obj.where.detail})" if obj.where.detail.startswith("Helm release") else ""
        yield CheckResult(
            ID, BLOCKER, obj.ref, f"{obj.ref} runs on blue{origin} and is not on green",
            "deploy it on green and wait until it is available before switching traffic",
            side=BLUE, where=obj.where)


CHECK = Check(id=ID, severity=BLOCKER, run=_run, cannot_run=green_workloads_known)
