"""`scan --cluster` and `skew --cluster`: the real kubernetes client, over real HTTPS, against the
local API server stand-in (tests/kubeapi), with kubeconfigs as users have them."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
import yaml

from tests.conftest import FIXTURES, REPO_ROOT, CliResult, run_main
from tests.kubeapi import KubeAPIServer, isolate_kubeconfig
from tests.kubeapi.proxy import ConnectProxy

DUMPS = [FIXTURES / "cluster" / "all-and-secrets.yaml", FIXTURES / "cluster" / "helm-configmaps.yaml"]
EXEC_PLUGIN = str(REPO_ROOT / "tests" / "kubeapi" / "exec_plugin.py")
TOKEN = "t0ken-admin"


def applied(api_version: str, kind: str, name: str, namespace: str | None, live_api_version: str,
            **extra: Any) -> dict[str, Any]:
    """A live object as `kubectl apply` leaves it: read in ``live_api_version``, applied as ``api_version``."""
    metadata: dict[str, Any] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    config = {"apiVersion": api_version, "kind": kind, "metadata": dict(metadata), **extra}
    metadata["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": json.dumps(config)}
    return {"apiVersion": live_api_version, "kind": kind, "metadata": metadata, **extra}


CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
             "versions": [{"name": "v1", "served": True, "storage": True, "subresources": {"status": {}}},
                          {"name": "v1beta1", "served": True, "storage": False, "deprecated": True,
                           "deprecationWarning": "example.com/v1beta1 Widget is deprecated; use v1"}]}}


def loaded(api: KubeAPIServer) -> KubeAPIServer:
    for dump in DUMPS:
        api.load_yaml(dump)
    api.add(CRD, applied("example.com/v1beta1", "Widget", "blue", "shop", "example.com/v1"))
    return api


@pytest.fixture(scope="module")
def api() -> Iterator[KubeAPIServer]:
    with loaded(KubeAPIServer("1.29", "v1.29.4-gke.1043002")) as server:
        yield server


@pytest.fixture(autouse=True)
def no_user_kubeconfig(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_kubeconfig(monkeypatch, tmp_path / "home")


def write(path: Path, config: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def run(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> CliResult:
    return run_main(args, monkeypatch=monkeypatch, capsys=capsys)


def identity(findings: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {(f["api_version"], f["kind"], f["name"], f["namespace"], f["source"], f["status"],
             f["context"].get("revision")) for f in findings}


def test_a_cluster_is_judged_as_its_dump(api: KubeAPIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    config = write(tmp_path / "config", api.kubeconfig(context="prod"))
    before = len(api.requests)
    live = run(["scan", "--cluster", "--kubeconfig", str(config), "-t", "1.25", "-o", "json"], monkeypatch, capsys)
    dump = run(["scan", *map(str, DUMPS), "-t", "1.25", "-o", "json"], monkeypatch, capsys)
    assert live.code == dump.code == 1, live.stderr
    findings = live.json()["findings"]
    widget = [f for f in findings if f["kind"] == "Widget"]
    assert [(w["status"], w["component"], w["replacement"]) for w in widget] == [
        ("deprecated", "crd", "example.com/v1")]
    assert identity([f for f in findings if f["kind"] != "Widget"]) == identity(dump.json()["findings"])
    assert {f["path"] for f in findings} == {"cluster:prod"}
    assert {(f["line"], f["column"]) for f in findings} == {(None, None)}
    deployment = next(f for f in findings if f["kind"] == "Deployment")
    # The item came without apiVersion/kind: the request (apps/v1) said what it was.
    assert deployment["context"] == {"cluster": "prod", "resource": "deployments.apps", "namespace": "shop",
                                     "annotation": "kubectl.kubernetes.io/last-applied-configuration",
                                     "live_api_version": "apps/v1"}
    assert deployment["from_version"] == "1.29"  # --from defaults to the server's /version (v1.29.4-gke...)
    releases = {(f["context"]["release"], f["context"]["revision"]) for f in findings
                if f["source"] == "helm-release"}
    assert releases == {(f["context"]["release"], f["context"]["revision"]) for f in dump.json()["findings"]
                        if f["source"] == "helm-release"}
    requests = api.requests[before:]
    assert {r.method for r in requests} == {"GET"}
    lists = [r for r in requests if r.path.endswith("/deployments")]
    assert lists and all(r.query.get("limit") == "500" for r in lists)
    # Secret values never reach the report.
    secret = next(o for o in yaml.safe_load(DUMPS[0].read_text())["items"] if o["kind"] == "Secret")
    assert secret["data"]["release"][:40] not in live.stdout


def test_list_items_carry_no_api_version_of_their_own(api: KubeAPIServer) -> None:
    import ssl
    import urllib.request

    request = urllib.request.Request(api.url + "/apis/apps/v1/deployments?limit=1",
                                     headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, context=ssl.create_default_context(cadata=api.ca_pem.decode())) as answer:
        body = json.loads(answer.read())
    assert body["kind"] == "DeploymentList" and body["apiVersion"] == "apps/v1"
    assert body["metadata"]["continue"] and body["metadata"]["remainingItemCount"] >= 1
    assert "apiVersion" not in body["items"][0] and "kind" not in body["items"][0]


def _user_configs(api: KubeAPIServer, tmp_path: Path) -> dict[str, dict[str, Any]]:
    cert, key = api.client_cert("alice")
    (tmp_path / "alice.crt").write_bytes(cert)
    (tmp_path / "alice.key").write_bytes(key)
    (tmp_path / "token").write_text(TOKEN + "\n")
    (tmp_path / "ca.crt").write_bytes(api.ca_pem)
    b64 = {name: base64.b64encode(data).decode() for name, data in (("cert", cert), ("key", key))}
    plugin = {"command": sys.executable, "args": [EXEC_PLUGIN, TOKEN], "interactiveMode": "Never"}
    return {
        "client-cert-files": {"user": {"client-certificate": str(tmp_path / "alice.crt"),
                                       "client-key": str(tmp_path / "alice.key")},
                              "cluster": {"certificate-authority": str(tmp_path / "ca.crt"),
                                          "certificate-authority-data": None}},
        "client-cert-data": {"user": {"client-certificate-data": b64["cert"], "client-key-data": b64["key"]}},
        "token": {"user": {"token": TOKEN}},
        "token-file": {"user": {"tokenFile": str(tmp_path / "token")}},
        "exec-v1": {"user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1", **plugin}}},
        "exec-v1beta1": {"user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", **plugin}}},
        "insecure-skip-tls-verify": {"user": {"token": TOKEN},
                                     "cluster": {"insecure-skip-tls-verify": True,
                                                 "certificate-authority-data": None}},
    }


@pytest.mark.parametrize("auth", ["client-cert-files", "client-cert-data", "token", "token-file", "exec-v1",
                                  "exec-v1beta1", "insecure-skip-tls-verify"])
def test_kubeconfig_credentials(auth: str, api: KubeAPIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    entry = _user_configs(api, tmp_path)[auth]
    config = api.kubeconfig(context=auth, user=entry["user"])
    cluster = config["clusters"][0]["cluster"]
    for name, value in entry.get("cluster", {}).items():
        if value is None:
            cluster.pop(name)
        else:
            cluster[name] = value
    before = len(api.requests)
    result = run(["scan", "--cluster", "--kubeconfig", str(write(tmp_path / "config", config)), "-t", "1.25"],
                 monkeypatch, capsys)
    assert result.code == 1, result.stderr
    assert f"cluster:{auth}: removed: CronJob/nightly (namespace shop) batch/v1beta1" in result.stdout
    users = {r.user for r in api.requests[before:]}
    assert users == ({"alice"} if auth.startswith("client-cert") else {"admin"})
    insecure = ("cluster:insecure-skip-tls-verify: warning: insecure-skip-tls-verify: the API server's certificate "
                "was not checked [cluster-tls-unverified]")
    assert (insecure in result.stdout) == (auth == "insecure-skip-tls-verify")
    assert "InsecureRequestWarning" not in result.stderr


def test_several_kubeconfig_files_merged_first_current_context_wins(
        api: KubeAPIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    prod = api.kubeconfig(context="prod")
    staging = api.kubeconfig(context="staging", user={"token": "revoked"})
    # One file has the clusters and users, another the contexts; both name a current context.
    first = write(tmp_path / "contexts", {"apiVersion": "v1", "kind": "Config", "current-context": "prod",
                                          "contexts": prod["contexts"] + staging["contexts"]})
    second = write(tmp_path / "credentials", {"apiVersion": "v1", "kind": "Config", "current-context": "staging",
                                              "clusters": prod["clusters"] + staging["clusters"],
                                              "users": prod["users"] + staging["users"]})
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(first), str(tmp_path / "missing"), str(second)]))
    result = run(["scan", "--cluster", "-t", "1.25"], monkeypatch, capsys)
    assert result.code == 1, result.stderr
    assert "cluster:prod: removed: CronJob/nightly" in result.stdout  # kubectl: the first current-context
    chosen = run(["scan", "--cluster", "--context", "staging", "-t", "1.25"], monkeypatch, capsys)
    assert chosen.code == 2
    assert chosen.stderr.strip().splitlines() == [
        "kdeprecate: error: cluster:staging: 401 Unauthorized: the API server rejected the credentials of context "
        "staging"]


def test_in_cluster_service_account(api: KubeAPIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pluto_py.core.model import Document
    from pluto_py.sources import InputStats
    from pluto_py.sources.live import ClusterOptions, LiveCluster

    account = tmp_path / "serviceaccount"
    account.mkdir()
    (account / "token").write_text(TOKEN)
    (account / "ca.crt").write_bytes(api.ca_pem)
    (account / "namespace").write_text("kdeprecate")
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", api.url.rpartition(":")[2])
    source = LiveCluster.open(ClusterOptions(service_account_dir=str(account)))
    assert source.version is not None and source.version.raw == "v1.29.4-gke.1043002"
    documents = [d for d in source.documents(InputStats()) if isinstance(d, Document)]
    assert {d.path for d in documents} == {"cluster:in-cluster"}
    assert any(d.data["kind"] == "Deployment" and d.data["apiVersion"] == "apps/v1" for d in documents)


def test_proxy_url(api: KubeAPIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                   capsys: pytest.CaptureFixture[str]) -> None:
    with ConnectProxy() as proxy:
        config = api.kubeconfig(context="proxied", cluster={"proxy-url": proxy.url})
        result = run(["scan", "--cluster", "--kubeconfig", str(write(tmp_path / "config", config)), "-t", "1.25"],
                     monkeypatch, capsys)
    assert result.code == 1, result.stderr
    assert proxy.targets and set(proxy.targets) == {api.url.removeprefix("https://")}


def test_pagination_and_an_expired_continue_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    ingresses = [applied("extensions/v1beta1", "Ingress", f"web-{i:04d}", f"team-{i % 3}", "networking.k8s.io/v1")
                 for i in range(1234)]
    with KubeAPIServer("1.24", "v1.24.17-eks-abc123").add(*ingresses) as api:
        api.expire_continue("ingresses.networking.k8s.io")
        config = write(tmp_path / "config", api.kubeconfig(context="eks"))
        result = run(["scan", "--cluster", "--kubeconfig", str(config), "-o", "json"], monkeypatch, capsys)
        lists = [r for r in api.requests if r.path == "/apis/networking.k8s.io/v1/ingresses"]
    assert result.code == 1, result.stderr
    names = sorted(f["name"] for f in result.json()["findings"])
    assert names == sorted(i["metadata"]["name"] for i in ingresses)  # each once: none lost, none twice
    # 3 pages; the second page's token expired (410), so the list restarted once and skipped what it had.
    assert [("continue" in r.query) for r in lists] == [False, True, False, True, True]
    assert result.json()["findings"][0]["from_version"] == "1.24"


def _faulty(api: KubeAPIServer) -> KubeAPIServer:
    api.fail("deployments.apps", 403)
    api.fail("cronjobs.batch", 500)
    api.delay("horizontalpodautoscalers.autoscaling", 3)
    return api


def test_forbidden_failing_and_slow_resources_each_one_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    with _faulty(loaded(KubeAPIServer("1.29"))) as api:
        config = write(tmp_path / "config", api.kubeconfig(context="prod", user={"token": TOKEN}))
        result = run(["scan", "--cluster", "--kubeconfig", str(config), "--request-timeout", "0.5", "-t", "1.25",
                      "-o", "json"], monkeypatch, capsys)
    assert result.code == 2
    errors = sorted(line for line in result.stderr.splitlines())
    assert errors == [
        'kdeprecate: error: cluster:prod: cannot list cronjobs.batch (batch/v1): 500 InternalError: Internal error '
        'occurred: etcdserver: request timed out',
        'kdeprecate: error: cluster:prod: cannot list deployments.apps (apps/v1): 403 Forbidden: deployments.apps is '
        'forbidden: User "admin" cannot list resource "deployments" in API group "apps" at the cluster scope',
        "kdeprecate: error: cluster:prod: cannot list horizontalpodautoscalers.autoscaling (autoscaling/v2): timed "
        "out after 0.5 s",
    ]
    report = result.json()
    assert len(report["errors"]) == 3 and {e["line"] for e in report["errors"]} == {None}
    kinds = {f["kind"] for f in report["findings"]}
    assert "PodDisruptionBudget" in kinds and "Widget" in kinds  # everything readable is still judged
    assert not kinds & {"Deployment", "HorizontalPodAutoscaler"}
    notice = next(n for n in report["notices"] if n["code"] == "cluster-unreadable")
    assert notice["message"].startswith("could not read 1 resource(s): deployments.apps (403). The ClusterRole "
                                        "kdeprecate-reader (deploy/rbac/clusterrole.yaml)")


@pytest.mark.parametrize("case", ["unreachable", "tls", "unauthorized", "exec-fails"])
def test_the_cluster_cannot_be_read_at_all(case: str, api: KubeAPIServer, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    config = api.kubeconfig(context="prod")
    cluster, user = config["clusters"][0]["cluster"], config["users"][0]["user"]
    if case == "unreachable":
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            cluster["server"] = f"https://127.0.0.1:{unused.getsockname()[1]}"
    elif case == "tls":
        cluster["certificate-authority-data"] = base64.b64encode(trustme.CA().cert_pem.bytes()).decode()
    elif case == "unauthorized":
        user["token"] = "wrong"
    else:
        config["users"][0]["user"] = {"exec": {"apiVersion": "client.authentication.k8s.io/v1",
                                               "command": sys.executable, "args": [EXEC_PLUGIN, "--fail"],
                                               "interactiveMode": "Never"}}
    # A file is scanned with the cluster: its findings are still reported.
    result = run(["scan", str(FIXTURES / "shop"), "--cluster", "--kubeconfig",
                  str(write(tmp_path / "config", config)), "-t", "1.25"], monkeypatch, capsys)
    assert result.code == 2
    assert "shop/web.yaml" in result.stdout and "removed" in result.stdout
    [error] = result.stderr.splitlines()
    expected = {
        "unreachable": f"kdeprecate: error: cluster:prod: cannot reach {cluster['server']}: ",
        "tls": "kdeprecate: error: cluster:prod: TLS failure talking to https://127.0.0.1:",
        "unauthorized": "kdeprecate: error: cluster:prod: 401 Unauthorized: the API server rejected the "
                        "credentials of context prod",
        "exec-fails": "kdeprecate: error: cluster:prod: 401 Unauthorized: the API server rejected the credentials "
                      "of context prod (exec credential plugin failed: exec: process returned 1. plugin: no "
                      "credentials for this cluster (log in first))",
    }[case]
    assert error.startswith(expected), error


def test_namespaces(api: KubeAPIServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                    capsys: pytest.CaptureFixture[str]) -> None:
    config = write(tmp_path / "config", api.kubeconfig(context="prod"))
    before = len(api.requests)
    result = run(["scan", "--cluster", "--kubeconfig", str(config), "--namespace", "jobs", "-t", "1.25", "-o",
                  "json"], monkeypatch, capsys)
    assert result.code == 1, result.stderr
    assert {f["namespace"] for f in result.json()["findings"]} == {"jobs"}
    lists = {r.path for r in api.requests[before:] if r.query.get("limit")}
    assert "/api/v1/namespaces/jobs/secrets" in lists and "/api/v1/secrets" not in lists
    assert "/apis/apiextensions.k8s.io/v1/customresourcedefinitions" in lists  # CRDs judge custom resources
    assert not any(p.endswith("/clusterroles") for p in lists)
    # A namespace-bound user may not list CRDs: a warning, not an error (they are outside the namespaces).
    api.tokens["t0ken-team"] = "team"
    api.fail("customresourcedefinitions.apiextensions.k8s.io", 403, user="team")
    config = write(tmp_path / "team", api.kubeconfig(context="team", user={"token": "t0ken-team"}))
    team = run(["scan", "--cluster", "--kubeconfig", str(config), "--namespace", "shop", "-t", "1.25", "-o", "json"],
               monkeypatch, capsys)
    assert team.code == 1 and not team.json()["errors"], team.stderr
    [notice] = [n for n in team.json()["notices"] if n["code"] == "cluster-crds-unreadable"]
    assert notice["message"].startswith("cannot list customresourcedefinitions (403 Forbidden: "
                                        "customresourcedefinitions.apiextensions.k8s.io is forbidden")
    assert "Widget" not in {f["kind"] for f in team.json()["findings"]}


@pytest.fixture(scope="module")
def live_result(api: KubeAPIServer, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One cluster scan through the pipeline, as the CLI runs it (JUnit needs every object)."""
    from pluto_py.core.table import load_table
    from pluto_py.core.versions import parse_version
    from pluto_py.pipeline.judge import Targets
    from pluto_py.pipeline.run import ScanRequest, run_scan
    from pluto_py.sources.live import ClusterOptions, LiveCluster

    config = write(tmp_path_factory.mktemp("kubeconfig") / "config", api.kubeconfig(context="prod"))
    cluster = LiveCluster.open(ClusterOptions(kubeconfig=str(config)))
    request = ScanRequest(paths=[], settings={"live-cluster": cluster}, targets=Targets(parse_version("1.25")),
                          collect_objects=True)
    return run_scan(request, load_table([])).result


