"""Plan an upgrade that stays inside the skew policy at every moment.

The control plane moves one minor at a time (the policy's ``control_plane_max_hop``). Before each
hop, every other component is checked against the cluster as it will be during and after the hop
(old and new kube-apiserver instances side by side); whatever would fall out of range moves first,
as late as possible and as far as the policy allows at that moment (kubelets to the current
control-plane version). Moving late and as far as possible is what keeps node rollouts to the
minimum: a node is rolled only when the next hop would leave it unsupported, and then goes as far as
it can, so no schedule can roll a node fewer times.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pluto_py.core.versions import KubeVersion
from pluto_py.skew.check import Constraint, allowed_versions, check, constraints_for
from pluto_py.skew.model import MANAGED_CONTROL_PLANES, ClusterState, Instance, Violation
from pluto_py.skew.policy import (
    CLOUD_CONTROLLER_MANAGER,
    CONTROLLERS,
    KUBE_APISERVER,
    KUBE_CONTROLLER_MANAGER,
    KUBE_PROXY,
    KUBE_SCHEDULER,
    KUBECTL,
    KUBELET,
    Policy,
)

ACTION_REMEDIATE = "bring-into-policy"
ACTION_NODES = "roll-nodes"
ACTION_KUBE_PROXY = "kube-proxy"
ACTION_CONTROL_PLANE = "control-plane"
ACTION_CONTROLLERS = "controllers"
ACTION_KUBECTL = "kubectl"
ACTION_FINISH = "finish-nodes"

_PREREQUISITE_NOTE = "apiserver-prerequisite-kubelets"


class PlanError(ValueError):
    """A plan that cannot be asked for (no kube-apiserver, target older than the cluster, ...)."""


@dataclass(frozen=True, slots=True)
class Change:
    key: str
    component: str
    node: str | None
    before: KubeVersion
    after: KubeVersion


@dataclass(frozen=True, slots=True)
class Step:
    number: int
    component: str
    before: KubeVersion
    after: KubeVersion
    nodes: tuple[str, ...]
    note: str
    action: str
    hop: KubeVersion | None  # the control-plane version this step moves to or prepares for
    changes: tuple[Change, ...]
    findings: tuple[Any, ...] = ()  # pluto_py.core.model.Finding, attached by --scan
    deprecations: tuple[Any, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "step": self.number,
            "component": self.component,
            "from": str(self.before),
            "to": str(self.after),
            "nodes": list(self.nodes),
            "note": self.note,
            "action": self.action,
            "hop": str(self.hop) if self.hop is not None else None,
            "instances": len(self.changes),
        }
        if self.action == ACTION_CONTROL_PLANE:
            record["findings"] = [finding.to_dict() for finding in self.findings]
            record["deprecations"] = [finding.to_dict() for finding in self.deprecations]
        return record


@dataclass(frozen=True, slots=True)
class Plan:
    start: ClusterState
    current: KubeVersion
    target: KubeVersion
    steps: tuple[Step, ...]
    blockers: tuple[Violation, ...] = ()
    notes: tuple[str, ...] = ()
    scanned: bool = False

    @property
    def hops(self) -> list[KubeVersion]:
        return [step.hop for step in self.steps if step.action == ACTION_CONTROL_PLANE and step.hop]

    @property
    def node_rollouts(self) -> int:
        """How many times a node is drained and its kubelet upgraded, over the whole plan."""
        return sum(1 for step in self.steps for change in step.changes if change.component == KUBELET)

    @property
    def final(self) -> ClusterState:
        state = self.start
        for step in self.steps:
            state = state.with_versions({c.key: c.after for c in step.changes})
        return state

    def states(self) -> Iterator[ClusterState]:
        """The start, then every state the cluster passes through, one instance (or node) at a time.

        A node's kubelet and the kube-proxy that a step moves with it change together; kube-apiserver
        instances change one by one, so HA clusters are checked while old and new instances coexist.
        """
        state = self.start
        yield state
        for step in self.steps:
            units: dict[str, dict[str, KubeVersion]] = {}
            for change in step.changes:
                unit = change.node if change.node is not None and change.component in (KUBELET, KUBE_PROXY) \
                    else change.key
                units.setdefault(unit, {})[change.key] = change.after
            for moves in units.values():
                state = state.with_versions(moves)
                yield state

    def with_scan(self, removed: Mapping[KubeVersion, Sequence[Any]],
                  deprecated: Mapping[KubeVersion, Sequence[Any]]) -> Plan:
        steps = tuple(
            replace(step, findings=tuple(removed.get(step.hop, ())),
                    deprecations=tuple(deprecated.get(step.hop, ())))
            if step.action == ACTION_CONTROL_PLANE and step.hop is not None else step
            for step in self.steps
        )
        return replace(self, steps=steps, scanned=True)


@dataclass
class _Builder:
    policy: Policy
    state: ClusterState
    steps: list[Step] = field(default_factory=list)

    def add(self, component: str, changes: Sequence[Change], note: str, action: str,
            hop: KubeVersion | None) -> None:
        """Add one step per (from, to) group of ``changes`` (all of ``component``) and apply it."""
        groups: dict[tuple[KubeVersion, KubeVersion], list[Change]] = {}
        for change in changes:
            groups.setdefault((change.before, change.after), []).append(change)
        for (before, after), group in sorted(groups.items(), key=lambda item: item[0]):
            nodes = tuple(c.node for c in group if c.component == component and c.node is not None)
            self._append(component, before, after, nodes, group, note, action, hop)

    def _append(self, component: str, before: KubeVersion, after: KubeVersion, nodes: tuple[str, ...],
                changes: Sequence[Change], note: str, action: str, hop: KubeVersion | None) -> None:
        step = Step(len(self.steps) + 1, component, before, after, nodes, note, action, hop, tuple(changes))
        self.steps.append(step)
        self.state = self.state.with_versions({c.key: c.after for c in changes})


def _change(instance: Instance, version: KubeVersion) -> Change:
    return Change(instance.key, instance.component, instance.node, instance.version, version)


def _apiservers_at(state: ClusterState, version: KubeVersion) -> ClusterState:
    return state.with_versions({a.key: version for a in state.apiservers if a.version < version})


def _hop_constraints(instance: Instance, before: ClusterState, after: ClusterState,
                     policy: Policy) -> list[Constraint]:
    return constraints_for(instance, before, policy) + constraints_for(after.get(instance.key), after, policy)


def _first_failure(version: KubeVersion, constraints: Iterable[Constraint]) -> Constraint | None:
    failing = [c for c in constraints if not c.allows(version)]
    return max(failing, key=lambda c: abs(version.minus(c.reference))) if failing else None


def _why(instance: Instance, constraint: Constraint) -> str:
    ahead = instance.version.minus(constraint.reference)
    relation = f"{abs(ahead)} minor version{'s' if abs(ahead) != 1 else ''} " \
               f"{'newer' if ahead > 0 else 'older'} than"
    return (f"{instance.component} {instance.version} would be {relation} "
            f"{constraint.reference_component} {constraint.reference} (rule {constraint.rule.id})")


def _with_assumed_controllers(state: ClusterState) -> ClusterState:
    """Assume kube-controller-manager and kube-scheduler match the oldest kube-apiserver when not given.

    Not on managed control planes (EKS, GKE): the provider moves them with kube-apiserver.
    """
    oldest = state.oldest_apiserver
    if oldest is None or state.distribution in MANAGED_CONTROL_PLANES:
        return state
    extra = [Instance(component, oldest, f"{component} (assumed)", None, None, assumed=True)
             for component in (KUBE_CONTROLLER_MANAGER, KUBE_SCHEDULER) if not state.of(component)]
    return state.with_instances(extra) if extra else state


def _settle(builder: _Builder, hop: KubeVersion | None) -> list[str]:
    """Move whatever would be out of range (now, or during and after the hop to ``hop``) as far as allowed.

    Nodes first (the kubelet, with its kube-proxy when that must follow), then kube-proxy alone,
    then controllers and kubectl. Returns a description of each instance no upgrade can fix.
    """
    policy = builder.policy
    action_nodes = ACTION_NODES if hop is not None else ACTION_REMEDIATE
    when = f"before kube-apiserver moves to {hop}" if hop is not None else "outside the policy now"
    stuck: list[str] = []

    def moves(state: ClusterState, component: str) -> tuple[dict[str, Change], dict[str, str]]:
        after = _apiservers_at(state, hop) if hop is not None else state
        found: dict[str, Change] = {}
        reasons: dict[str, str] = {}
        for instance in state.of(component):
            constraints = _hop_constraints(instance, state, after, policy)
            failure = _first_failure(instance.version, constraints)
            if failure is None:
                continue
            allowed = allowed_versions(constraints)
            if allowed is None or allowed.max <= instance.version:
                stuck.append(f"{component} {instance.version} ({instance.label}): " + _why(instance, failure))
                continue
            found[instance.key] = _change(instance, allowed.max)
            reason = _why(instance, failure)
            reasons[instance.key] = reason if hop is not None else reason.replace(" would be ", " is ", 1)
        return found, reasons

    # 1. Nodes whose kubelet would be out of range: roll them, as far as allowed.
    kubelet_moves, reasons = moves(builder.state, KUBELET)
    moved = builder.state.with_versions({c.key: c.after for c in kubelet_moves.values()})
    # 2. kube-proxy, against the control plane and the (possibly rolled) kubelet beside it.
    proxy_moves, proxy_reasons = moves(moved, KUBE_PROXY)
    reasons.update(proxy_reasons)

    rolled_nodes = {c.node for c in kubelet_moves.values() if c.node is not None}
    drain = "drain each node first (in-place minor kubelet upgrades are not supported)" \
        if policy.upgrade.kubelet_drain else "upgrade the nodes"
    by_versions: dict[tuple[KubeVersion, KubeVersion], list[Change]] = {}
    for change in kubelet_moves.values():
        by_versions.setdefault((change.before, change.after), []).append(change)
    for _, group in sorted(by_versions.items(), key=lambda item: item[0]):
        nodes = {c.node for c in group if c.node is not None}
        riders = [c for c in proxy_moves.values() if c.node in nodes]
        note = f"{when}: {reasons[group[0].key]}; {drain}"
        if riders:
            note += "; kube-proxy on these nodes moves with them"
        builder.add(KUBELET, group + riders, note, action_nodes, hop)
    loose = [c for c in proxy_moves.values() if c.node not in rolled_nodes]
    if loose:
        builder.add(KUBE_PROXY, loose, f"{when}: {reasons[loose[0].key]}",
                    ACTION_KUBE_PROXY if hop is not None else ACTION_REMEDIATE, hop)

    # 3. Controllers and kubectl.
    for component in (*CONTROLLERS, KUBECTL):
        changes, why = moves(builder.state, component)
        if changes:
            action = ACTION_REMEDIATE if hop is None else (ACTION_KUBECTL if component == KUBECTL
                                                           else ACTION_CONTROLLERS)
            first = next(iter(changes))
            builder.add(component, list(changes.values()), f"{when}: {why[first]}", action, hop)
    return stuck


def _remediate(builder: _Builder) -> list[Violation]:
    """Move components that are too old *now* up into range; return what upgrades cannot fix."""
    if not check(builder.state, builder.policy):
        return []
    if any(v.component == KUBE_APISERVER for v in check(builder.state, builder.policy)):
        return check(builder.state, builder.policy)
    _settle(builder, None)
    return check(builder.state, builder.policy)


def _prepare_hop(builder: _Builder, hop: KubeVersion) -> None:
    stuck = _settle(builder, hop)
    if stuck:
        raise PlanError(f"cannot keep everything in range for the hop to {hop}: {'; '.join(stuck)}")


def _hop(builder: _Builder, hop: KubeVersion) -> None:
    _prepare_hop(builder, hop)
    state = builder.state
    apiservers = [a for a in state.apiservers if a.version < hop]
    total = len(state.apiservers)
    note = f"one minor version at a time (never skip a minor); review the {hop} release notes and " \
           f"admission webhooks first"
    if total > 1:
        note += f"; upgrade the {total} instances one at a time: while old and new instances coexist, " \
                "everything else must suit both"
    if state.distribution in MANAGED_CONTROL_PLANES:
        note += f"; on {state.distribution.upper()} the provider upgrades the whole control plane in this step"
    far = sorted({k.version for k in state.of(KUBELET) if hop.minus(k.version) > 2})
    contradiction = next((c for c in builder.policy.contradictions if c.id == _PREREQUISITE_NOTE), None)
    if far and contradiction is not None:
        note += (f"; kubelets at {', '.join(str(v) for v in far)} may stay "
                 f"{hop.minus(far[0])} minors behind (the skew policy allows it; the page's upgrade "
                 "prerequisites still say N-1 or N-2, see the 'apiserver-prerequisite-kubelets' note)")
    builder.add(KUBE_APISERVER, [_change(a, hop) for a in apiservers], note, ACTION_CONTROL_PLANE, hop)
    for component in CONTROLLERS:
        current = builder.state
        behind = [c for c in current.of(component) if c.version < hop]
        if not behind:
            continue
        note = f"after every kube-apiserver instance is at {hop}"
        if component == KUBE_CONTROLLER_MANAGER:
            note += "; kube-controller-manager, kube-scheduler and cloud-controller-manager may move in any order"
        if any(c.assumed for c in behind):
            note += "; version not given, assumed to match kube-apiserver"
        if component == CLOUD_CONTROLLER_MANAGER:
            note += "; the cloud provider's release must support " + str(hop)
        builder.add(component, [_change(c, hop) for c in behind], note, ACTION_CONTROLLERS, hop)


def _finish_nodes(builder: _Builder, target: KubeVersion) -> None:
    state = builder.state
    kubelets = [k for k in state.of(KUBELET) if k.version < target]
    riders = [p for p in state.of(KUBE_PROXY) if p.version < target
              and p.node is not None and any(k.node == p.node for k in kubelets)]
    drain = "; drain each node first" if builder.policy.upgrade.kubelet_drain else ""
    if kubelets:
        builder.add(KUBELET, [_change(k, target) for k in kubelets] + [_change(p, target) for p in riders],
                    f"bring the nodes to {target} (requested with --nodes-to-target){drain}", ACTION_FINISH, None)
    rest = [p for p in builder.state.of(KUBE_PROXY) if p.version < target]
    if rest:
        builder.add(KUBE_PROXY, [_change(p, target) for p in rest], f"bring kube-proxy to {target}",
                    ACTION_FINISH, None)


def _closing_notes(state: ClusterState, target: KubeVersion, policy: Policy) -> list[str]:
    """Which node components must move before the *next* control-plane hop after the target."""
    notes: list[str] = []
    following = target.bump(policy.upgrade.control_plane_max_hop)
    after = _apiservers_at(state, following)
    for component in (KUBELET, KUBE_PROXY):
        stuck: dict[KubeVersion, list[str]] = {}
        for instance in state.of(component):
            if _first_failure(instance.version, constraints_for(after.get(instance.key), after, policy)):
                stuck.setdefault(instance.version, []).append(instance.label)
        for version, labels in sorted(stuck.items()):
            shown = ", ".join(labels[:5]) + (f" and {len(labels) - 5} more" if len(labels) > 5 else "")
            notes.append(f"{component} {version} ({shown}) is {target.minus(version)} minor version(s) behind "
                         f"{target}: it must be upgraded before the control plane can move to {following}")
    return notes


def plan_upgrade(state: ClusterState, target: KubeVersion, policy: Policy, *,
                 nodes_to_target: bool = False) -> Plan:
    """The ordered steps from ``state`` to a control plane at ``target``.

    Raises PlanError when no plan can be asked for; a state outside the policy that upgrades cannot
    repair gives a Plan with ``blockers`` and no steps.
    """
    oldest, newest = state.oldest_apiserver, state.newest_apiserver
    if oldest is None or newest is None:
        raise PlanError("planning needs the kube-apiserver version (--apiserver or --version-info)")
    if target.major != newest.major:
        raise PlanError(f"target {target}: only upgrades within Kubernetes {newest.major}.x are planned")
    if target < newest:
        raise PlanError(f"target {target} is older than kube-apiserver {newest}: downgrades are not planned")
    start = _with_assumed_controllers(state)
    builder = _Builder(policy, start)
    blockers = _remediate(builder)
    if blockers:
        return Plan(start, oldest, target, (), tuple(blockers),
                    ("the current state is outside the policy in ways upgrades cannot repair: "
                     "fix these first",))
    max_hop = policy.upgrade.control_plane_max_hop
    while True:
        low, high = builder.state.oldest_apiserver, builder.state.newest_apiserver
        assert low is not None and high is not None
        if high > low:
            hop = high  # finish a hop that is under way (HA instances at N and N-1)
        elif low < target:
            hop = min(low.bump(max_hop), target)
        else:
            break
        _hop(builder, hop)
    if nodes_to_target:
        _finish_nodes(builder, target)
    notes = _closing_notes(builder.state, target, policy)
    return Plan(start, oldest, target, tuple(builder.steps), (), tuple(notes))
