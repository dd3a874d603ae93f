"""Add-on support (data/addon_support.yaml, pluto_py.addons): data, image recognition, version ranges,
findings and notices from real-looking manifests, list-versions --addons and skew --scan."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version
from ruamel.yaml import YAML

from pluto_py.addons.images import parse_image, repository_basename, version_in_tag
from pluto_py.addons.judge import may_run_addon
from pluto_py.addons.support import Addon, MatrixRow, judge, load_support, supported_text
from pluto_py.core.versions import KubeVersion, parse_version
from tests.conftest import FIXTURES, REPO_ROOT, CliResult

Cli = Callable[..., CliResult]
DATA = YAML(typ="safe", pure=True).load((REPO_ROOT / "data" / "addon_support.yaml").read_text())
SCHEMA = json.loads((REPO_ROOT / "data" / "addon_support.schema.json").read_text())
FIXTURE = str(FIXTURES / "addons")
REQUIRED = {"cluster-autoscaler", "coredns", "kube-proxy", "metrics-server", "ingress-nginx", "cert-manager",
            "kube-state-metrics", "calico", "cilium", "istio", "aws-load-balancer-controller", "external-dns",
            "argo-cd", "flux", "flux-helm-controller"}


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("KDEPRECATE_"):
            monkeypatch.delenv(name, raising=False)


# --- the data ---------------------------------------------------------------------------------------

def test_data_validates_against_its_schema_and_covers_the_required_addons() -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(DATA)
    assert {addon["name"] for addon in DATA["addons"]} >= REQUIRED
    assert DATA["read_on"] == "2026-11-29"


def test_the_schema_rejects_a_row_without_a_source() -> None:
    broken = json.loads(json.dumps(DATA))
    del broken["addons"][3]["support"]["matrix"][0]["source"]
    assert not jsonschema.Draft202012Validator(SCHEMA).is_valid(broken)


def test_every_row_cites_its_source() -> None:
    for addon in DATA["addons"]:
        support = addon["support"]
        cited = [row["source"] for row in support.get("matrix", [])] or [support["source"]]
        assert all(url.startswith("https://") for url in cited), addon["name"]


def test_the_fast_reader_and_ruamel_read_the_same_data() -> None:
    assert load_support().read_on == DATA["read_on"]
    assert [a.name for a in load_support().addons] == [a["name"] for a in DATA["addons"]]


# --- images and versions ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("registry.k8s.io/autoscaling/cluster-autoscaler:v1.20.0",
     ("registry.k8s.io", "autoscaling/cluster-autoscaler", "v1.20.0", None)),
    ("docker.io/istio/pilot:1.10.3", ("docker.io", "istio/pilot", "1.10.3", None)),
    ("istio/pilot:1.10.3", ("docker.io", "istio/pilot", "1.10.3", None)),
    ("nginx", ("docker.io", "library/nginx", None, None)),
    ("index.docker.io/library/nginx:1.27", ("docker.io", "library/nginx", "1.27", None)),
    ("602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/coredns:v1.8.7-eksbuild.3",
     ("602401143452.dkr.ecr.us-west-2.amazonaws.com", "eks/coredns", "v1.8.7-eksbuild.3", None)),
    ("registry.k8s.io/ingress-nginx/controller:v1.1.0@sha256:abc",
     ("registry.k8s.io", "ingress-nginx/controller", "v1.1.0", "sha256:abc")),
    ("quay.io/argoproj/argocd@sha256:0d2e", ("quay.io", "argoproj/argocd", None, "sha256:0d2e")),
    ("localhost:5000/team/app:2.0", ("localhost:5000", "team/app", "2.0", None)),
])
def test_image_references_parse_as_registries_spell_them(text: str, expected: tuple[str, ...]) -> None:
    assert tuple(parse_image(text) or ()) == expected


@pytest.mark.parametrize("text", ["", "  ", "{{ .Values.image }}", "a b", "registry.io//x"])
def test_non_images_are_not_parsed(text: str) -> None:
    assert parse_image(text) is None


@pytest.mark.parametrize(("tag", "version"), [
    ("v1.20.0", "1.20.0"), ("1.8.7-eksbuild.1", "1.8.7"), ("v1.28.1-minimal-eksbuild.1", "1.28.1"),
    ("1.10.3-distroless", "1.10.3"), ("v0.7", "0.7"), ("latest", None), ("v1.14.0-rc.1", None),
    ("1.12.0-beta.0", None), ("main", None), (None, None),
])
def test_versions_come_from_tags_without_vendor_suffixes(tag: str | None, version: str | None) -> None:
    assert version_in_tag(tag) == version


@pytest.mark.parametrize(("image", "addon"), [
    ("registry.k8s.io/autoscaling/cluster-autoscaler:v1.20.0", "cluster-autoscaler"),
    ("k8s.gcr.io/autoscaling/cluster-autoscaler:v1.21.0", "cluster-autoscaler"),
    ("docker.io/istio/pilot:1.10.3", "istio"), ("istio/proxyv2:1.20.1", "istio"),
    ("602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/coredns:v1.8.7-eksbuild.3", "coredns"),
    ("900889452093.dkr.ecr.ap-south-2.amazonaws.com/eks/kube-proxy:v1.28.1-minimal-eksbuild.1", "kube-proxy"),
    ("coredns/coredns:1.11.1", "coredns"), ("quay.io/jetstack/cert-manager-controller:v1.6.1", "cert-manager"),
    ("public.ecr.aws/eks/aws-load-balancer-controller:v2.7.2", "aws-load-balancer-controller"),
    ("ghcr.io/fluxcd/source-controller:v1.2.4", "flux"), ("quay.io/cilium/cilium:v1.18.2", "cilium"),
])
def test_addons_are_recognised_from_registries_and_mirrors(image: str, addon: str) -> None:
    found = load_support().recognise(image)
    assert found is not None and found[0].name == addon


@pytest.mark.parametrize("image", ["nginx:1.27", "registry.example.com/shop/web:2.4.1",
                                   "evil.example.com/autoscaling/cluster-autoscaler:v1.20.0",
                                   # the Tigera operator's tags are its own releases (v1.36.2), not Calico's
                                   "quay.io/tigera/operator:v1.36.2"])
def test_other_images_are_not_addons(image: str) -> None:
    assert load_support().recognise(image) is None


def test_the_prescan_test_is_a_superset_of_recognition() -> None:
    assert may_run_addon("spec:\n  containers:\n    - image: registry.k8s.io/kube-proxy:v1.28.1\n")
    assert may_run_addon('{"image": "quay.io/cilium/cilium:v1.18.2"}')
    assert may_run_addon("      - image: >-\n          something\n")  # cannot tell cheaply: parse it
    assert not may_run_addon("containers:\n  - image: nginx:1.27\n    imagePullPolicy: Always\n")
    assert not may_run_addon("kind: Service\n")
    for addon in load_support().addons:
        for pattern in addon.images:
            assert repository_basename(pattern) in load_support().basenames()


# --- version ranges (packaging) ---------------------------------------------------------------------

_minor = st.integers(min_value=0, max_value=40)


@given(low=_minor, width=st.integers(min_value=1, max_value=6), release=_minor, patch=st.integers(0, 30),
       kube=st.integers(min_value=10, max_value=45))
def test_a_matrix_row_covers_exactly_its_versions(low: int, width: int, release: int, patch: int,
                                                  kube: int) -> None:
    addon = Addon("x", "X", ("r.io/x",), matrix=(
        MatrixRow(f">=1.{low},<1.{low + width}", f">=1.{kube - 2},<=1.{kube}", "https://example.invalid/"),))
    verdict = judge(addon, f"1.{release}.{patch}", KubeVersion(1, kube))
    in_row = low <= release < low + width
    assert verdict.supported is (True if in_row else None)
    outside = judge(addon, f"1.{release}.{patch}", KubeVersion(1, kube + 1))
    assert outside.supported is (False if in_row else None)


@given(major=st.integers(0, 3), minor=_minor, patch=st.integers(0, 99), build=st.integers(1, 9),
       style=st.sampled_from(["v{}", "{}", "v{}-eksbuild.{}", "{}-eksbuild.{}", "v{}-minimal-eksbuild.{}"]))
def test_tag_spellings_give_the_same_release(major: int, minor: int, patch: int, build: int, style: str) -> None:
    release = f"{major}.{minor}.{patch}"
    found = version_in_tag(style.format(release, build))
    assert found is not None and Version(found) == Version(release)


def test_same_minor_and_skew_rules() -> None:
    support = load_support()
    autoscaler, proxy = support.get("cluster-autoscaler"), support.get("kube-proxy")
    assert autoscaler is not None and proxy is not None
    assert judge(autoscaler, "1.28.2", KubeVersion(1, 28)).supported is True
    assert judge(autoscaler, "1.27.5", KubeVersion(1, 28)).supported is False
    # From 1.28 a kube-proxy may be three minors older than kube-apiserver (two before 1.25); never newer.
    assert judge(proxy, "1.25.3", KubeVersion(1, 28)).supported is True
    assert judge(proxy, "1.24.3", KubeVersion(1, 27)).supported is False
    assert judge(proxy, "1.24.3", KubeVersion(1, 26)).supported is True
    assert judge(proxy, "1.29.0", KubeVersion(1, 28)).supported is False
    assert supported_text(">=1.25,<=1.28") == "1.25 to 1.28" and supported_text("==1.20") == "1.20 only"


# --- the versions each project's matrix covers, as images in real charts name them ------------------
# Each expected verdict follows from the row cited in data/addon_support.yaml: Calico 3.26 was tested on
# 1.24-1.28, Cilium 1.14 on 1.19-1.27, Istio 1.20 supports 1.25-1.29, ingress-nginx v1.1.0 1.19-1.22,
# Flux v2.3 (source-controller v1.3, helm-controller v1.0) 1.28-1.30, cert-manager 0.11 1.9-1.21.

@pytest.mark.parametrize(("image", "target", "addon", "supported", "kubernetes"), [
    ("quay.io/calico/node:v3.26.1", "1.30", "calico", False, ">=1.24,<=1.28"),
    ("docker.io/calico/node:v3.26.1", "1.28", "calico", True, ">=1.24,<=1.28"),
    ("docker.io/calico/node:v3.12.0", "1.17", "calico", True, ">=1.14,<=1.17"),
    ("calico/kube-controllers:v3.31.3", "1.36", "calico", False, ">=1.32,<=1.35"),
    ("quay.io/cilium/cilium:v1.14.5", "1.29", "cilium", False, ">=1.19,<=1.27"),
    ("quay.io/cilium/cilium:v1.14.5", "1.27", "cilium", True, ">=1.19,<=1.27"),
    ("quay.io/cilium/operator-generic:v1.16.3", "1.30", "cilium", True, ">=1.27,<=1.30"),
    ("docker.io/istio/proxyv2:1.20.2", "1.29", "istio", True, ">=1.25,<=1.29"),
    ("docker.io/istio/proxyv2:1.20.2", "1.30", "istio", False, ">=1.25,<=1.29"),
    ("gcr.io/istio-release/pilot:1.24.3-distroless", "1.32", "istio", False, ">=1.28,<=1.31"),
    ("registry.k8s.io/ingress-nginx/controller:v1.1.0", "1.22", "ingress-nginx", True, ">=1.19,<=1.22"),
    ("registry.k8s.io/ingress-nginx/controller:v1.1.0@sha256:f766669fdcf3dc26347ed273a55e754b427eb4411ee075a53f30718b4499076a",
     "1.23", "ingress-nginx", False, ">=1.19,<=1.22"),
    ("k8s.gcr.io/ingress-nginx/controller:v0.49.3", "1.22", "ingress-nginx", False, ">=1.19,<=1.21"),
    ("ghcr.io/fluxcd/source-controller:v1.3.0", "1.30", "flux", True, ">=1.28,<=1.30"),
    ("ghcr.io/fluxcd/kustomize-controller:v1.8.5", "1.36", "flux", False, ">=1.33,<=1.35"),
    ("ghcr.io/fluxcd/helm-controller:v1.0.1", "1.31", "flux-helm-controller", False, ">=1.28,<=1.30"),
    ("quay.io/jetstack/cert-manager-controller:v0.11.0", "1.21", "cert-manager", True, ">=1.9,<=1.21"),
])
def test_newly_covered_versions(image: str, target: str, addon: str, supported: bool, kubernetes: str) -> None:
    found = load_support().recognise(image)
    assert found is not None and found[0].name == addon
    version = version_in_tag(found[1].tag)
    assert version is not None
    verdict = judge(found[0], version, parse_version(target))
    assert (verdict.supported, verdict.kubernetes) == (supported, kubernetes)
    assert verdict.source is not None and verdict.source.startswith("https://")


@pytest.mark.parametrize(("image", "addon"), [
    ("registry.k8s.io/ingress-nginx/controller:v1.9.2", "ingress-nginx"),  # never in its table
    ("quay.io/cilium/cilium:v1.17.4", "cilium"),  # no 1.17 statement was found
    ("ghcr.io/fluxcd/source-controller:v1.2.4", "flux"),  # Flux v2.2 listed no Kubernetes versions
    ("docker.io/istio/pilot:1.28.1", "istio"),  # rows end at 1.26
])
def test_versions_without_a_row_are_not_guessed(image: str, addon: str) -> None:
    found = load_support().recognise(image)
    assert found is not None and found[0].name == addon
    version = version_in_tag(found[1].tag)
    assert version is not None
    verdict = judge(found[0], version, KubeVersion(1, 30))
    assert verdict.supported is None and verdict.kubernetes is None and "no row" in verdict.reason


def _daemonset(name: str, image: str) -> str:
    return (f"apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: {name}, namespace: kube-system}}\nspec:\n"
            f"  selector: {{matchLabels: {{k8s-app: {name}}}}}\n  template:\n"
            f"    metadata: {{labels: {{k8s-app: {name}}}}}\n"
            f"    spec: {{containers: [{{name: {name}, image: '{image}'}}]}}\n")


def test_a_scan_reports_an_older_cni_against_the_target(cli: Cli, tmp_path: Path) -> None:
    manifest = tmp_path / "cni.yaml"
    manifest.write_text(_daemonset("calico-node", "quay.io/calico/node:v3.26.1") + "---\n"
                        + _daemonset("cilium", "quay.io/cilium/cilium:v1.14.5"))
    report = cli("scan", str(manifest), "--no-config", "--target", "1.29", "-o", "json").json()
    assert {(f["addon"]["name"], f["addon"]["version"], f["addon"]["supported"]) for f in report["findings"]} == {
        ("calico", "3.26.1", ">=1.24,<=1.28"), ("cilium", "1.14.5", ">=1.19,<=1.27")}
    assert cli("scan", str(manifest), "--no-config", "--target", "1.27").code == 0


# --- scanning ---------------------------------------------------------------------------------------

def test_fixture_at_1_28_unsupported_addons_block(cli: Cli) -> None:
    result = cli("scan", FIXTURE, "--no-config", "--target", "1.28", "-o", "json")
    assert result.code == 1, result.stderr
    report = result.json()
    found = {(f["name"], f["status"], f["addon"]["name"], f["addon"]["version"], f["addon"]["supported"])
             for f in report["findings"]}
    assert found == {("cluster-autoscaler", "unsupported", "cluster-autoscaler", "1.20.0", "==1.20"),
                     ("cert-manager", "unsupported", "cert-manager", "1.6.1", ">=1.17,<=1.22"),
                     ("istiod", "unsupported", "istio", "1.10.3", ">=1.18,<=1.21")}
    assert report["summary"]["unsupported"] == 3 and report["summary"]["removed"] == 0
    assert {n["code"] for n in report["notices"]} == {"addon-support-unknown", "addon-version-unknown"}
    autoscaler = next(f for f in report["findings"] if f["name"] == "cluster-autoscaler")
    assert (autoscaler["line"], autoscaler["context"]["container"]) == (2, "cluster-autoscaler")
    assert cli("scan", FIXTURE, "--no-config", "--target", "1.28", "--fail-on", "none").code == 0


def test_fixture_at_1_20_judges_kube_proxy_by_the_skew_policy(cli: Cli) -> None:
    report = cli("scan", FIXTURE, "--no-config", "--target", "1.20", "-o", "json").json()
    assert {(f["addon"]["name"], f["addon"]["supported"]) for f in report["findings"]} == {
        ("kube-proxy", ">=1.25,<=1.28"), ("ingress-nginx", ">=1.26,<=1.30")}


def test_text_report_and_pod_kinds(cli: Cli, tmp_path: Path) -> None:
    pod = tmp_path / "pod.yaml"
    pod.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: dns}\nspec:\n  initContainers:\n"
                   "    - name: init\n      image: registry.k8s.io/autoscaling/cluster-autoscaler:v1.30.1\n"
                   "  containers: [{name: c, image: 'busybox:1.36'}]\n")
    result = cli("scan", str(pod), "--no-config", "--target", "1.31")
    assert result.code == 1
    assert "unsupported: Pod/dns v1: cluster-autoscaler 1.30.1" in result.stdout
    assert "1 unsupported" in result.stdout
    assert cli("scan", str(pod), "--no-config", "--target", "1.30").code == 0


def test_list_versions_addons(cli: Cli) -> None:
    text = cli("list-versions", "--addons")
    assert text.code == 0 and "cluster-autoscaler" in text.stdout and "same minor as the cluster" in text.stdout
    listed = cli("list-versions", "--addons", "-o", "json").json()
    assert {e["addon"] for e in listed["addons"]} >= REQUIRED
    assert all(e["source"].startswith("https://") for e in listed["addons"])
    assert cli("list-versions", "--addons", "-o", "csv").code == 2


def test_skew_scan_attaches_an_unsupported_addon_to_its_hop(cli: Cli) -> None:
    result = cli("skew", "--apiserver", "1.27", "--target", "1.28", "--scan", FIXTURE, "-o", "json")
    assert result.code == 0, result.stderr
    hops = [step for step in result.json()["plan"] if step["action"] == "control-plane"]
    names = {f["addon"]["name"] for f in hops[0]["findings"] if f["addon"]}
    assert names == {"cluster-autoscaler", "cert-manager", "istio"}


# --- start-up: a scan without containers never imports the add-on layer ---------------------------

IMPORTED_ADDON_MODULES = """
import json, sys
from pluto_py.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.startswith("pluto_py.addons"))), file=sys.stderr)
"""


def _addon_modules_imported_by_scan(path: Path) -> list[str]:
    result = subprocess.run([sys.executable, "-c", IMPORTED_ADDON_MODULES, "scan", str(path), "-t", "1.28",
                             "--no-config"], capture_output=True, text=True, check=False)
    assert result.returncode in (0, 1), result.stderr
    modules: list[str] = json.loads(result.stderr.strip().splitlines()[-1])
    return modules


def test_the_add_on_layer_is_imported_only_for_objects_that_run_containers() -> None:
    assert _addon_modules_imported_by_scan(FIXTURES / "shop" / "pdb.yaml") == []
    assert _addon_modules_imported_by_scan(FIXTURES / "current" / "app.yaml") == []
    assert "pluto_py.addons.support" in _addon_modules_imported_by_scan(FIXTURES / "addons" / "kube-system.yaml")


def test_the_scans_cheap_image_name_reading_equals_the_full_load() -> None:
    """The pre-scan reads the image names off the data's image lists alone (addons/judge.py): the same
    set as the full, parsed support data."""
    from pluto_py.addons.judge import _basenames
    from pluto_py.addons.support import load_support

    assert _basenames() == load_support().basenames() != frozenset()