@pytest.mark.parametrize("output", ["text", "json", "yaml", "csv", "markdown", "sarif", "junit", "github", "gitlab"])
def test_every_reporter_copes_with_objects_without_a_line(output: str, live_result: Any) -> None:
    from pluto_py.report import ReportContext, get_reporter

    assert live_result.findings and not live_result.errors
    text = get_reporter(output).render(live_result, ReportContext(tool_version="0", fail_on="removed", color=False))
    assert "None" not in text and ":0:" not in text and "line 0" not in text
    assert "nightly" in text
    if output == "sarif":
        located = json.loads(text)["runs"][0]["results"][0]["locations"][0]
        assert located["logicalLocations"] == [{"name": "cluster:prod", "kind": "resource"}]
        # GitHub drops results without a physical location: an artifact named after the cluster, no file of
        # the repository (no uriBaseId) and no region.
        assert located["physicalLocation"] == {"artifactLocation": {
            "uri": "cluster%3Aprod", "description": {"text": "not a file: cluster:prod"}}}
    if output == "github":
        assert "file=" not in text
    if output == "junit":
        assert 'name="CronJob/nightly (namespace shop) batch/v1beta1"' in text
    if output == "gitlab":  # Code Quality wants a line: the first
        assert json.loads(text)[0]["location"] == {"path": "cluster:prod", "lines": {"begin": 1}}


