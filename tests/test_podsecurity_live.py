"""`kdeprecate podsecurity --cluster`: the live-cluster source with every object as it runs, against the
local API server stand-in (real HTTPS, the real Kubernetes client), read-only."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import CliResult
from tests.kubeapi import KubeAPIServer

Cli = Callable[..., CliResult]


def obj(kind: str, api_version: str, name: str, namespace: str | None = None, **fields: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, **fields.pop("metadata", {})}
    if namespace:
        metadata["namespace"] = namespace
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **fields}


def deployment(name: str, namespace: str, security: dict[str, Any]) -> dict[str, Any]:
    return obj("Deployment", "apps/v1", name, namespace, spec={
        "selector": {"matchLabels": {"app": name}},
        "template": {"metadata": {"labels": {"app": name}},
                     "spec": {"containers": [{"name": name, "image": f"registry.example.com/{name}:1",
                                              "securityContext": security}]}}})


RESTRICTED = {"runAsNonRoot": True, "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
              "seccompProfile": {"type": "RuntimeDefault"}}


@pytest.fixture(scope="module")
def cluster() -> Iterator[KubeAPIServer]:
    """A 1.29 cluster: `payments` enforces restricted but runs a privileged Deployment; `web` enforces
    restricted and its Deployment meets it."""
    labels = {"pod-security.kubernetes.io/enforce": "restricted"}
    with KubeAPIServer("1.29", "v1.29.4") as api:
        api.add(obj("Namespace", "v1", "payments", metadata={"labels": labels}),
                obj("Namespace", "v1", "web", metadata={"labels": labels}),
                deployment("ledger", "payments", {"privileged": True}),
                deployment("site", "web", RESTRICTED))
        yield api


def kubeconfig(api: KubeAPIServer, tmp_path: Path) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(api.kubeconfig(context="prod")), encoding="utf-8")
    return path


def test_podsecurity_reads_what_runs_in_the_cluster(cluster: KubeAPIServer, tmp_path: Path, cli: Cli) -> None:
    before = len(cluster.requests)
    result = cli("podsecurity", "--cluster", "--kubeconfig", str(kubeconfig(cluster, tmp_path)), "--target", "1.29",
                 "-o", "json")
    assert result.code == 1, result.stderr
    namespaces = {entry["namespace"]: entry for entry in result.json()["namespaces"]}
    assert namespaces["payments"]["level"] == "privileged"
    assert [f["id"] for f in namespaces["payments"]["findings"]] == ["podsecurity-pods-refused"]
    assert namespaces["web"]["level"] == "restricted" and namespaces["web"]["findings"] == []
    assert {r.method for r in cluster.requests[before:]} == {"GET"}


def test_cluster_options_need_cluster_and_an_unreachable_cluster_is_exit_2(tmp_path: Path, cli: Cli) -> None:
    with KubeAPIServer("1.29", "v1.29.4") as api:
        config = kubeconfig(api, tmp_path)
    assert cli("podsecurity", "--kubeconfig", str(config), "--target", "1.29").code == 2
    gone = cli("podsecurity", "--cluster", "--kubeconfig", str(config), "--target", "1.29", "--request-timeout", "2")
    assert gone.code == 2 and "cluster:prod" in gone.stderr and "Traceback" not in gone.stderr
