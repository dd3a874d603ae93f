"""Cluster descriptions from each kind of input, and how they combine."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import pytest

from pluto_py.bluegreen import ReadinessRequest, assess
from pluto_py.bluegreen.inputs import (
    read_inputs,
    view_from_discovery,
    view_from_discovery_file,
    view_from_documents,
    view_from_version,
)
from pluto_py.bluegreen.model import BLUE, GREEN, ApiResource, ClusterView, combine
from pluto_py.core.model import SOURCE_HELM_RELEASE, SOURCE_LAST_APPLIED, Document, Notice, ScanError
from pluto_py.core.versions import parse_version
from pluto_py.sources import SOURCES, InputStats, SourceRequest
from tests.conftest import FIXTURES

BLUE_DIR = FIXTURES / "bluegreen" / "blue-1.24"
GREEN_DIR = FIXTURES / "bluegreen" / "green-1.29"
V129 = parse_version("1.29")


def blue_view() -> ClusterView:
    return view_from_documents(BLUE, "blue", read_inputs([str(BLUE_DIR)], V129))


def test_a_dump_pairs_live_objects_with_what_was_applied_and_merges_helm_releases() -> None:
    blue = combine(BLUE, [blue_view()])
    assert blue.errors == () and blue.version == parse_version("1.24")
    web = blue.find("Deployment", "shop", "web")
    assert web is not None and web.live is not None and web.applied is not None
    assert web.where.source == SOURCE_LAST_APPLIED and web.where.path.endswith("workloads.yaml")
    legacy = blue.find("Deployment", "legacy-reports", "report-worker")
    assert legacy is not None and legacy.api_version == "extensions/v1beta1"  # as applied, not as read (apps/v1)
    cart = blue.find("Deployment", "shop", "cart")  # live in workloads.yaml, applied by Helm release shop
    assert cart is not None and cart.status is not None and cart.status["availableReplicas"] == 2
    assert cart.where.source == SOURCE_HELM_RELEASE and "Helm release shop revision 4" in cart.where.detail
    pdb = blue.find("PodDisruptionBudget", "shop", "cart")  # only in the release: superseded revision 3 is history
    assert pdb is not None and pdb.live is None and pdb.api_version == "policy/v1beta1"
    assert sorted(blue.crds) == ["cert-manager.io/Certificate", "cert-manager.io/CertificateRequest",
                                 "cert-manager.io/ClusterIssuer",
                                 "cert-manager.io/Issuer", "databases.spotahome.com/RedisFailover",
                                 "monitoring.coreos.com/Prometheus", "monitoring.coreos.com/ServiceMonitor"]
    assert blue.crds["cert-manager.io/Certificate"].served_versions == ("v1alpha2", "v1alpha3", "v1beta1", "v1")
    assert blue.apiservices["custom.metrics.k8s.io/v1beta1"].service == ("monitoring", "prometheus-adapter")


def test_the_green_descriptions_combine_each_filling_what_the_others_lack() -> None:
    resources = view_from_discovery_file(GREEN, str(GREEN_DIR / "api-resources-wide.txt"))
    versions = view_from_discovery_file(GREEN, str(GREEN_DIR / "api-versions.txt"))
    version = view_from_version(GREEN, V129, "--green-version")
    only_resources = combine(GREEN, [resources])
    # api-resources lists each resource once, at its group's preferred version
    assert only_resources.served("autoscaling/v2", "HorizontalPodAutoscaler") is True
    assert only_resources.served("autoscaling/v1", "HorizontalPodAutoscaler") is None
    assert only_resources.served("batch/v1beta1", "CronJob") is None
    # api-versions says which group/versions exist, the version's data which kinds they hold
    with_versions = combine(GREEN, [resources, versions])
    assert with_versions.served("autoscaling/v1", "HorizontalPodAutoscaler") is True
    assert with_versions.served("batch/v1beta1", "CronJob") is False
    full = combine(GREEN, [version, resources, versions])
    assert full.served("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema") is True
    assert full.served("flowcontrol.apiserver.k8s.io/v1beta3", "NoSuchKind") is False
    assert full.served("cert-manager.io/v1", "Certificate") is True
    assert full.served("metrics.k8s.io/v1beta1", "PodMetrics") is True
    assert full.version == V129 and len(full.described_by) == 3


def test_a_dump_of_apiservices_lists_every_served_group_version() -> None:
    green = combine(GREEN, [view_from_documents(GREEN, "green", read_inputs([str(GREEN_DIR / "apiservices.yaml")],
                                                                          None))])
    assert green.listed is not None and "custom.metrics.k8s.io/v1beta1" not in green.listed
    assert green.serves_group_version("custom.metrics.k8s.io/v1beta1") is False
    assert green.serves_group_version("metrics.k8s.io/v1beta1") is True


def test_versions_that_disagree_are_an_error_and_the_first_wins() -> None:
    dump = view_from_documents(GREEN, "objects green", read_inputs([str(GREEN_DIR / "version.yaml")], None))
    green = combine(GREEN, [view_from_version(GREEN, parse_version("1.30"), "--green-version"), dump])
    assert green.version == parse_version("1.30")
    [error] = green.errors
    assert "green is 1.29 here but 1.30 by version 1.30 (--green-version)" in error.message


def test_unreadable_inputs_are_errors_naming_them_and_the_rest_is_read(tmp_path: Path) -> None:
    bad_version = tmp_path / "version.yaml"
    bad_version.write_text("serverVersion:\n  gitVersion: banana\n")
    bad_resources = tmp_path / "resources.txt"
    bad_resources.write_text("NAME   SHORTNAMES   APIVERSION   NAMESPACED   KIND\npods   po   v1   true   Pod\n"
                             "?? broken row\n")
    request = ReadinessRequest(blue_paths=[str(BLUE_DIR / "policies.yaml"), str(tmp_path / "missing.yaml"),
                                           str(bad_version)],
                               green_version=V129, green_api_resources=[str(bad_resources), str(tmp_path / "nope")])
    readiness = assess(request)
    messages = [(error.path, error.line, error.message) for error in readiness.errors]
    assert (str(tmp_path / "missing.yaml"), None) in [(p, line) for p, line, _ in messages]
    assert any(p == str(bad_version) and "not a Kubernetes version" in m for p, _, m in messages)
    assert any(p == str(bad_resources) and line == 3 for p, line, _ in messages)
    assert any(p == str(tmp_path / "nope") and "cannot read" in m for p, _, m in messages)
    assert readiness.exit_code == 2
    assert {r.object.kind for r in readiness.results if r.id == "api-not-served"} == {
        "HorizontalPodAutoscaler", "PodDisruptionBudget", "CronJob", "PodSecurityPolicy"}


def test_discovery_built_by_a_provider_plugs_into_the_same_view() -> None:
    """What the live source will hand over (resources and a complete group/version list) reads like the files."""
    view = view_from_discovery(GREEN, "context green", [ApiResource("deployments", "apps/v1", "Deployment", True)],
                               ["v1", "apps/v1"])
    assert view.served("apps/v1", "Deployment") is True and view.served("batch/v1", "Job") is False


class ClusterStandIn:
    """A Source as the live-cluster one will be: in the registry, wanted when its settings are given."""

    name: ClassVar[str] = "stand-in-cluster"

    def __init__(self, request: SourceRequest) -> None:
        self.context = request.settings.get(self.name, {}).get("context")

    def wanted(self, request: SourceRequest) -> bool:
        return self.name in request.settings

    def documents(self, request: SourceRequest, stats: InputStats) -> Iterator[Document | ScanError | Notice]:
        yield Notice(f"cluster:{self.context}", None, "chart-template", "read from a stand-in")
        live = {"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "api", "namespace": "shop", "uid": "1", "resourceVersion": "7",
                             "annotations": {"kubectl.kubernetes.io/last-applied-configuration":
                                             '{"apiVersion":"extensions/v1beta1","kind":"Deployment",'
                                             '"metadata":{"name":"api","namespace":"shop"}}'}}}
        stats.documents += 1
        yield Document(f"cluster:{self.context}", 0, 1, live)

    @property
    def warnings(self) -> Sequence[str]:
        return ()


def test_a_source_added_to_the_registry_is_read_through_the_same_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    """How a live cluster plugs in: a registered Source, asked for by its settings, expanded like a dump."""
    monkeypatch.setitem(SOURCES, ClusterStandIn.name, f"{__name__}:ClusterStandIn")
    assert read_inputs([], None).documents == []  # not wanted without its settings
    raw = read_inputs([], V129, {ClusterStandIn.name: {"context": "blue-prod"}})
    assert raw.errors == [] and raw.warnings == ["read from a stand-in"]
    view = combine(BLUE, [view_from_documents(BLUE, "context blue-prod", raw)])
    api = view.find("Deployment", "shop", "api")
    assert api is not None and api.live is not None and api.api_version == "extensions/v1beta1"  # as applied
    assert api.where.source == SOURCE_LAST_APPLIED and api.where.path == "cluster:blue-prod"