def test_cluster_options_need_cluster_and_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    result = run(["scan", str(FIXTURES / "shop"), "--context", "prod"], monkeypatch, capsys)
    assert (result.code, result.stderr) == (2, "kdeprecate: error: --context only applies with --cluster\n")
    nowhere = run(["scan", "--cluster"], monkeypatch, capsys)  # no KUBECONFIG, no ~/.kube/config, not in a pod
    assert (nowhere.code, nowhere.stderr) == (2, "kdeprecate: error: cluster:current-context: no kubeconfig: give "
                                                 "--kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config\n")
    skew = run(["skew", "--cluster", "--kubeconfig", str(tmp_path / "absent")], monkeypatch, capsys)
    assert skew.code == 2 and skew.stderr.startswith(f"kdeprecate: error: {tmp_path / 'absent'}: cannot read")
    blocked = ("import sys\nclass Block:\n    def find_spec(self, name, *args):\n"
               "        if name.split('.')[0] == 'kubernetes': raise ImportError(name)\n"
               "sys.meta_path.insert(0, Block())\nfrom pluto_py.cli import main\n"
               "main(['scan', '--cluster'])\n")
    missing = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True, cwd=REPO_ROOT)
    assert (missing.returncode, missing.stderr) == (
        2, "kdeprecate: error: the live-cluster client is not installed: pip install 'kdeprecate[cluster]'\n")


