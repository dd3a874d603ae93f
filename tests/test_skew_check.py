"""Every rule of the skew policy at its boundaries."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from pluto_py.core.versions import parse_version
from pluto_py.skew import ClusterState, Violation, allowed_for, build_state, check, load_builtin_policy

POLICY = load_builtin_policy()


def state(**flags: Sequence[str] | str) -> ClusterState:
    names = {"apiserver": "kube-apiserver", "controller_manager": "kube-controller-manager",
             "scheduler": "kube-scheduler", "ccm": "cloud-controller-manager", "kubelet": "kubelet",
             "kube_proxy": "kube-proxy", "kubectl": "kubectl"}
    return build_state({names[k]: [v] if isinstance(v, str) else list(v) for k, v in flags.items()})


def violations(**flags: Sequence[str] | str) -> list[Violation]:
    return check(state(**flags), POLICY)


def rules(**flags: Sequence[str] | str) -> list[tuple[str, str]]:
    return [(v.component, v.rule.id) for v in violations(**flags)]


# --------------------------------------------------------------------------------- kube-apiserver

@pytest.mark.parametrize("apiservers, ok", [
    (["1.28"], True),
    (["1.28", "1.28", "1.28"], True),
    (["1.28", "1.27"], True),
    (["1.28", "1.27", "1.27"], True),
    (["1.28", "1.26"], False),
    (["1.28", "1.27", "1.26"], False),
])
def test_ha_apiservers_within_one_minor(apiservers: list[str], ok: bool) -> None:
    found = rules(apiserver=apiservers)
    assert (not found) is ok
    if not ok:
        assert ("kube-apiserver", "kube-apiserver-ha") in found
        bad = [v for v in violations(apiserver=apiservers) if v.component == "kube-apiserver"]
        assert {str(v.instance.version) for v in bad} == {"1.26"}  # the old one is the one to move
        assert str(bad[0].allowed) == "1.27-1.29"


# --------------------------------------------------------------------------------- kubelet

@pytest.mark.parametrize("apiserver, kubelet, ok", [
    # before KEP-3935: n-2
    ("1.27", "1.27", True), ("1.27", "1.25", True), ("1.27", "1.24", False), ("1.20", "1.17", False),
    ("1.26", "1.24", True),
    # from 1.28: n-3 ...
    ("1.28", "1.25", True), ("1.29", "1.26", True), ("1.30", "1.27", True), ("1.29", "1.25", False),
    # ... but a kubelet older than 1.25 only n-2
    ("1.28", "1.24", False), ("1.27", "1.24", False), ("1.26", "1.24", True),
    # never newer
    ("1.28", "1.29", False), ("1.17", "1.18", False),
])
def test_kubelet_against_apiserver(apiserver: str, kubelet: str, ok: bool) -> None:
    found = rules(apiserver=apiserver, kubelet=kubelet)
    assert (("kubelet", "kubelet-apiserver") not in found) is ok


def test_kubelet_older_than_1_25_message_names_the_exception() -> None:
    [violation] = violations(apiserver="1.28", kubelet="w1=1.24")
    assert violation.instance.node == "w1"
    assert str(violation.allowed) == "1.25-1.28"
    assert "older than 1.25 may be at most 2 older" in violation.message
    assert violation.rule.since == parse_version("1.28")
    assert violation.rule.source_url.startswith("https://kubernetes.io/releases/version-skew-policy/")


@pytest.mark.parametrize("kubelet, ok", [("1.28", False), ("1.27", True), ("1.26", True), ("1.25", True),
                                         ("1.24", False)])
def test_ha_skew_narrows_kubelets(kubelet: str, ok: bool) -> None:
    # The policy's example: instances at N and N-1 -> kubelets at N-1, N-2, N-3 (N is newer than N-1).
    found = rules(apiserver=["1.28", "1.27"], kubelet=kubelet)
    assert (not found) is ok


def test_ha_narrowing_judges_each_instance_by_its_own_release() -> None:
    # 1.25 is three behind 1.28 (allowed by the 1.28 policy) and two behind 1.27 (allowed by 1.27's).
    assert str(allowed_for(state(apiserver=["1.28", "1.27"], kubelet="1.25").of("kubelet")[0],
                           state(apiserver=["1.28", "1.27"], kubelet="1.25"), POLICY)) == "1.25-1.27"
    # Before 1.28 both instances use n-2.
    s = state(apiserver=["1.27", "1.26"], kubelet="1.25")
    assert str(allowed_for(s.of("kubelet")[0], s, POLICY)) == "1.25-1.26"


# --------------------------------------------------------------------------------- kube-proxy

@pytest.mark.parametrize("apiserver, proxy, ok", [
    ("1.27", "1.25", True), ("1.27", "1.24", False), ("1.28", "1.25", True), ("1.28", "1.24", False),
    ("1.26", "1.24", True), ("1.28", "1.29", False), ("1.30", "1.27", True), ("1.30", "1.26", False),
])
def test_kube_proxy_against_apiserver(apiserver: str, proxy: str, ok: bool) -> None:
    assert (("kube-proxy", "kube-proxy-apiserver") not in rules(apiserver=apiserver, kube_proxy=proxy)) is ok


@pytest.mark.parametrize("apiserver, kubelet, proxy, ok", [
    # before 1.28: same minor as the kubelet on the node
    ("1.27", "1.27", "1.27", True), ("1.27", "1.27", "1.26", False), ("1.27", "1.26", "1.27", False),
    # from 1.28: up to three older or newer ...
    ("1.28", "1.28", "1.25", True), ("1.28", "1.25", "1.28", True), ("1.31", "1.28", "1.31", True),
    ("1.31", "1.28", "1.30", True),
    # ... two for a kube-proxy older than 1.25
    ("1.26", "1.26", "1.24", False),  # 1.26 policy: must match
    ("1.28", "1.27", "1.24", False),
])
def test_kube_proxy_against_kubelet_on_the_same_node(apiserver: str, kubelet: str, proxy: str, ok: bool) -> None:
    found = rules(apiserver=apiserver, kubelet=f"n1={kubelet}", kube_proxy=f"n1={proxy}")
    assert (("kube-proxy", "kube-proxy-kubelet") not in found) is ok


def test_same_node_rule_needs_the_same_node() -> None:
    assert ("kube-proxy", "kube-proxy-kubelet") not in rules(
        apiserver="1.27", kubelet="n1=1.27", kube_proxy="n2=1.26")
    # Unnamed values are not tied to a node.
    assert ("kube-proxy", "kube-proxy-kubelet") not in rules(apiserver="1.27", kubelet="1.27", kube_proxy="1.26")


def test_ha_skew_narrows_kube_proxy() -> None:
    assert rules(apiserver=["1.28", "1.27"], kube_proxy="1.28") == [("kube-proxy", "kube-proxy-apiserver")]
    assert not rules(apiserver=["1.28", "1.27"], kube_proxy="1.25")


# ------------------------------------------------- kube-controller-manager, kube-scheduler, cloud-controller-manager

@pytest.mark.parametrize("flag", ["controller_manager", "scheduler", "ccm"])
@pytest.mark.parametrize("apiserver, version, ok", [
    ("1.28", "1.28", True), ("1.28", "1.27", True), ("1.28", "1.26", False), ("1.28", "1.29", False),
])
def test_controllers_against_apiserver(flag: str, apiserver: str, version: str, ok: bool) -> None:
    assert (not rules(apiserver=apiserver, **{flag: version})) is ok


@pytest.mark.parametrize("version, ok", [("1.28", False), ("1.27", True), ("1.26", False)])
def test_ha_skew_narrows_controllers_behind_a_load_balancer(version: str, ok: bool) -> None:
    # The policy's example: instances at N and N-1 behind a load balancer -> controllers at N-1 only.
    assert (not rules(apiserver=["1.28", "1.27"], controller_manager=version)) is ok


def test_controller_named_after_an_apiserver_talks_to_that_instance_only() -> None:
    # Stacked control plane mid-upgrade: cp-1 fully at 1.28, cp-2 still at 1.27.
    assert not rules(apiserver=["cp-1=1.28", "cp-2=1.27"], controller_manager=["cp-1=1.28", "cp-2=1.27"],
                     scheduler=["cp-1=1.28", "cp-2=1.27"])
    assert rules(apiserver=["cp-1=1.28", "cp-2=1.27"], controller_manager=["cp-2=1.28"]) == [
        ("kube-controller-manager", "control-plane-apiserver")]


# --------------------------------------------------------------------------------- kubectl

@pytest.mark.parametrize("kubectl, ok", [("1.29", True), ("1.28", True), ("1.27", True), ("1.30", False),
                                         ("1.26", False)])
def test_kubectl_within_one_minor(kubectl: str, ok: bool) -> None:
    assert (not rules(apiserver="1.28", kubectl=kubectl)) is ok


@pytest.mark.parametrize("kubectl, ok", [("1.29", False), ("1.28", True), ("1.27", True), ("1.26", False)])
def test_ha_skew_narrows_kubectl(kubectl: str, ok: bool) -> None:
    assert (not rules(apiserver=["1.28", "1.27"], kubectl=kubectl)) is ok


# --------------------------------------------------------------------------------- reporting

def test_violation_record_has_the_contract_fields() -> None:
    [violation] = violations(apiserver="1.27", kubectl="1.29")
    record = violation.to_dict()
    assert {"component", "node", "version", "allowed", "rule", "message", "source"} <= set(record)
    assert record["component"] == "kubectl"
    assert record["allowed"] == {"min": "1.26", "max": "1.28"}
    assert record["version"] == "1.29"
    assert record["source"].startswith("https://")


def test_empty_allowed_range_is_reported_as_none() -> None:
    # A kube-proxy that must match a 1.24 kubelet but may not be older than 1.25: nothing fits.
    s = state(apiserver="1.27", kubelet="n=1.24", kube_proxy="n=1.24")
    proxy = s.of("kube-proxy")[0]
    assert allowed_for(proxy, s, POLICY) is None


def test_a_valid_cluster_has_no_violations() -> None:
    assert not violations(apiserver=["1.29", "1.29", "1.28"], controller_manager="1.28", scheduler="1.28",
                          kubelet=["a=1.28", "b=1.26"], kube_proxy=["a=1.28", "b=1.26"], kubectl="1.28")
