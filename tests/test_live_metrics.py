"""`scan --cluster` also reads the API server's /metrics (apiserver_requested_deprecated_apis): the real
kubernetes client over real HTTPS against the local API server stand-in (tests/kubeapi)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import FIXTURES, REPO_ROOT, CliResult, run_main
from tests.kubeapi import KubeAPIServer, isolate_kubeconfig

USERS = {"t0ken-admin": "admin", "t0ken-no-metrics": "no-metrics", "t0ken-no-endpoint": "no-endpoint",
         "t0ken-broken": "broken"}


@pytest.fixture(scope="module")
def api() -> Iterator[KubeAPIServer]:
    server = KubeAPIServer("1.24", "v1.24.17-eks-abc123", tokens=USERS)
    server.load_yaml(FIXTURES / "cluster" / "all-and-secrets.yaml")
    # What clients of this cluster requested since the API server started (no object shows these).
    server.deprecated_api_requested("policy", "v1beta1", "podsecuritypolicies", "1.25")
    server.deprecated_api_requested("batch", "v1beta1", "cronjobs", "1.25", subresource="status")
    server.deprecated_api_requested("flowcontrol.apiserver.k8s.io", "v1beta2", "flowschemas", "1.29")
    server.fail("/metrics", 403, user="no-metrics")  # RBAC without nonResourceURLs /metrics
    server.fail("/metrics", 404, user="no-endpoint")  # a front end that does not expose it
    server.fail("/metrics", 500, user="broken")
    with server:
        yield server


@pytest.fixture(autouse=True)
def no_user_kubeconfig(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_kubeconfig(monkeypatch, tmp_path / "home")


def scan(api: KubeAPIServer, token: str, args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
         capsys: pytest.CaptureFixture[str]) -> CliResult:
    config = tmp_path / f"config-{token}"
    config.write_text(yaml.safe_dump(api.kubeconfig(context="prod", user={"token": token})), encoding="utf-8")
    return run_main(["scan", "--cluster", "--kubeconfig", str(config), *args], monkeypatch=monkeypatch,
                    capsys=capsys)


def metrics_findings(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted((f["api_version"], f["kind"], f["status"], f["path"], f["line"], f["usage"]["resource"],
                   f["usage"]["subresource"]) for f in report["findings"] if f["source"] == "metrics")


def test_the_api_servers_metrics_are_findings_with_cluster(api: KubeAPIServer, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    before = len(api.requests)
    result = scan(api, "t0ken-admin", ["-t", "1.29", "-o", "json"], tmp_path, monkeypatch, capsys)
    assert result.code == 1 and result.stderr == ""
    report = result.json()
    assert metrics_findings(report) == [
        ("batch/v1beta1", "CronJob", "removed", "cluster:prod", None, "cronjobs", "status"),
        ("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", "removed", "cluster:prod", None, "flowschemas", None),
        ("policy/v1beta1", "PodSecurityPolicy", "removed", "cluster:prod", None, "podsecuritypolicies", None),
    ]
    flowschema = next(f for f in report["findings"] if f["kind"] == "FlowSchema")
    assert flowschema["context"] == {"cluster": "prod", "server_deprecated": "true", "server_removed_release": "1.29"}
    assert flowschema["usage"]["user"] is None and flowschema["usage"]["count"] is None  # a gauge says no more
    assert not [n for n in report["notices"] if n["code"] == "cluster-metrics-unreadable"]
    requests = api.requests[before:]
    assert {r.method for r in requests} == {"GET"} and [r.path for r in requests].count("/metrics") == 1
    # The text report lists them apart, named by the cluster (no line: a scrape has none to point at).
    text = scan(api, "t0ken-admin", ["-t", "1.29"], tmp_path, monkeypatch, capsys)
    assert ("  cluster:prod: removed: policy/v1beta1 podsecuritypolicies [PodSecurityPolicy]: requested: removed in "
            "1.25") in text.stdout
    assert "cluster:prod:None" not in text.stdout


def test_no_metrics_skips_the_request(api: KubeAPIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    before = len(api.requests)
    result = scan(api, "t0ken-admin", ["-t", "1.29", "-o", "json", "--no-metrics"], tmp_path, monkeypatch, capsys)
    assert result.code == 1 and metrics_findings(result.json()) == []
    assert "/metrics" not in [r.path for r in api.requests[before:]]
    alone = run_main(["scan", str(FIXTURES / "shop"), "--no-metrics"], monkeypatch=monkeypatch, capsys=capsys)
    assert (alone.code, alone.stderr) == (2, "kdeprecate: error: --no-metrics only applies with --cluster\n")


@pytest.mark.parametrize(("token", "status"), [("t0ken-no-metrics", "403 Forbidden: forbidden: User \"no-metrics\" "
                                                "cannot get path \"/metrics\""),
                                               ("t0ken-no-endpoint", "404 NotFound: the server could not find the "
                                                "requested resource")])
def test_unreadable_metrics_are_a_notice_naming_the_rbac_and_change_no_exit_code(
        token: str, status: str, api: KubeAPIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    for fail_on, expected in (("removed", 1), ("deprecated", 1), ("none", 0)):
        result = scan(api, token, ["-t", "1.29", "-o", "json", "--fail-on", fail_on], tmp_path, monkeypatch, capsys)
        skipped = scan(api, token, ["-t", "1.29", "-o", "json", "--fail-on", fail_on, "--no-metrics"], tmp_path,
                       monkeypatch, capsys)
        assert result.code == skipped.code == expected and result.stderr == ""
        report = result.json()
        assert metrics_findings(report) == [] and report["errors"] == []
        assert sorted(map(repr, report["findings"])) == sorted(map(repr, skipped.json()["findings"]))
    [notice] = [n for n in report["notices"] if n["code"] == "cluster-metrics-unreadable"]
    assert (notice["path"], notice["line"], notice["level"]) == ("cluster:prod", None, "info")
    assert notice["message"].startswith(f"cannot read /metrics ({status}): API usage since the API server started")
    assert "non-resource URL /metrics, which the ClusterRole kdeprecate-reader (deploy/rbac/clusterrole.yaml)" in \
        notice["message"]


def test_a_notice_alone_does_not_fail_even_the_strictest_gate(api: KubeAPIServer, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    # Only a namespace without findings is read: the notice is all the scan has to say.
    result = scan(api, "t0ken-no-metrics", ["--namespace", "kube-public", "-t", "1.29", "--fail-on", "deprecated"],
                  tmp_path, monkeypatch, capsys)
    assert result.code == 0, result.stdout
    assert "[cluster-metrics-unreadable]" in result.stdout


def test_a_failing_metrics_endpoint_is_an_error_and_the_objects_are_still_judged(
        api: KubeAPIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    result = scan(api, "t0ken-broken", ["-t", "1.29", "-o", "json"], tmp_path, monkeypatch, capsys)
    assert result.code == 2
    assert result.stderr.splitlines() == ["kdeprecate: error: cluster:prod: cannot read /metrics: 500 InternalError: "
                                          "Internal error occurred: etcdserver: request timed out"]
    assert any(f["kind"] == "CronJob" and f["source"] == "last-applied" for f in result.json()["findings"])


def test_a_malformed_sample_is_an_error_naming_the_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    server = KubeAPIServer("1.29", "v1.29.4")
    good = server.metrics_text()
    bad = 'apiserver_requested_deprecated_apis{group="batch",version="v1beta1",resource="cronjobs" 1\n'
    monkeypatch.setattr(server, "metrics_text", lambda: good + bad)
    with server:
        result = scan(server, "t0ken-admin", ["-t", "1.29"], tmp_path, monkeypatch, capsys)
    assert result.code == 2
    assert result.stderr.startswith("kdeprecate: error: cluster:prod: malformed apiserver_requested_deprecated_apis "
                                    "sample: ")


def test_the_clusterrole_grants_metrics_and_the_charts_copy_is_the_same() -> None:
    rbac = REPO_ROOT / "deploy" / "rbac" / "clusterrole.yaml"
    role = yaml.safe_load(rbac.read_text(encoding="utf-8"))
    assert any("/metrics" in rule.get("nonResourceURLs", []) and rule["verbs"] == ["get"] for rule in role["rules"])
    assert (REPO_ROOT / "deploy" / "chart" / "kdeprecate" / "files" / "clusterrole.yaml").read_bytes() == \
        rbac.read_bytes()