def test_the_client_library_is_not_imported_when_scanning_files() -> None:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "pluto_py", "scan", "fixtures/cluster",
                             "fixtures/shop", "-t", "1.25"], capture_output=True, text=True, cwd=REPO_ROOT)
    assert result.returncode == 1
    imported = {line.rpartition("|")[2].strip() for line in result.stderr.splitlines() if line.startswith("import")}
    assert "pluto_py.sources.cluster" in imported  # the dump path was taken
    assert not {m for m in imported if m.split(".")[0] in ("kubernetes", "urllib3", "pydantic")
                or m in ("pluto_py.sources.live", "pluto_py.cli.live", "pluto_py.skew.live")}


def test_clusterrole_is_read_only_and_valid() -> None:
    import kubernetes_validate

    role = yaml.safe_load((REPO_ROOT / "deploy" / "rbac" / "clusterrole.yaml").read_text())
    kubernetes_validate.validate(role, "1.29", strict=True)
    from pluto_py.sources.live import CLUSTER_ROLE, CLUSTER_ROLE_FILE

    assert role["metadata"]["name"] == CLUSTER_ROLE and (REPO_ROOT / CLUSTER_ROLE_FILE).is_file()
    assert {verb for rule in role["rules"] for verb in rule["verbs"]} == {"get", "list"}
    assert {"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list"]} in role["rules"]


