"""pdb-blocks-drain: a PodDisruptionBudget that allows no eviction, so draining its nodes hangs.

When the object carries ``status.disruptionsAllowed`` (a live object), that is the answer. Else it
is computed as the disruption controller would with every selected pod healthy: the expected
count is the replicas of the Deployments, StatefulSets, ReplicaSets and ReplicationControllers in
the PDB's namespace whose pod template the selector matches (a ReplicaSet owned by a Deployment
of the inputs counts through its Deployment), or, with no such workload, the selected Pods
themselves (only an integer minAvailable works for those). Percentages round up, for
minAvailable and maxUnavailable alike (kubernetes.io, "Specifying a Disruption Budget": rounding
logic). policy/v1 selects every pod of the namespace with an empty selector, policy/v1beta1 none.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pluto_py.preflight.context import PreflightContext
from pluto_py.preflight.model import BLOCKER, Check, Rule
from pluto_py.preflight.selectors import SelectorError, is_empty, selector_matches
from pluto_py.preflight.view import ClusterObject, ClusterView, mapping

PDB_BLOCKS_DRAIN = "pdb-blocks-drain"
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")
_PERCENT = re.compile(r"^\s*([0-9]{1,3})%\s*$")
ROUNDING_SOURCE = ("https://kubernetes.io/docs/tasks/run-application/configure-pdb/"
                   "#rounding-logic-when-specifying-percentages")


@dataclass(frozen=True, slots=True)
class Budget:
    allowed: int
    expected: int | None
    basis: str  # "status" or "computed"
    selected: tuple[str, ...] = ()


def _int_or_percent(value: Any) -> tuple[int, bool] | None:
    """(number, is_percentage), or None when the value is not a valid IntOrString."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (value, False) if value >= 0 else None
    if isinstance(value, str):
        matched = _PERCENT.match(value)
        if matched:
            return int(matched.group(1)), True
        if value.strip().isdigit():
            return int(value.strip()), False
    return None


def _scaled(value: tuple[int, bool], expected: int) -> int:
    number, percent = value
    return math.ceil(number * expected / 100) if percent else number


def _replicas(workload: ClusterObject) -> int:
    replicas = workload.spec.get("replicas", 1)
    return replicas if isinstance(replicas, int) and not isinstance(replicas, bool) and replicas >= 0 else 1


def _selects(pdb: ClusterObject, labels: Mapping[str, Any]) -> bool:
    selector = pdb.spec.get("selector")
    if not isinstance(selector, Mapping):
        return False  # a null selector selects no pods
    if is_empty(selector):
        return pdb.api_version == "policy/v1"
    return selector_matches(selector, labels)


def _selected_workloads(pdb: ClusterObject, view: ClusterView) -> list[ClusterObject]:
    found: list[ClusterObject] = []
    for workload in view.of_kind(*WORKLOAD_KINDS):
        if workload.namespace != pdb.namespace:
            continue
        owner = workload.controller
        if (workload.kind == "ReplicaSet" and owner is not None and owner.get("kind") == "Deployment"
                and view.get("Deployment", workload.namespace, str(owner.get("name"))) is not None):
            continue  # counted through its Deployment
        template = mapping(mapping(workload.spec.get("template")).get("metadata"))
        if _selects(pdb, mapping(template.get("labels"))):
            found.append(workload)
    return found


def _selected_pods(pdb: ClusterObject, view: ClusterView) -> list[ClusterObject]:
    return [pod for pod in view.of_kind("Pod")
            if pod.namespace == pdb.namespace and pod.status.get("phase") not in ("Succeeded", "Failed")
            and _selects(pdb, pod.labels)]


def budget_of(pdb: ClusterObject, view: ClusterView) -> Budget | None:
    """The disruptions ``pdb`` allows, or None when that cannot be known (or nothing is selected)."""
    allowed = pdb.status.get("disruptionsAllowed")
    if isinstance(allowed, int) and not isinstance(allowed, bool):
        expected = pdb.status.get("expectedPods")
        expected_count = expected if isinstance(expected, int) and not isinstance(expected, bool) else None
        if expected_count == 0:
            return None  # nothing to evict
        return Budget(allowed, expected_count, "status")
    min_available = _int_or_percent(pdb.spec.get("minAvailable"))
    max_unavailable = _int_or_percent(pdb.spec.get("maxUnavailable"))
    if min_available is None and max_unavailable is None:
        return None
    try:
        workloads = _selected_workloads(pdb, view)
        if workloads:
            expected = sum(_replicas(w) for w in workloads)
            selected = tuple(f"{w.kind}/{w.name}" for w in workloads)
        else:
            if min_available is None or min_available[1]:
                return None  # the controller needs a scalable owner for percentages and maxUnavailable
            pods = _selected_pods(pdb, view)
            expected, selected = len(pods), tuple(f"Pod/{p.name}" for p in pods)
    except SelectorError:
        return None  # the API server would not have stored it
    if expected == 0:
        return None
    if min_available is not None:
        allowed_count = max(0, expected - _scaled(min_available, expected))
    else:
        assert max_unavailable is not None
        allowed_count = min(expected, _scaled(max_unavailable, expected))
    return Budget(allowed_count, expected, "computed", selected)


def run(context: PreflightContext) -> Iterator[Check]:
    for pdb in context.view.of_kind("PodDisruptionBudget"):
        budget = budget_of(pdb, context.view)
        if budget is None or budget.allowed > 0:
            continue
        spec_text = ", ".join(f"{key} {pdb.spec[key]}" for key in ("minAvailable", "maxUnavailable")
                              if key in pdb.spec)
        if budget.basis == "status":
            why = "its status says 0 disruptions are allowed"
        else:
            why = f"{spec_text or 'its budget'} leaves no pod to evict out of {budget.expected}"
        yield Check(
            id=PDB_BLOCKS_DRAIN, severity=BLOCKER, object=pdb.ref(),
            message=f"PodDisruptionBudget {pdb.name} allows no disruption ({why}): draining a node that runs "
                    "one of its pods waits forever, and the node upgrade stalls",
            fix="let at least one pod go: raise the replicas above minAvailable, or set maxUnavailable to 1 "
                "(or a percentage), for the time of the upgrade; or make sure the selected pods are healthy",
            evidence={"basis": budget.basis, "disruptions_allowed": budget.allowed,
                      "expected_pods": budget.expected,
                      "min_available": _evidence(pdb.spec.get("minAvailable")),
                      "max_unavailable": _evidence(pdb.spec.get("maxUnavailable")),
                      "selected": ", ".join(budget.selected) or None,
                      "source": ROUNDING_SOURCE},
            key=(),
        )


def _evidence(value: Any) -> str | int | None:
    if isinstance(value, bool) or value is None:
        return None
    return value if isinstance(value, int) else str(value)


RULES = (
    Rule(PDB_BLOCKS_DRAIN, BLOCKER, run),
)
