"""`apiservice-missing`: an aggregated API blue serves (metrics.k8s.io, custom.metrics.k8s.io, ...) that green
does not serve, or has registered without a backend that answers."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.bluegreen.checks.base import Check, CheckContext, describe_objects, user_objects
from pluto_py.bluegreen.model import (
    BLOCKER,
    BLUE,
    GREEN,
    WARNING,
    CheckResult,
    ClusterObject,
    ClusterView,
    group_of,
    mapping,
    sequence,
    text,
)

ID = "apiservice-missing"
# What each HorizontalPodAutoscaler metric type is read from.
_METRIC_GROUPS = {"Resource": "metrics.k8s.io", "ContainerResource": "metrics.k8s.io",
                  "Pods": "custom.metrics.k8s.io", "Object": "custom.metrics.k8s.io",
                  "External": "external.metrics.k8s.io"}


def _metric_groups(hpa: ClusterObject) -> set[str]:
    spec = hpa.spec
    metrics = sequence(spec.get("metrics"))
    if not metrics:  # autoscaling/v1, or v2 without metrics: CPU utilisation
        return {"metrics.k8s.io"}
    return {_METRIC_GROUPS[kind] for kind in (text(mapping(m).get("type")) for m in metrics) if kind in _METRIC_GROUPS}


def _users(blue: ClusterView, group: str) -> list[ClusterObject]:
    """Blue's objects that need the aggregated API ``group``: its own objects, and autoscalers reading it."""
    found = []
    for obj in user_objects(blue):
        if group_of(obj.api_version) == group or (obj.kind == "HorizontalPodAutoscaler"
                                                   and group in _metric_groups(obj)):
            found.append(obj)
    return found


def _cannot_run(context: CheckContext) -> str | None:
    green = context.green
    if green.group_versions is None and not green.discovered and not green.apiservices:
        return ("needs green's aggregated APIs: --green-api-resources, --green with a dump of its APIServices, "
                "or --green-context")
    return None


def _run(context: CheckContext) -> Iterator[CheckResult]:
    blue, green = context.blue, context.green
    for gv, service in sorted(blue.apiservices.items()):
        if service.service is None:
            continue  # served by kube-apiserver itself (built-in groups and CRDs)
        backend = f"{service.service[0]}/{service.service[1]}"
        on_green = green.apiservices.get(gv)
        if on_green is not None and on_green.available is False:
            problem, side, subject = (f"is registered on green but not Available (its backend "
                                    f"{'/'.join(on_green.service or ('', ''))} does not answer)"), GREEN, on_green.obj
        elif green.serves_group_version(gv) is False:
            problem, side, subject = "is not served on green", BLUE, service.obj
        else:
            continue
        users = _users(blue, group_of(gv))
        used = f"; blue uses it: {describe_objects(users)}" if users else ""
        yield CheckResult(
            ID, BLOCKER if users else WARNING, subject.ref,
            f"aggregated API {gv} (served on blue by service {backend}) {problem}{used}",
            f"install what serves {gv} on green (the service {backend}, the workload behind it and its APIService "
            f"{service.name}) and check `kubectl get apiservice {service.name}` shows Available=True before "
            "switching traffic",
            side=side, where=subject.where)


CHECK = Check(id=ID, severity=BLOCKER, run=_run, cannot_run=_cannot_run)