# --- skew --cluster ------------------------------------------------------------------------------------


def node(name: str, kubelet: str, proxy: str = "", runtime: str = "containerd://1.7.11",
         control_plane: bool = False) -> dict[str, Any]:
    labels = {"kubernetes.io/hostname": name, **({"node-role.kubernetes.io/control-plane": ""} if control_plane
                                                 else {})}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels},
            "status": {"nodeInfo": {"kubeletVersion": kubelet, "kubeProxyVersion": proxy,
                                    "containerRuntimeVersion": runtime, "osImage": "Ubuntu 22.04.4 LTS"}}}


def static_pod(component: str, node_name: str, tag: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"{component}-{node_name}", "namespace": "kube-system",
                         "labels": {"component": component, "tier": "control-plane"}},
            "spec": {"nodeName": node_name, "containers": [{"name": component,
                                                            "image": f"registry.k8s.io/{component}:{tag}"}]}}


def test_skew_cluster_checks_and_plans_as_files_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    nodes = [node("cp-1", "v1.28.9", control_plane=True), node("worker-1", "v1.27.13"),
             node("worker-2", "v1.24.17", runtime="cri-o://1.25.4")]
    pods = [static_pod("kube-apiserver", "cp-1", "v1.28.9"), static_pod("kube-controller-manager", "cp-1", "v1.28.9"),
            static_pod("kube-scheduler", "cp-1", "v1.28.9"), static_pod("kube-proxy", "worker-1", "v1.27.13")]
    with KubeAPIServer("1.28", "v1.28.9").add(*nodes, *pods) as api:
        config = write(tmp_path / "config", api.kubeconfig(context="kubeadm"))
        live = run(["skew", "--cluster", "--kubeconfig", str(config), "--target", "1.30", "-o", "json"],
                   monkeypatch, capsys)
        assert {r.method for r in api.requests} == {"GET"}
    nodes_file = tmp_path / "nodes.json"
    nodes_file.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": nodes}))
    version_file = tmp_path / "version.json"
    version_file.write_text(json.dumps({"serverVersion": {"gitVersion": "v1.28.9", "major": "1", "minor": "28"}}))
    files = run(["skew", "--nodes", str(nodes_file), "--version-info", str(version_file), "--apiserver",
                 "cp-1=v1.28.9", "--controller-manager", "cp-1=v1.28.9", "--scheduler", "cp-1=v1.28.9",
                 "--kube-proxy", "worker-1=v1.27.13", "--target", "1.30", "-o", "json"], monkeypatch, capsys)
    assert live.code == files.code == 1, live.stderr
    live_report, file_report = live.json(), files.json()
    notes = live_report.pop("notes", None) or live_report.get("state", {}).pop("notes", [])
    file_report.pop("notes", None) or file_report.get("state", {}).pop("notes", [])
    assert live_report == file_report
    assert any("container runtimes: containerd://1.7.11 on 2 node(s), cri-o://1.25.4 on 1 node(s)" in n
               for n in notes)


