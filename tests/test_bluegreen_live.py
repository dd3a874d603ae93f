"""`kdeprecate bluegreen --blue-context / --green-context`: both clusters read live, with the real kubernetes
client over real HTTPS, from two API server stand-ins (tests/kubeapi) holding the blue 1.24 and green 1.29
fixtures: the same checks fire as from their dumps."""

from __future__ import annotations

import json
import re
import socket
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO_ROOT, CliResult, readme_section
from tests.kubeapi import KubeAPIServer, isolate_kubeconfig
from tests.test_bluegreen_cli import BLUE, EXPECTED, GREEN, _console_blocks, _matches

Cli = Callable[..., CliResult]
VIEWER = "t0ken-viewer"


def cluster_of(release: str, git_version: str, directory: str, skip: str = "") -> KubeAPIServer:
    """A stand-in serving what the dump in ``directory`` holds (its `kubectl version` is the server's)."""
    api = KubeAPIServer(release, git_version, tokens={"t0ken-admin": "admin", VIEWER: "viewer"})
    for dump in sorted((REPO_ROOT / directory).glob("*.yaml")):
        if dump.name not in ("version.yaml", skip):
            api.load_yaml(dump)
    return api


@pytest.fixture(scope="module")
def clusters() -> Iterator[tuple[KubeAPIServer, KubeAPIServer]]:
    blue = cluster_of("1.24", "v1.24.17", BLUE)
    green = cluster_of("1.29", "v1.29.4", GREEN)
    green.fail("deployments.apps", 403, user="viewer")
    with blue, green:
        yield blue, green


def contexts(config: dict[str, Any], *more: dict[str, Any]) -> dict[str, Any]:
    for other in more:
        for key in ("clusters", "users", "contexts"):
            config[key] += other[key]
    return config


