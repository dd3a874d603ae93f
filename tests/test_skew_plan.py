"""Upgrade plans: inside the policy at every moment, control plane +1 at a time, fewest node rollouts."""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pluto_py.core.skew_policy import KUBELET
from pluto_py.core.versions import KubeVersion, parse_version
from pluto_py.skew import (
    ClusterState,
    Instance,
    Plan,
    PlanError,
    allowed_for,
    build_state,
    check,
    is_valid,
    load_builtin_policy,
    plan_upgrade,
)

POLICY = load_builtin_policy()


def v(text: str) -> KubeVersion:
    return parse_version(text)


def state(**flags: Sequence[str] | str) -> ClusterState:
    names = {"apiserver": "kube-apiserver", "controller_manager": "kube-controller-manager",
             "scheduler": "kube-scheduler", "ccm": "cloud-controller-manager", "kubelet": "kubelet",
             "kube_proxy": "kube-proxy", "kubectl": "kubectl"}
    return build_state({names[k]: [x] if isinstance(x, str) else list(x) for k, x in flags.items()})


def summary(plan: Plan) -> list[tuple[str, str, str, tuple[str, ...]]]:
    return [(s.component, str(s.before), str(s.after), s.nodes) for s in plan.steps]


def assert_sound(plan: Plan, target: KubeVersion) -> None:
    """Every state the plan passes through is within policy; hops are +1; the end is the target."""
    assert not plan.blockers
    for moment in plan.states():
        assert is_valid(moment, POLICY), [x.message for x in check(moment, POLICY)]
    start_low, start_high = plan.start.oldest_apiserver, plan.start.newest_apiserver
    assert start_low is not None and start_high is not None
    expected = start_high if start_high > start_low else start_low.bump()
    for hop in plan.hops:
        assert hop == expected
        expected = hop.bump()
    final = plan.final
    assert final.apiserver_versions() == [target]
    for step in plan.steps:
        assert step.after > step.before  # upgrades only
        for change in step.changes:
            assert change.after > change.before


# --------------------------------------------------------------------------------- examples

def test_1_17_to_1_20_moves_the_1_17_kubelets_before_the_hop_to_1_20() -> None:
    plan = plan_upgrade(state(apiserver="1.17", controller_manager="1.17", scheduler="1.17",
                              kubelet=["node-1=1.17", "node-2=1.17"], kubectl="1.17"), v("1.20"), POLICY)
    assert_sound(plan, v("1.20"))
    steps = summary(plan)
    kubelet_steps = [s for s in steps if s[0] == "kubelet"]
    assert kubelet_steps == [("kubelet", "1.17", "1.19", ("node-1", "node-2"))]
    index = steps.index(kubelet_steps[0])
    assert steps[index + 1][:3] == ("kube-apiserver", "1.19", "1.20")
    assert steps[index - 1][:3] == ("kube-scheduler", "1.18", "1.19")
    assert plan.hops == [v("1.18"), v("1.19"), v("1.20")]
    assert plan.node_rollouts == 2
    assert "3 minor versions older than kube-apiserver 1.20" in plan.steps[index].note
    assert "drain" in plan.steps[index].note


def test_n_minus_3_kubelets_may_stay_from_1_28() -> None:
    # KEP-3935's point: 1.25 nodes under a 1.28 control plane need no rollout.
    plan = plan_upgrade(state(apiserver="1.25", kubelet=["w=1.25"]), v("1.28"), POLICY)
    assert_sound(plan, v("1.28"))
    assert plan.node_rollouts == 0
    assert any("must be upgraded before the control plane can move to 1.29" in n for n in plan.notes)
    apiserver_1_28 = next(s for s in plan.steps if s.component == "kube-apiserver" and s.after == v("1.28"))
    assert "apiserver-prerequisite-kubelets" in apiserver_1_28.note


def test_before_1_28_kubelets_move_after_two_hops() -> None:
    plan = plan_upgrade(state(apiserver="1.24", kubelet=["w=1.24"]), v("1.27"), POLICY)
    assert_sound(plan, v("1.27"))
    # 1.24 -> 1.26 is fine (n-2); the hop to 1.27 needs the kubelet at >= 1.25, and it goes to 1.26.
    assert [s for s in summary(plan) if s[0] == "kubelet"] == [("kubelet", "1.24", "1.26", ("w",))]


