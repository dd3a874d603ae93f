"""Check a cluster state against the skew policy.

Every bound is a *constraint*: a rule, and the version of the instance it compares with. A
component must satisfy the constraints against every kube-apiserver instance it may talk to, each
judged by the rules in force at that instance's release; that is how skew between HA instances
narrows the allowed range (the policy's "HA" notes), without special cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pluto_py.core.skew_policy import (
    CONTROLLERS,
    KUBE_APISERVER,
    KUBELET,
    RELATIVE_APISERVER,
    RELATIVE_SAME_NODE_KUBELET,
    Policy,
    Rule,
)
from pluto_py.core.versions import KubeVersion
from pluto_py.skew.model import ClusterState, Instance, VersionRange, Violation

_WINDOW = 12  # minors either side of the references searched for allowed versions


@dataclass(frozen=True, slots=True)
class Constraint:
    rule: Rule
    reference: KubeVersion
    reference_component: str
    reference_label: str | None

    def allows(self, version: KubeVersion) -> bool:
        return self.rule.allows(version, self.reference)

    def describe_reference(self) -> str:
        where = f" ({self.reference_label})" if self.reference_label else ""
        return f"{self.reference_component} {self.reference}{where}"


def _apiservers_for(instance: Instance, state: ClusterState) -> list[Instance]:
    """The kube-apiserver instances ``instance`` may talk to.

    Controllers whose node names a kube-apiserver instance talk to that one (stacked control plane
    with a local endpoint); everything else is assumed to reach any instance (load balancer).
    """
    apiservers = state.apiservers
    if instance.component in CONTROLLERS and instance.node is not None:
        local = [a for a in apiservers if a.node == instance.node]
        if local:
            return local
    return apiservers


def constraints_for(instance: Instance, state: ClusterState, policy: Policy) -> list[Constraint]:
    """Every bound on ``instance`` in ``state``."""
    found: list[Constraint] = []
    newest = state.newest_apiserver
    if instance.component == KUBE_APISERVER:
        if newest is None:
            return found
        newest_instance = max(state.apiservers, key=lambda a: a.version)
        for rule in policy.rules_for(KUBE_APISERVER, newest):
            if rule.relative_to == RELATIVE_APISERVER:
                found.append(Constraint(rule, newest, KUBE_APISERVER, _name(newest_instance, state)))
        return found
    seen: set[tuple[str, KubeVersion]] = set()
    for apiserver in _apiservers_for(instance, state):
        for rule in policy.rules_for(instance.component, apiserver.version):
            if rule.relative_to != RELATIVE_APISERVER or (rule.id, apiserver.version) in seen:
                continue
            seen.add((rule.id, apiserver.version))
            found.append(Constraint(rule, apiserver.version, KUBE_APISERVER, _name(apiserver, state)))
    kubelet = state.kubelet_on(instance.node) if instance.component != KUBELET else None
    if kubelet is not None:
        policy_version = newest if newest is not None else kubelet.version
        for rule in policy.rules_for(instance.component, policy_version):
            if rule.relative_to == RELATIVE_SAME_NODE_KUBELET:
                found.append(Constraint(rule, kubelet.version, KUBELET, f"node {kubelet.node}"))
    return found


def _name(instance: Instance, state: ClusterState) -> str | None:
    """A label for a reference instance, when the state has several of its kind."""
    if len(state.of(instance.component)) < 2:
        return None
    return instance.node or instance.key


def allowed_versions(constraints: Sequence[Constraint]) -> VersionRange | None:
    """The versions satisfying every constraint, as a range (None: none does, or no constraints).

    The allowed set is always contiguous: each rule allows an interval around its reference, and an
    exception only tightens it for versions older than its cutoff.
    """
    if not constraints:
        return None
    major = constraints[0].reference.major
    lows = min(c.reference.minor for c in constraints) - _WINDOW
    highs = max(c.reference.minor for c in constraints) + _WINDOW
    allowed = [KubeVersion(major, minor) for minor in range(max(lows, 0), highs + 1)
               if all(c.allows(KubeVersion(major, minor)) for c in constraints)]
    if not allowed:
        return None
    return VersionRange(allowed[0], allowed[-1])


def allowed_for(instance: Instance, state: ClusterState, policy: Policy) -> VersionRange | None:
    return allowed_versions(constraints_for(instance, state, policy))


def _skew_phrase(version: KubeVersion, reference: KubeVersion) -> str:
    ahead = version.minus(reference)
    if ahead == 0:
        return "the same minor as"
    unit = "minor version" if abs(ahead) == 1 else "minor versions"
    return f"{abs(ahead)} {unit} {'newer' if ahead > 0 else 'older'} than"


def _message(instance: Instance, failing: Constraint, allowed: VersionRange | None) -> str:
    where = f" on node {instance.node}" if instance.node and instance.component in ("kubelet", "kube-proxy") \
        else (f" ({instance.node})" if instance.node else "")
    text = (f"{instance.component} {instance.version}{where} is "
            f"{_skew_phrase(instance.version, failing.reference)} {failing.describe_reference()}")
    limits = failing.rule.limits_for(instance.version)
    if limits != failing.rule.limits:
        cutoff = next(e.below for e in failing.rule.exceptions if instance.version < e.below)
        text += (f"; a {instance.component} older than {cutoff} may be at most "
                 f"{limits.max_older} older")
    allowed_text = f"allowed: {allowed}" if allowed else "no version satisfies this rule here"
    return f"{text} ({allowed_text}). Policy: {failing.rule.text}"


def violations_of(instance: Instance, state: ClusterState, policy: Policy) -> list[Violation]:
    constraints = constraints_for(instance, state, policy)
    by_rule: dict[str, list[Constraint]] = {}
    for constraint in constraints:
        by_rule.setdefault(constraint.rule.id, []).append(constraint)
    found: list[Violation] = []
    for group in by_rule.values():
        failing = [c for c in group if not c.allows(instance.version)]
        if not failing:
            continue
        worst = max(failing, key=lambda c: abs(instance.version.minus(c.reference)))
        allowed = allowed_versions(group)
        found.append(Violation(instance, worst.rule, allowed, worst.describe_reference(),
                               _message(instance, worst, allowed)))
    return found


def check(state: ClusterState, policy: Policy) -> list[Violation]:
    """Every violation of the policy in ``state``, in component order then by node."""
    from pluto_py.core.skew_policy import COMPONENTS

    found: list[Violation] = []
    for instance in state.instances:
        found.extend(violations_of(instance, state, policy))
    order = {name: index for index, name in enumerate(COMPONENTS)}
    found.sort(key=lambda v: (order.get(v.component, 99), v.instance.label, v.rule.id))
    return found


def is_valid(state: ClusterState, policy: Policy) -> bool:
    return not any(violations_of(instance, state, policy) for instance in state.instances)
