"""What preflight takes from the other parts of kdeprecate: add-on support (the scan's add-on findings
and notices), Pod Security (pluto_py.podsecurity on the same documents), and a live cluster (the
``live-cluster`` source with every object, against the local API server stand-in: real HTTPS, the real
kubernetes client). Each adapter with a case that fires and one that must not."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from pluto_py.core.model import Document
from pluto_py.core.rules import RULES, rule
from pluto_py.core.versions import parse_version
from pluto_py.preflight.model import BLOCKER, INFO, WARNING
from pluto_py.preflight.registry import RULES as PREFLIGHT_RULES
from pluto_py.preflight.run import PreflightReport, PreflightRequest, run_preflight
from tests.conftest import FIXTURES, REPO_ROOT, CliResult
from tests.kubeapi import KubeAPIServer

Cli = Callable[..., CliResult]
TODAY = date(2026, 11, 29)


@pytest.fixture(autouse=True)
def _setup(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.setenv("KDEPRECATE_TODAY", TODAY.isoformat())
    monkeypatch.setenv("KDEPRECATE_CONFIG", "none")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no user kubeconfig
    for name in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)


def preflight_of(*paths: Path | str, target: str, **options: Any) -> PreflightReport:
    return run_preflight(PreflightRequest(paths=[str(p) for p in paths], target=parse_version(target), today=TODAY,
                                          **options))


def ids(report: PreflightReport, *wanted: str) -> list[tuple[str, str, str, str | None, str]]:
    return sorted((c.id, c.severity, c.object.kind, c.object.namespace, c.object.name) for c in report.checks
                  if not wanted or c.id in wanted)


def write_yaml(path: Path, *objects: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump_all(objects), encoding="utf-8")
    return path


def test_every_preflight_id_is_a_registered_rule_at_its_severity() -> None:
    level = {BLOCKER: "error", WARNING: "warning", INFO: "note"}
    for registered in PREFLIGHT_RULES:
        assert rule(registered.id).level == level[registered.severity], registered.id
    assert len({r.id for r in PREFLIGHT_RULES}) == len(PREFLIGHT_RULES)
    ordered = [code for code in RULES if code in {r.id for r in PREFLIGHT_RULES}]
    own = [r.id for r in PREFLIGHT_RULES if r.id in ordered[ordered.index("api-removed"):]]
    assert own == ordered[ordered.index("api-removed"):]  # docs/rules.md lists preflight's own in worklist order


# --- add-ons -----------------------------------------------------------------------------------------------


ADDONS = FIXTURES / "addons" / "kube-system.yaml"


def test_unsupported_addons_are_blockers_and_unknown_ones_info() -> None:
    report = preflight_of(ADDONS, target="1.28")
    assert ids(report, "addon-unsupported", "addon-version-unknown", "addon-support-unknown") == [
        ("addon-support-unknown", INFO, "Deployment", "kube-system", "coredns"),
        ("addon-unsupported", BLOCKER, "Deployment", "cert-manager", "cert-manager"),
        ("addon-unsupported", BLOCKER, "Deployment", "istio-system", "istiod"),
        ("addon-unsupported", BLOCKER, "Deployment", "kube-system", "cluster-autoscaler"),
        ("addon-version-unknown", INFO, "CronJob", "argocd", "argocd-sync-check"),
    ]
    autoscaler = next(c for c in report.checks if c.object.name == "cluster-autoscaler")
    assert autoscaler.evidence["addon"] == "cluster-autoscaler" and autoscaler.evidence["version"] == "1.20.0"
    assert autoscaler.evidence["supported"] == "==1.20" and "1.28" in autoscaler.message
    assert report.verdict == "blocked"
    assert not [c for c in report.checks if c.id.startswith("api-")]  # an add-on is not an API finding


def test_supported_addons_and_other_images_are_not_checks(tmp_path: Path) -> None:
    autoscaler = {"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": "cluster-autoscaler", "namespace": "kube-system"},
                  "spec": {"template": {"spec": {"containers": [
                      {"name": "ca", "image": "registry.k8s.io/autoscaling/cluster-autoscaler:v1.28.2"},
                      {"name": "app", "image": "registry.example.com/shop/web:1.0"}]}}}}
    report = preflight_of(write_yaml(tmp_path / "addons.yaml", autoscaler), target="1.28")
    assert [c for c in report.checks if c.id.startswith("addon-")] == []


# --- pod security ------------------------------------------------------------------------------------------


BLUE = FIXTURES / "podsecurity" / "blue-1.24.yaml"


def test_namespaces_losing_or_refusing_are_blockers_and_violations_warnings() -> None:
    report = preflight_of(BLUE, target="1.29")
    namespaces = ids(report, "podsecurity-enforcement-lost", "podsecurity-pods-refused")
    assert namespaces == [
        ("podsecurity-enforcement-lost", BLOCKER, "Namespace", None, "monitoring"),
        ("podsecurity-enforcement-lost", BLOCKER, "Namespace", None, "shop"),
        ("podsecurity-enforcement-lost", BLOCKER, "Namespace", None, "windows"),
        ("podsecurity-pods-refused", BLOCKER, "Namespace", None, "legacy"),
        ("podsecurity-pods-refused", BLOCKER, "Namespace", None, "payments"),
    ]
    violations = [c for c in report.checks if c.id == "podsecurity-violation"]
    assert {(c.object.namespace, c.object.kind, c.object.name) for c in violations} == {
        ("legacy", "CronJob", "log-shipper"), ("payments", "Deployment", "api")}
    assert all(c.severity == WARNING for c in violations)
    seccomp = {c.evidence["field"] for c in violations if c.object.name == "api"}
    assert seccomp == {"spec.template.spec.initContainers[0].securityContext.seccompProfile.type",
                       "spec.template.spec.containers[0].securityContext.seccompProfile.type"}
    assert {c.evidence["enforce"] for c in violations if c.object.name == "api"} == {"restricted"}
    assert all(c.object.path == str(BLUE) and c.object.line for c in violations)


def test_labelled_namespaces_whose_pods_pass_are_not_checks(tmp_path: Path) -> None:
    namespace = {"apiVersion": "v1", "kind": "Namespace",
                 "metadata": {"name": "shop", "labels": {"pod-security.kubernetes.io/enforce": "baseline"}}}
    web = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
           "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}}}
    unlabelled = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tools"}}
    privileged = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "debug", "namespace": "tools"},
                  "spec": {"containers": [{"name": "c", "image": "busybox", "securityContext": {"privileged": True}}]}}
    report = preflight_of(write_yaml(tmp_path / "ns.yaml", namespace, web, unlabelled, privileged), target="1.29")
    assert [c for c in report.checks if c.id.startswith("podsecurity-")] == []  # no PSP, nothing enforced refuses


# --- stdin -------------------------------------------------------------------------------------------------


def test_stdin_is_read_once_for_objects_and_apis(cli: Cli) -> None:
    dump = (FIXTURES / "preflight" / "eks-1.23" / "cluster.yaml").read_bytes()
    result = cli("preflight", "-", "--target", "1.30", "-o", "json", stdin=dump)
    assert result.code == 1, result.stderr
    found = {c["id"] for c in result.json()["checks"]}
    assert {"pdb-blocks-drain", "api-removed", "webhook-fail-closed-no-endpoints"} <= found


# --- a live cluster ----------------------------------------------------------------------------------------


def live(kind: str, api_version: str, name: str, namespace: str | None = "shop", **fields: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    metadata.update(fields.pop("metadata", {}))
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **fields}


def node(name: str, runtime: str, kubelet: str = "v1.23.17-eks-a59e1f0") -> dict[str, Any]:
    return live("Node", "v1", name, None, status={"nodeInfo": {
        "kubeletVersion": kubelet, "kubeProxyVersion": kubelet,
        "containerRuntimeVersion": runtime, "osImage": "Bottlerocket OS 1.19.0"}})


def budget(name: str, allowed: int) -> dict[str, Any]:
    return live("PodDisruptionBudget", "policy/v1", name, spec={"minAvailable": 1, "selector": {
        "matchLabels": {"app": name}}}, status={"disruptionsAllowed": allowed, "currentHealthy": 1 + allowed,
                                                "desiredHealthy": 1, "expectedPods": 1 + allowed})


def applied_cronjob() -> dict[str, Any]:
    """A CronJob applied as batch/v1beta1 (kubectl's last-applied annotation), read as batch/v1."""
    config = {"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": "report", "namespace": "shop"},
              "spec": {"schedule": "@daily"}}
    return live("CronJob", "batch/v1", "report", metadata={"annotations": {
        "kubectl.kubernetes.io/last-applied-configuration": json.dumps(config)}}, spec={"schedule": "@daily"})