def test_kubelet_older_than_1_25_cannot_stay_three_behind() -> None:
    plan = plan_upgrade(state(apiserver="1.26", kubelet=["w=1.24"]), v("1.28"), POLICY)
    assert_sound(plan, v("1.28"))
    assert [s for s in summary(plan) if s[0] == "kubelet"] == [("kubelet", "1.24", "1.26", ("w",))]


def test_kube_proxy_moves_with_its_node_when_the_same_node_rule_needs_it() -> None:
    plan = plan_upgrade(state(apiserver="1.26", kubelet="w=1.24", kube_proxy="w=1.24"), v("1.27"), POLICY)
    assert_sound(plan, v("1.27"))
    [rollout] = [s for s in plan.steps if s.component == KUBELET]
    assert {(c.component, str(c.after)) for c in rollout.changes} == {("kubelet", "1.26"), ("kube-proxy", "1.26")}
    assert "kube-proxy on these nodes moves with them" in rollout.note


def test_ha_hop_in_progress_is_finished_first() -> None:
    plan = plan_upgrade(state(apiserver=["cp-1=1.28", "cp-2=1.27"], controller_manager="1.27", scheduler="1.27",
                              kubelet="w=1.27"), v("1.28"), POLICY)
    assert_sound(plan, v("1.28"))
    assert summary(plan)[0] == ("kube-apiserver", "1.27", "1.28", ("cp-2",))
    assert "one at a time" in plan.steps[0].note


def test_controllers_lagging_one_minor_catch_up_before_the_hop() -> None:
    plan = plan_upgrade(state(apiserver="1.28", controller_manager="1.27", scheduler="1.28"), v("1.29"), POLICY)
    assert_sound(plan, v("1.29"))
    assert summary(plan)[:2] == [("kube-controller-manager", "1.27", "1.28", ()),
                                 ("kube-apiserver", "1.28", "1.29", ())]


def test_kubectl_is_moved_along() -> None:
    plan = plan_upgrade(state(apiserver="1.26", kubectl="1.25"), v("1.29"), POLICY)
    assert_sound(plan, v("1.29"))
    assert [s[1:3] for s in summary(plan) if s[0] == "kubectl"] == [("1.25", "1.27"), ("1.27", "1.29")]


def test_missing_controllers_are_assumed_except_on_managed_control_planes() -> None:
    plan = plan_upgrade(state(apiserver="1.27"), v("1.28"), POLICY)
    assert [s[0] for s in summary(plan)] == ["kube-apiserver", "kube-controller-manager", "kube-scheduler"]
    assert "assumed" in plan.steps[1].note
    eks = plan_upgrade(state(apiserver="v1.27.8-eks-8cb36c9"), v("1.28"), POLICY)
    assert [s[0] for s in summary(eks)] == ["kube-apiserver"]
    assert "EKS" in eks.steps[0].note


def test_nodes_to_target() -> None:
    plan = plan_upgrade(state(apiserver="1.28", kubelet=["a=1.28", "b=1.26"], kube_proxy=["b=1.26"]), v("1.29"),
                        POLICY, nodes_to_target=True)
    assert_sound(plan, v("1.29"))
    final = plan.final
    assert {str(k.version) for k in final.of("kubelet")} == {"1.29"}
    assert {str(p.version) for p in final.of("kube-proxy")} == {"1.29"}


def test_nothing_to_do_at_the_target() -> None:
    plan = plan_upgrade(state(apiserver="1.28", kubelet="a=1.28"), v("1.28"), POLICY)
    assert plan.steps == () and not plan.blockers


def test_state_outside_policy_is_brought_into_it_first_when_upgrades_can() -> None:
    plan = plan_upgrade(state(apiserver="1.27", kubelet="old=1.24", kube_proxy="old=1.24"), v("1.28"), POLICY)
    assert plan.steps[0].action == "bring-into-policy"
    assert plan.steps[0].after == v("1.27")
    for moment in list(plan.states())[2:]:
        assert is_valid(moment, POLICY)


@pytest.mark.parametrize("flags", [
    {"apiserver": "1.27", "kubelet": "new=1.28"},           # newer than the control plane
    {"apiserver": ["1.28", "1.26"]},                        # HA instances two apart
    {"apiserver": "1.27", "controller_manager": "1.28"},
])
def test_states_upgrades_cannot_repair_give_blockers(flags: dict[str, str]) -> None:
    plan = plan_upgrade(state(**flags), v("1.29"), POLICY)
    assert plan.blockers and not plan.steps