def test_skew_cluster_managed_control_plane(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    with KubeAPIServer("1.24", "v1.24.17-eks-abc123").add(node("ip-10-0-1-5", "v1.24.17-eks-ba74326",
                                                              "v1.24.17-eks-ba74326")) as api:
        api.fail("/api/v1/namespaces/kube-system/pods", 403)
        config = write(tmp_path / "config", api.kubeconfig(context="eks"))
        result = run(["skew", "--cluster", "--kubeconfig", str(config), "--target", "1.25"], monkeypatch, capsys)
    assert result.code == 0, result.stderr
    assert "eks" in result.stdout.lower()
    assert "control-plane versions not read from kube-system pods (403 Forbidden" in result.stdout


def test_readme_section_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Every command of the README's "Scanning a live cluster" runs, against tests.kubeapi.readme_cluster;
    console blocks print what they show."""
    import re
    import shlex

    from tests.conftest import readme_section
    from tests.kubeapi import readme_cluster, readme_kubeconfig
    from tests.test_readme import shell_lines

    section = readme_section("Scanning a live cluster")
    monkeypatch.chdir(REPO_ROOT)
    ran = 0
    consoles: set[str] = set()
    with readme_cluster() as api:
        monkeypatch.setenv("KUBECONFIG", str(write(tmp_path / "config", readme_kubeconfig(api))))
        for block in re.findall(r"```console\n(.*?)```", section, flags=re.DOTALL):
            command, *shown = block.strip().splitlines()
            consoles.add(command.removeprefix("$ "))
            expected = re.search(r"#\s*exit\s+(\d+)\s*$", command)
            result = run(shlex.split(command.removeprefix("$ "), comments=True)[1:], monkeypatch, capsys)
            assert result.code == (int(expected.group(1)) if expected else 1), result.stderr
            assert (result.stderr + result.stdout).splitlines() == shown
            ran += 1
        for line in shell_lines(section):
            if line in consoles:
                continue
            if line.startswith("kubectl "):
                assert all((REPO_ROOT / path).is_file() for path in re.findall(r"-f (\S+)", line))
                continue
            expected = re.search(r"#\s*exit\s+(\d+)\s*$", line)
            result = run(shlex.split(line, comments=True)[1:], monkeypatch, capsys)
            assert result.code in ((int(expected.group(1)),) if expected else (0, 1)), (line, result.stderr)
            ran += 1
        assert {r.method for r in api.requests} == {"GET"}
    assert ran == 5
    assert "cluster = [" in (REPO_ROOT / "pyproject.toml").read_text()  # pip install 'kdeprecate[cluster]'


@pytest.mark.slow
def test_benchmark_script_runs_and_agrees() -> None:
    """benchmarks/live_cluster.py on a tiny cluster: every figure printed, findings equal to the dump's
    (timings and the memory ratio are judged on the full size, docs/performance.md)."""
    result = subprocess.run([sys.executable, "benchmarks/live_cluster.py", "--objects", "400", "--resources", "4",
                             "--small", "200", "--no-compile"], cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    for label in ("scan --cluster, large", "scan --cluster, small", "scan of the same objects as dump files",
                  "peak memory, large / small cluster:", "time, cluster scan / dump-file scan of the same objects:",
                  "findings agree (cluster = dump = one in a hundred objects): yes"):
        assert label in result.stdout, label