@pytest.fixture(scope="module")
def cluster() -> Iterator[KubeAPIServer]:
    """A 1.23 cluster: a budget that blocks drains and one that does not (neither applied with kubectl), a
    dockershim node and a containerd one, and a CronJob applied at a removed version."""
    with KubeAPIServer("1.23", "v1.23.17-eks-a59e1f0") as api:
        api.add(live("Namespace", "v1", "shop", None), budget("ledger", 0), budget("web", 1),
                node("ip-10-0-1-11", "docker://20.10.17"), node("ip-10-0-2-22", "containerd://1.6.19"),
                applied_cronjob())
        yield api


def kubeconfig(api: KubeAPIServer, tmp_path: Path) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(api.kubeconfig(context="prod")), encoding="utf-8")
    return path


def test_live_source_yields_every_object_only_when_asked(cluster: KubeAPIServer, tmp_path: Path) -> None:
    from pluto_py.sources import InputStats
    from pluto_py.sources.live import ClusterOptions, LiveCluster

    config = str(kubeconfig(cluster, tmp_path))

    def kinds(all_objects: bool) -> set[str]:
        opened = LiveCluster.open(ClusterOptions(kubeconfig=config, all_objects=all_objects))
        documents = [item for item in opened.documents(InputStats()) if isinstance(item, Document)]
        assert {document.source for document in documents} == {"cluster"}
        return {str(document.data["kind"]) for document in documents}

    assert kinds(False) == {"CronJob"}  # what `scan --cluster` judges: applied configurations only
    assert {"PodDisruptionBudget", "Node", "Namespace", "CronJob"} <= kinds(True)