@pytest.mark.parametrize("flags, target, message", [
    ({"apiserver": "1.28"}, "1.27", "downgrades"),
    ({"kubelet": "1.28"}, "1.29", "kube-apiserver version"),
    ({"apiserver": "1.28"}, "2.0", "only upgrades within"),
])
def test_impossible_requests(flags: dict[str, str], target: str, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        plan_upgrade(state(**flags), v(target), POLICY)


def test_json_plan_steps_have_the_contract_fields() -> None:
    plan = plan_upgrade(state(apiserver="1.17", kubelet="n=1.17"), v("1.20"), POLICY)
    for number, step in enumerate(plan.steps, 1):
        record = step.to_dict()
        assert {"step", "component", "from", "to", "nodes", "note"} <= set(record)
        assert record["step"] == number


# --------------------------------------------------------------------------------- properties

@st.composite
def valid_states(draw: st.DrawFn) -> ClusterState:
    low = draw(st.integers(min_value=10, max_value=34))
    instances: list[Instance] = []
    count = draw(st.integers(min_value=1, max_value=3))
    versions = [low] + [draw(st.sampled_from([low, low + 1])) for _ in range(count - 1)]
    for index, minor in enumerate(versions):
        instances.append(Instance("kube-apiserver", KubeVersion(1, minor), f"api/{index}", f"cp-{index}"))
    base = ClusterState(tuple(instances))

    def pick(component: str, key: str, node: str | None, current: ClusterState) -> ClusterState:
        probe = current.with_instances([Instance(component, KubeVersion(1, low), key, node)])
        allowed = allowed_for(probe.get(key), probe, POLICY)
        if allowed is None:
            return current
        minor = draw(st.integers(min_value=allowed.min.minor, max_value=allowed.max.minor))
        return current.with_instances([Instance(component, KubeVersion(1, minor), key, node)])

    current = base
    for component in ("kube-controller-manager", "kube-scheduler", "cloud-controller-manager"):
        if draw(st.booleans()):
            local = draw(st.sampled_from([None, "cp-0"]))
            current = pick(component, f"{component}/0", local, current)
    for index in range(draw(st.integers(min_value=0, max_value=4))):
        node = f"node-{index}"
        current = pick("kubelet", f"kubelet/{node}", node, current)
        if draw(st.booleans()):
            current = pick("kube-proxy", f"kube-proxy/{node}", node, current)
    if draw(st.booleans()):
        current = pick("kubectl", "kubectl/0", None, current)
    assert is_valid(current, POLICY), [x.message for x in check(current, POLICY)]
    return current


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_states(), st.integers(min_value=0, max_value=7), st.booleans())
def test_every_moment_of_every_plan_is_within_policy(start: ClusterState, ahead: int, finish: bool) -> None:
    newest = start.newest_apiserver
    assert newest is not None
    target = newest.bump(ahead)
    plan = plan_upgrade(start, target, POLICY, nodes_to_target=finish)
    assert_sound(plan, target)
    if finish:
        assert all(k.version == target for k in plan.final.of("kubelet"))


def _fewest_rollouts(control_plane: int, kubelet: int, target: int) -> int:
    """Brute force: the fewest kubelet upgrades that keep one node in policy from here to the target."""
    def ok(k: int, cp: int) -> bool:
        return all(not x for x in check(state(apiserver=f"1.{cp}", kubelet=f"n=1.{k}"), POLICY))

    queue = [(0, control_plane, kubelet)]
    seen: set[tuple[int, int]] = set()
    while queue:
        cost, cp, k = heapq.heappop(queue)
        if cp == target:
            return cost
        if (cp, k) in seen:
            continue
        seen.add((cp, k))
        if ok(k, cp + 1):
            heapq.heappush(queue, (cost, cp + 1, k))
        for newer in range(k + 1, cp + 1):
            if ok(newer, cp):
                heapq.heappush(queue, (cost + 1, cp, newer))
    raise AssertionError("no way to the target")


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=14, max_value=32), st.integers(min_value=0, max_value=3),
       st.integers(min_value=1, max_value=7))
def test_node_rollouts_are_the_fewest_possible(control_plane: int, behind: int, ahead: int) -> None:
    start = state(apiserver=f"1.{control_plane}", kubelet=f"n=1.{control_plane - behind}")
    if not is_valid(start, POLICY):
        return
    plan = plan_upgrade(start, v(f"1.{control_plane + ahead}"), POLICY)
    assert plan.node_rollouts == _fewest_rollouts(control_plane, control_plane - behind, control_plane + ahead)