@pytest.fixture(scope="module")
def kubeconfig(clusters: tuple[KubeAPIServer, KubeAPIServer], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One kubeconfig, as a user who runs both clusters has it: contexts blue and green, and green as a viewer
    who may not list Deployments, with a revoked token, and gone (nothing listens)."""
    blue, green = clusters
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        nowhere = f"https://127.0.0.1:{unused.getsockname()[1]}"
    config = contexts(blue.kubeconfig(context="blue"), green.kubeconfig(context="green"),
                      green.kubeconfig(context="green-viewer", user={"token": VIEWER}),
                      green.kubeconfig(context="green-revoked", user={"token": "revoked"}),
                      green.kubeconfig(context="green-gone", server=nowhere))
    path = tmp_path_factory.mktemp("kubeconfig") / "config"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(REPO_ROOT)
    isolate_kubeconfig(monkeypatch, tmp_path / "home")


def checks(report: dict[str, Any]) -> Counter[tuple[str, str, str, str, str]]:
    return Counter((c["id"], c["severity"], json.dumps(c["object"], sort_keys=True), c["message"], c["fix"])
                   for c in report["checks"])


def test_two_live_contexts_fire_the_checks_their_dumps_do(
        clusters: tuple[KubeAPIServer, KubeAPIServer], kubeconfig: Path, cli: Cli) -> None:
    before = [len(api.requests) for api in clusters]
    live = cli("bluegreen", "--kubeconfig", str(kubeconfig), "--blue-context", "blue", "--green-context", "green",
               "-o", "json")
    dump = cli("bluegreen", BLUE, "--green", GREEN, "-o", "json")
    assert live.code == dump.code == 1 and live.stderr == ""
    report = live.json()
    assert checks(report) == checks(dump.json())  # ids, severities, objects, messages and what to do
    assert Counter((c["id"], c["severity"]) for c in report["checks"]) == EXPECTED
    blue, green = report["blue"], report["green"]
    assert (blue["version"], blue["described_by"], green["version"], green["described_by"]) == (
        "1.24", ["context blue"], "1.29", ["context green"])
    # Every object as it runs, Helm releases decoded; the live source leaves out superseded release records
    # (history: sh.helm.release.v1.shop.v3), which a dump holds.
    assert blue["objects"] == dump.json()["blue"]["objects"] - 1
    # Discovery is complete: every served version, not only each group's preferred one (autoscaling/v2 at 1.24).
    assert {"autoscaling/v2", "autoscaling/v2beta2", "policy/v1beta1"} <= set(blue["group_versions"])
    assert "policy/v1beta1" not in green["group_versions"] and "cert-manager.io/v1" in green["group_versions"]
    assert blue["errors"] == green["errors"] == []
    for api, start in zip(clusters, before, strict=True):
        requests = api.requests[start:]
        assert {r.method for r in requests} == {"GET"}  # read-only
        assert {"/version", "/api", "/apis"} <= {r.path for r in requests}
        assert all(r.query.get("limit") == "500" for r in requests if r.path.endswith("/deployments"))
        assert "/metrics" not in {r.path for r in requests}
    text = cli("bluegreen", "--kubeconfig", str(kubeconfig), "--blue-context", "blue", "--green-context", "green")
    assert "    blue: cluster:blue [last applied]" in text.stdout and "    green: cluster:green\n" in text.stdout
    assert ":0" not in text.stdout  # a live object has no line


def test_green_context_alone_with_paths_for_blue_and_with_other_descriptions(kubeconfig: Path, cli: Cli) -> None:
    alone = cli("bluegreen", BLUE, "--kubeconfig", str(kubeconfig), "--green-context", "green", "-o", "json")
    assert alone.code == 1 and alone.stderr == ""
    assert Counter((c["id"], c["severity"]) for c in alone.json()["checks"]) == EXPECTED
    assert checks(alone.json()) == checks(cli("bluegreen", BLUE, "--green", GREEN, "-o", "json").json())
    combined = cli("bluegreen", BLUE, "--kubeconfig", str(kubeconfig), "--green-context", "green", "--green-version",
                   "1.29", "--green-api-resources", f"{GREEN}/api-versions.txt", "-o", "json")
    assert combined.code == 1 and checks(combined.json()) == checks(alone.json())
    assert combined.json()["green"]["described_by"] == [
        "version 1.29 (--green-version)", f"api-versions {GREEN}/api-versions.txt", "context green"]
    disagree = cli("bluegreen", BLUE, "--kubeconfig", str(kubeconfig), "--green-context", "green", "--green-version",
                   "1.28")
    assert disagree.code == 2
    assert disagree.stderr == ("kdeprecate: error: context green: green is 1.29 here but 1.28 by version 1.28 "
                               "(--green-version); using 1.28\n")


@pytest.mark.parametrize(("context", "error"), [
    ("green-gone", "kdeprecate: error: cluster:green-gone: cannot reach https://127.0.0.1:"),
    ("green-revoked", "kdeprecate: error: cluster:green-revoked: 401 Unauthorized: the API server rejected the "
                      "credentials of context green-revoked"),
])
def test_a_cluster_that_cannot_be_read_is_exit_2_and_the_rest_is_checked(context: str, error: str, kubeconfig: Path,
                                                                        cli: Cli) -> None:
    result = cli("bluegreen", BLUE, "--kubeconfig", str(kubeconfig), "--green-context", context, "--green-version",
                 "1.29", "-o", "json")
    assert result.code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(error), line
    report = result.json()
    assert sum(c["id"] == "api-not-served" for c in report["checks"]) == 7  # blue against green's version
    assert report["green"]["errors"][0]["path"] == f"cluster:{context}"
    assert report["green"]["objects"] is None  # unknown, not empty: no workload is "missing" on green
    assert {"workload-missing", "namespace-missing"} <= {n["id"] for n in report["green"]["not_checked"]}


def test_resources_rbac_hides_are_errors_and_a_note_names_the_clusterrole(kubeconfig: Path, cli: Cli) -> None:
    result = cli("bluegreen", BLUE, "--kubeconfig", str(kubeconfig), "--green-context", "green-viewer", "-o", "json")
    assert result.code == 2
    assert result.stderr.splitlines() == [
        'kdeprecate: error: cluster:green-viewer: cannot list deployments.apps (apps/v1): 403 Forbidden: '
        'deployments.apps is forbidden: User "viewer" cannot list resource "deployments" in API group "apps" at the '
        'cluster scope']
    report = result.json()
    assert any("could not read 1 resource(s): deployments.apps (403). The ClusterRole kdeprecate-reader" in note
               for note in report["green"]["notes"])
    assert {"crd-missing", "webhook-no-backend", "api-not-served"} <= {c["id"] for c in report["checks"]}


def test_an_aggregated_api_without_a_backend_on_green(tmp_path: Path, cli: Cli) -> None:
    services = yaml.safe_load((REPO_ROOT / GREEN / "apiservices.yaml").read_text(encoding="utf-8"))
    metrics = next(s for s in services["items"] if s["metadata"]["name"] == "v1beta1.metrics.k8s.io")
    metrics["status"]["conditions"][0].update(status="False", reason="FailedDiscoveryCheck")  # metrics-server down
    green = cluster_of("1.29", "v1.29.4", GREEN, skip="apiservices.yaml").add(services)
    with green:
        config = tmp_path / "config"
        config.write_text(yaml.safe_dump(green.kubeconfig(context="green")), encoding="utf-8")
        result = cli("bluegreen", BLUE, "--kubeconfig", str(config), "--green-context", "green", "-o", "json")
    assert result.code == 2
    assert result.stderr.splitlines() == ["kdeprecate: error: cluster:green: cannot discover metrics.k8s.io/v1beta1: "
                                          "503 ServiceUnavailable: the server is currently unable to handle the "
                                          "request"]
    [missing] = [c for c in result.json()["checks"] if c["id"] == "apiservice-missing"
                 and c["object"]["name"] == "v1beta1.metrics.k8s.io"]
    assert "metrics.k8s.io/v1beta1" in missing["message"] and "not Available" in missing["message"]


def test_context_options(kubeconfig: Path, cli: Cli) -> None:
    alone = cli("bluegreen", BLUE, "--green-version", "1.29", "--kubeconfig", str(kubeconfig))
    assert (alone.code, alone.stderr) == (
        2, "kdeprecate: error: --kubeconfig only applies with --blue-context or --green-context\n")
    timeout = cli("bluegreen", BLUE, "--green-context", "green", "--request-timeout", "soon")
    assert timeout.code == 2 and "--request-timeout: expected seconds" in timeout.stderr
    nowhere = cli("bluegreen", BLUE, "--green-context", "green-prod", "--green-version", "1.29")
    assert nowhere.code == 2
    assert nowhere.stderr == ("kdeprecate: error: cluster:green-prod: no kubeconfig: give --kubeconfig FILE, set "
                              "KUBECONFIG, or create ~/.kube/config\n")


CONTEXT_BLOCKS = [(command, shown) for command, shown in _console_blocks(readme_section("Blue/green upgrades"))
                  if re.search(r"--(blue|green)-context", command)]


def test_the_readme_context_example_runs(kubeconfig: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli) -> None:
    """tests/test_readme.py leaves --blue-context / --green-context lines here: run against the stand-ins."""
    assert len(CONTEXT_BLOCKS) == 1
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    for command, shown in CONTEXT_BLOCKS:
        line, _, exit_comment = command.partition("  # exit ")
        args = line.split()
        assert args[0] == "kdeprecate"
        result = cli(*args[1:])
        assert result.code == int(exit_comment), result.stderr
        assert _matches(shown, result.stdout.splitlines()), result.stdout