def test_preflight_cluster_checks_what_runs(cluster: KubeAPIServer, tmp_path: Path, cli: Cli) -> None:
    before = len(cluster.requests)
    result = cli("preflight", "--cluster", "--kubeconfig", str(kubeconfig(cluster, tmp_path)), "--target", "1.25",
                 "-o", "json")
    assert result.code == 1, result.stderr
    report = result.json()
    assert report["from"] == "1.23"  # the cluster's /version, as for scan --cluster
    checks = {(c["id"], c["object"]["name"]) for c in report["checks"]}
    assert ("pdb-blocks-drain", "ledger") in checks and ("pdb-blocks-drain", "web") not in checks
    assert ("node-runtime-unsupported", "ip-10-0-1-11") in checks
    assert ("node-runtime-unsupported", "ip-10-0-2-22") not in checks
    assert ("api-removed", "report") in checks  # judged as applied, from the same read of the cluster
    ledger = next(c for c in report["checks"] if c["id"] == "pdb-blocks-drain")
    assert ledger["evidence"]["basis"] == "status" and ledger["location"] == {"path": "cluster:prod", "line": 0}
    assert {r.method for r in cluster.requests[before:]} == {"GET"}
    budgets = [r for r in cluster.requests[before:] if r.path.endswith("/poddisruptionbudgets")]
    assert len(budgets) == 1  # read once


def test_preflight_cluster_ready_exit_0_and_unreachable_exit_2(tmp_path: Path, cli: Cli) -> None:
    with KubeAPIServer("1.29", "v1.29.4") as api:
        api.add(live("Namespace", "v1", "shop", None), budget("web", 1),
                node("ip-10-0-3-33", "containerd://1.7.11", "v1.29.4"))
        config = kubeconfig(api, tmp_path)
        ready = cli("preflight", "--cluster", "--kubeconfig", str(config), "--target", "1.30")
    assert ready.code == 0, ready.stdout + ready.stderr
    assert ready.stdout.startswith("Upgrade preflight 1.29 -> 1.30: RISKY (0 blockers")  # 1.30's end of life only
    gone = cli("preflight", "--cluster", "--kubeconfig", str(config), "--target", "1.30", "--request-timeout", "2")
    assert gone.code == 2 and "cluster:prod" in gone.stderr and "Traceback" not in gone.stderr
    assert cli("preflight", "--kubeconfig", str(config), "--target", "1.30").code == 2  # needs --cluster


def test_readme_cluster_commands_run(cluster: KubeAPIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     cli: Cli) -> None:
    """The `--cluster` lines of the README's "Upgrade preflight" (tests/test_readme.py leaves them here)."""
    import re
    import shlex

    from tests.conftest import readme_section
    from tests.test_readme import shell_lines

    lines = [line for line in shell_lines(readme_section("Upgrade preflight")) if "--cluster" in line]
    assert lines
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig(cluster, tmp_path)))
    monkeypatch.chdir(tmp_path)
    for line in lines:
        expected = re.search(r"#\s*exit\s+(\d+)\s*$", line)
        assert expected, line
        result = cli(*shlex.split(line, comments=True)[1:])
        assert result.code == int(expected.group(1)), result.stderr
        assert result.stdout.startswith("Upgrade preflight 1.23 -> 1.30: BLOCKED")
    assert (tmp_path / "preflight.md").read_text(encoding="utf-8").startswith("### ❌ Upgrade preflight 1.23 -> 1.30")
