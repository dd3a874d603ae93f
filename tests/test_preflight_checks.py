"""Each preflight check on small objects: a case that fires and one that must not."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pluto_py.core.model import Document, ScanError
from pluto_py.core.versions import parse_version
from pluto_py.preflight.checks import eol, flags, node_runtime, pdb, pods, skew, webhooks
from pluto_py.preflight.context import PreflightContext
from pluto_py.preflight.embedded import embedded_documents
from pluto_py.preflight.facts import load_facts
from pluto_py.preflight.model import BLOCKER, INFO, WARNING, Check
from pluto_py.preflight.view import ClusterView

TODAY = date(2026, 11, 29)
Runner = Callable[[PreflightContext], Iterable[Check]]


def view_of(*objects: dict[str, Any], path: str = "dump.yaml") -> ClusterView:
    view = ClusterView()
    for index, obj in enumerate(objects):
        view.add_document(Document(path, index, index * 10 + 1, obj))
    return view


def run(runner: Runner, view: ClusterView, target: str = "1.30", from_version: str | None = None,
        today: date = TODAY) -> list[Check]:
    context = PreflightContext(parse_version(target), parse_version(from_version) if from_version else None, view,
                               load_facts(), today)
    return list(runner(context))


def meta(name: str, namespace: str | None = "shop", live: bool = True, **extra: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, **extra}
    if namespace is not None:
        metadata["namespace"] = namespace
    if live:
        metadata["uid"] = f"uid-{name}"
    return metadata


def deployment(name: str, replicas: int | None, labels: dict[str, str], volumes: list[Any] | None = None,
               kind: str = "Deployment", namespace: str = "shop", **meta_extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"template": {"metadata": {"labels": labels},
                                         "spec": {"containers": [{"name": "c", "image": "i"}]}}}
    if replicas is not None:
        spec["replicas"] = replicas
    if volumes is not None:
        spec["template"]["spec"]["volumes"] = volumes
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta(name, namespace, **meta_extra), "spec": spec}


def budget(name: str, spec: dict[str, Any], status: dict[str, Any] | None = None,
           api_version: str = "policy/v1") -> dict[str, Any]:
    obj: dict[str, Any] = {"apiVersion": api_version, "kind": "PodDisruptionBudget", "metadata": meta(name),
                           "spec": spec}
    if status is not None:
        obj["status"] = status
    return obj


WEB = {"matchLabels": {"app": "web"}}

# --- pdb-blocks-drain -------------------------------------------------------------------------------------


def test_pdb_status_zero_fires_and_status_one_does_not() -> None:
    zero = budget("a", {"minAvailable": 1, "selector": WEB}, {"disruptionsAllowed": 0, "expectedPods": 1})
    one = budget("b", {"minAvailable": 1, "selector": WEB}, {"disruptionsAllowed": 1, "expectedPods": 2})
    nothing = budget("c", {"minAvailable": 1, "selector": WEB}, {"disruptionsAllowed": 0, "expectedPods": 0})
    found = run(pdb.run, view_of(zero, one, nothing))
    assert [(c.id, c.object.name, c.severity, c.evidence["basis"]) for c in found] == [
        ("pdb-blocks-drain", "a", BLOCKER, "status")]


@pytest.mark.parametrize(("spec", "replicas", "fires"), [
    ({"minAvailable": 2}, 2, True),
    ({"minAvailable": 2}, 3, False),
    ({"maxUnavailable": 0}, 3, True),
    ({"maxUnavailable": 1}, 3, False),
    ({"minAvailable": "67%"}, 3, True),    # 2.01 rounds up to 3: nothing left
    ({"minAvailable": "50%"}, 3, False),   # 1.5 rounds up to 2: one may go
    ({"maxUnavailable": "10%"}, 3, False),  # 0.3 rounds up to 1
    ({"maxUnavailable": "0%"}, 3, True),
    ({"minAvailable": "100%"}, 5, True),
])
def test_pdb_computed_from_the_selected_workloads(spec: dict[str, Any], replicas: int, fires: bool) -> None:
    found = run(pdb.run, view_of(deployment("web", replicas, {"app": "web"}), budget("web", {**spec, "selector": WEB})))
    assert bool(found) is fires
    if fires:
        assert found[0].evidence["basis"] == "computed" and found[0].evidence["expected_pods"] == replicas


def test_pdb_counts_a_replicaset_through_its_deployment_and_matches_expressions() -> None:
    owned = deployment("web-1a2b", 1, {"app": "web", "pod-template-hash": "1a2b"}, kind="ReplicaSet",
                       ownerReferences=[{"kind": "Deployment", "name": "web", "controller": True}])
    selector = {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]},
                                     {"key": "canary", "operator": "DoesNotExist"}]}
    other_namespace = deployment("web", 5, {"app": "web"}, namespace="other")
    # counted once (1 replica) the budget blocks; counted twice (2) it would allow one eviction
    found = run(pdb.run, view_of(deployment("web", 1, {"app": "web"}), owned, other_namespace,
                                 budget("web", {"minAvailable": 1, "selector": selector})))
    assert len(found) == 1 and found[0].evidence["selected"] == "Deployment/web"
    canary = {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]}
    assert run(pdb.run, view_of(deployment("web", 1, {"app": "web"}),
                                budget("web", {"minAvailable": 1, "selector": canary}))) == []


def test_pdb_empty_selector_selects_all_in_v1_and_nothing_in_v1beta1() -> None:
    workload = deployment("web", 1, {"app": "web"})
    v1 = run(pdb.run, view_of(workload, budget("all", {"minAvailable": 1, "selector": {}})))
    beta = run(pdb.run, view_of(workload, budget("all", {"minAvailable": 1, "selector": {}},
                                                 api_version="policy/v1beta1")))
    assert len(v1) == 1 and beta == []


def test_pdb_over_bare_pods_counts_running_pods_only() -> None:
    def pod(name: str, phase: str) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta(name, labels={"app": "web"}),
                "spec": {}, "status": {"phase": phase}}
    spec = {"minAvailable": 2, "selector": WEB}
    assert len(run(pdb.run, view_of(pod("a", "Running"), pod("b", "Running"), budget("p", spec)))) == 1
    assert run(pdb.run, view_of(pod("a", "Running"), pod("b", "Running"), pod("c", "Running"),
                                budget("p", spec))) == []
    assert run(pdb.run, view_of(pod("a", "Succeeded"), budget("p", spec))) == []  # nothing to evict


@given(replicas=st.integers(1, 200), percent=st.integers(1, 100))
def test_a_positive_max_unavailable_percentage_never_blocks_a_drain(replicas: int, percent: int) -> None:
    view = view_of(deployment("web", replicas, {"app": "web"}),
                   budget("web", {"maxUnavailable": f"{percent}%", "selector": WEB}))
    budget_found = pdb.budget_of(view.of_kind("PodDisruptionBudget")[0], view)
    assert budget_found is not None and budget_found.allowed >= 1


@given(replicas=st.integers(1, 200), percent=st.integers(0, 100))
def test_min_available_percentage_leaves_what_rounding_up_leaves(replicas: int, percent: int) -> None:
    view = view_of(deployment("web", replicas, {"app": "web"}),
                   budget("web", {"minAvailable": f"{percent}%", "selector": WEB}))
    found = pdb.budget_of(view.of_kind("PodDisruptionBudget")[0], view)
    assert found is not None
    assert found.allowed == replicas - -(-percent * replicas // 100)  # ceil without floats
    assert (found.allowed == 0) is (percent * replicas > 100 * (replicas - 1))


# --- pod-without-controller / pod-local-storage -----------------------------------------------------------


def pod(name: str, namespace: str = "shop", owner: str | None = None, annotations: dict[str, str] | None = None,
        volumes: list[Any] | None = None, phase: str = "Running", labels: dict[str, str] | None = None,
        live: bool = True) -> dict[str, Any]:
    metadata = meta(name, namespace, live=live)
    if owner:
        kind, _, owner_name = owner.partition("/")
        metadata["ownerReferences"] = [{"kind": kind, "name": owner_name, "controller": True}]
    if annotations:
        metadata["annotations"] = annotations
    if labels:
        metadata["labels"] = labels
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata,
            "spec": {"containers": [{"name": "c", "image": "i"}], "volumes": volumes or []},
            "status": {"phase": phase}}


def test_pod_without_controller_fires_on_bare_pods_only() -> None:
    view = view_of(
        pod("bare"),
        pod("owned", owner="ReplicaSet/web-1"),
        pod("daemon", owner="DaemonSet/agent"),
        pod("mirror", "kube-system", annotations={"kubernetes.io/config.mirror": "abc"}),
        pod("done", phase="Succeeded"),
        pod("apiserver", "kube-system", labels={"tier": "control-plane"}, live=False),
    )
    assert [c.object.name for c in run(pods.run_without_controller, view)] == ["bare"]
    static = ClusterView()
    static.add_document(Document("etc/kubernetes/manifests/etcd.yaml", 0, 1, pod("etcd", "kube-system", live=False)))
    assert run(pods.run_without_controller, static) == []


def test_local_storage_reports_the_workload_once_and_bare_pods() -> None:
    cache = [{"name": "cache", "emptyDir": {}}]
    view = view_of(
        deployment("web", 2, {"app": "web"}, cache),
        deployment("web-1", 2, {"app": "web"}, cache, kind="ReplicaSet",
                   ownerReferences=[{"kind": "Deployment", "name": "web", "controller": True}]),
        pod("web-1-abc", owner="ReplicaSet/web-1", volumes=cache),
        deployment("agent", None, {"app": "agent"}, cache, kind="DaemonSet", namespace="kube-system"),
        pod("agent-x", "kube-system", owner="DaemonSet/agent", volumes=cache),
        pod("scratch", volumes=[{"name": "tmp", "emptyDir": {"medium": "Memory"}}]),
        pod("plain", volumes=[{"name": "cfg", "configMap": {"name": "c"}}]),
        {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta("nightly"),
         "spec": {"jobTemplate": {"spec": {"template": {"spec": {"volumes": cache}}}}}},
    )
    found = run(pods.run_local_storage, view)
    assert sorted((c.object.kind, c.object.name, c.severity) for c in found) == [
        ("CronJob", "nightly", WARNING), ("Deployment", "web", WARNING), ("Pod", "scratch", WARNING)]


# --- webhook-fail-closed-no-endpoints ---------------------------------------------------------------------


def webhook_config(name: str, service: str, policy: str | None = None,
                   api_version: str = "admissionregistration.k8s.io/v1") -> dict[str, Any]:
    namespace, _, service_name = service.partition("/")
    hook: dict[str, Any] = {"name": f"{name}.example.com",
                            "clientConfig": {"service": {"namespace": namespace, "name": service_name}}}
    if policy:
        hook["failurePolicy"] = policy
    return {"apiVersion": api_version, "kind": "ValidatingWebhookConfiguration", "metadata": meta(name, None),
            "webhooks": [hook]}


def service(namespace: str, name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta(name, namespace), "spec": {}}


def endpoints(namespace: str, name: str, ready: bool) -> dict[str, Any]:
    key = "addresses" if ready else "notReadyAddresses"
    return {"apiVersion": "v1", "kind": "Endpoints", "metadata": meta(name, namespace),
            "subsets": [{key: [{"ip": "10.0.0.1"}]}]}


def endpoint_slice(namespace: str, service_name: str, ready: bool | None) -> dict[str, Any]:
    conditions = {} if ready is None else {"ready": ready}
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": meta(f"{service_name}-x1", namespace, labels={"kubernetes.io/service-name": service_name}),
            "endpoints": [{"addresses": ["10.0.0.2"], "conditions": conditions}]}


def test_fail_closed_webhook_without_ready_endpoints_fires() -> None:
    view = view_of(webhook_config("gk", "gk/svc"), service("gk", "svc"), endpoints("gk", "svc", ready=False),
                   webhook_config("gone", "mesh/istiod", "Fail"), service("mesh", "gateway"))
    found = run(webhooks.run, view)
    assert sorted((c.object.name, c.evidence["state"]) for c in found) == [
        ("gk", "no-ready-endpoints"), ("gone", "missing-service")]
    assert all(c.severity == BLOCKER for c in found)


def test_webhooks_that_must_not_fire() -> None:
    view = view_of(
        webhook_config("ok", "a/svc"), service("a", "svc"), endpoints("a", "svc", ready=True),
        webhook_config("slice", "b/svc"), service("b", "svc"), endpoint_slice("b", "svc", ready=None),
        webhook_config("ignore", "c/svc", "Ignore"), service("c", "other"),
        webhook_config("beta", "d/svc", api_version="admissionregistration.k8s.io/v1beta1"), service("d", "x"),
        webhook_config("unknown", "e/svc"),  # nothing in the inputs says anything about e/svc
    )
    assert run(webhooks.run, view) == []
    not_ready = view_of(webhook_config("slice", "b/svc"), service("b", "svc"), endpoint_slice("b", "svc", False))
    assert len(run(webhooks.run, not_ready)) == 1


# --- node-runtime-unsupported ------------------------------------------------------------------------------


def node(name: str, kubelet: str, runtime: str, os_image: str = "Bottlerocket OS 1.19.0") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Node", "metadata": meta(name, None),
            "status": {"nodeInfo": {"kubeletVersion": kubelet, "kubeProxyVersion": kubelet,
                                    "containerRuntimeVersion": runtime, "osImage": os_image}}}


def reasons(found: list[Check]) -> list[tuple[str, str, object]]:
    return sorted((c.object.name, c.severity, c.evidence["reason"]) for c in found)


def test_dockershim_nodes_are_blocked_from_1_24_but_cri_dockerd_nodes_are_not() -> None:
    view = view_of(node("shim", "v1.23.17-eks-a59e1f0", "docker://20.10.17"),
                   node("cri-dockerd", "v1.24.9", "docker://20.10.23"),
                   node("containerd", "v1.23.17", "containerd://1.6.19"))
    assert reasons(run(node_runtime.run, view, "1.24")) == [("shim", BLOCKER, "dockershim-removed")]
    assert run(node_runtime.run, view, "1.23") == []


def test_containerd_1_x_is_blocked_from_1_36() -> None:
    view = view_of(node("old", "v1.35.1", "containerd://1.7.24"), node("new", "v1.35.1", "containerd://2.0.4"),
                   node("crio", "v1.35.1", "cri-o://1.35.0"))
    assert reasons(run(node_runtime.run, view, "1.36")) == [("old", BLOCKER, "containerd-too-old")]
    assert run(node_runtime.run, view, "1.35") == []


def test_cgroup_v1_images_by_target() -> None:
    view = view_of(node("al2", "v1.30.4", "containerd://1.7.11", "Amazon Linux 2"),
                   node("al2023", "v1.30.4", "containerd://1.7.11", "Amazon Linux 2023.5.20240819"),
                   node("focal", "v1.30.4", "containerd://1.7.11", "Ubuntu 20.04.6 LTS"),
                   node("jammy", "v1.30.4", "containerd://1.7.11", "Ubuntu 22.04.4 LTS"))
    assert run(node_runtime.run, view, "1.30") == []
    assert reasons(run(node_runtime.run, view, "1.31")) == [("al2", INFO, "cgroup-v1"), ("focal", INFO, "cgroup-v1")]
    assert reasons(run(node_runtime.run, view, "1.35")) == [("al2", BLOCKER, "cgroup-v1"),
                                                            ("focal", BLOCKER, "cgroup-v1")]
    kubelet_config = {"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration",
                      "failCgroupV1": False}
    opted = view_of(node("al2", "v1.34.2", "containerd://2.0.1", "Amazon Linux 2"), kubelet_config)
    assert reasons(run(node_runtime.run, opted, "1.35")) == [("al2", WARNING, "cgroup-v1")]


# --- skew-violation ---------------------------------------------------------------------------------------


def test_skew_at_target_and_now() -> None:
    view = view_of(node("a", "v1.23.17-eks-a59e1f0", "containerd://1.6.19"))
    at_1_30 = run(skew.run, view, "1.30")
    assert {(c.evidence["component"], c.evidence["phase"]) for c in at_1_30} == {("kubelet", "at-target"),
                                                                                  ("kube-proxy", "at-target")}
    # kubelets older than 1.25 may be two minors behind: 1.23 under 1.26 is out, under 1.25 in
    assert run(skew.run, view, "1.25") == []
    assert {c.evidence["phase"] for c in run(skew.run, view, "1.26")} == {"at-target"}
    now = run(skew.run, view_of(node("old", "v1.20.15", "containerd://1.4.13")), "1.24", from_version="1.23")
    assert {c.evidence["phase"] for c in now} == {"now"}  # reported once, for now


# --- flags and feature gates ------------------------------------------------------------------------------


def static_pod(component: str, *arguments: str, path: str = "etc/kubernetes/manifests/x.yaml") -> ClusterView:
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": component, "namespace": "kube-system"},
           "spec": {"containers": [{"name": component, "command": [component, *arguments]}]}}
    return view_of(obj, path=path)


def test_removed_control_plane_flags_and_gates_in_static_pods() -> None:
    view = static_pod("kube-apiserver", "--insecure-port=0", "--feature-gates=TTLAfterFinished=true,Foo=false",
                      "--secure-port=6443")
    found = run(flags.run, view, "1.30")
    assert sorted((c.id, c.evidence.get("flag") or c.evidence.get("gate")) for c in found) == [
        ("control-plane-flag-removed", "insecure-port"), ("feature-gate-removed", "TTLAfterFinished")]
    assert run(flags.run, view, "1.23") == []
    assert run(flags.run, static_pod("kube-scheduler", "--leader-elect=true"), "1.30") == []
    # a Pod that is not a static pod of the control plane says nothing about its flags
    assert run(flags.run, static_pod("kube-apiserver", "--insecure-port=0", path="apps/fake.yaml"), "1.30") == []


def test_kubeadm_extra_args_map_and_list_and_kubelet_feature_gates() -> None:
    cluster_config = {"apiVersion": "kubeadm.k8s.io/v1beta4", "kind": "ClusterConfiguration",
                      "controllerManager": {"extraArgs": [{"name": "pod-eviction-timeout", "value": "2m"},
                                                          {"name": "bind-address", "value": "0.0.0.0"}]}}
    join = {"apiVersion": "kubeadm.k8s.io/v1beta3", "kind": "JoinConfiguration",
            "nodeRegistration": {"kubeletExtraArgs": {"network-plugin": "cni", "node-labels": "a=b"}}}
    kubelet = {"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration",
               "featureGates": {"CSIMigrationAWS": True, "RotateKubeletServerCertificate": True}}
    found = run(flags.run, view_of(cluster_config, join, kubelet), "1.27")
    assert sorted((c.id, c.object.kind, c.evidence.get("flag") or c.evidence.get("gate")) for c in found) == [
        ("control-plane-flag-removed", "ClusterConfiguration", "pod-eviction-timeout"),
        ("feature-gate-removed", "KubeletConfiguration", "CSIMigrationAWS"),
        ("kubelet-flag-removed", "JoinConfiguration", "network-plugin")]
    assert run(flags.run, view_of(cluster_config, join, kubelet), "1.23") == []


def test_configuration_inside_kube_system_config_maps() -> None:
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("kubelet-config-1.23", "kube-system"),
                  "data": {"kubelet": "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
                                      "featureGates:\n  DynamicKubeletConfig: false\n"}}
    broken = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("kubeadm-config", "kube-system"),
              "data": {"ClusterConfiguration": "apiServer: [unclosed\n"}}
    view = view_of(config_map, broken)
    results = list(embedded_documents(view.of_kind("ConfigMap")))
    errors = [r for r in results if isinstance(r, ScanError)]
    assert len(errors) == 1 and "kubeadm-config" in errors[0].message
    for result in results:
        if not isinstance(result, ScanError):
            view.add_document(result[0], default_name=result[1])
    found = run(flags.run, view, "1.26")
    assert [(c.object.name, c.evidence["gate"]) for c in found] == [("kubelet-config-1.23.kubelet",
                                                                     "DynamicKubeletConfig")]


# --- version-eol ------------------------------------------------------------------------------------------


def test_version_eol() -> None:
    empty = ClusterView()
    past = run(eol.run, empty, "1.30", from_version="1.29")
    assert sorted((c.evidence["role"], c.severity) for c in past) == [("current", INFO), ("target", WARNING)]
    assert run(eol.run, empty, "1.36", today=date(2026, 11, 29)) == []  # 2027-06-28: far enough
    soon = run(eol.run, empty, "1.35", today=date(2026, 12, 15))
    assert [(c.severity, c.evidence["end_of_life"]) for c in soon] == [(INFO, "2027-02-28")]
    assert run(eol.run, empty, "1.99") == []  # no data, no claim


def test_documents_from_another_source_are_checked_like_a_dump() -> None:
    """Documents as a live cluster's source yields them (source "cluster", no lines) are objects like a dump's."""
    from pluto_py.preflight.run import PreflightRequest, run_preflight

    live = [Document("cluster:prod", 0, 1, budget("ledger", {"minAvailable": 1, "selector": WEB},
                                                   {"disruptionsAllowed": 0, "expectedPods": 1}), source="cluster"),
            Document("cluster:prod", 1, 1, node("n1", "v1.23.17", "docker://20.10.17"), source="cluster")]
    report = run_preflight(PreflightRequest(paths=[], target=parse_version("1.24"), today=TODAY,
                                            extra_documents=live))
    assert {c.id for c in report.checks} >= {"pdb-blocks-drain", "node-runtime-unsupported"}
    assert report.errors == () and report.verdict == "blocked" and report.files == 0
