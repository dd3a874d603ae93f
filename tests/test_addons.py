"""Shipped add-on tables (data/addons) and CRD manifests read as a table."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from pluto_py.core.table import addon_components, load_table
from pluto_py.pipeline.crd_versions import versions_of_crd
from tests.conftest import REPO_ROOT, CliResult

Cli = Callable[..., CliResult]
ADDONS = sorted((REPO_ROOT / "data" / "addons").glob("*.yaml"))
SCHEMA = json.loads((REPO_ROOT / "data" / "api_versions.schema.json").read_text())
CERTIFICATE = "apiVersion: cert-manager.io/v1alpha2\nkind: Certificate\nmetadata: {name: web}\n"


@pytest.fixture(autouse=True)
def _clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("KDEPRECATE_"):
            monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("path", ADDONS, ids=[p.stem for p in ADDONS])
def test_addon_tables_are_valid_and_cite_their_sources(path: Path) -> None:
    data = YAML(typ="safe", pure=True).load(path.read_text())
    jsonschema.validate(data, SCHEMA)
    assert data["sources"] and all(s.startswith("https://") for s in data["sources"])
    assert {row["component"] for row in data["apis"]} == {path.stem}  # the file name is the component


def test_known_addons_load_without_colliding_with_the_builtin_table() -> None:
    assert {"cert-manager", "istio", "gateway-api"} <= set(addon_components())
    table = load_table(addons=True)
    assert table.lookup("cert-manager.io/v1alpha2", "Certificate") is not None
    assert load_table().lookup("cert-manager.io/v1alpha2", "Certificate") is None  # opt-in


def test_cert_manager_rows_follow_the_target(cli: Cli) -> None:
    Path("cert.yaml").write_text(CERTIFICATE)
    assert cli("scan", "cert.yaml", "--no-config", "--target", "1.22").code == 0  # not targeted: ignored
    removed = cli("scan", "cert.yaml", "--no-config", "--target", "1.22", "--target", "cert-manager=1.6", "-o", "json")
    finding = removed.json()["findings"][0]
    assert (removed.code, finding["status"], finding["component"], finding["replacement"]) == (
        1, "removed", "cert-manager", "cert-manager.io/v1")
    assert removed.json()["targets"] == {"k8s": "1.22", "cert-manager": "1.6"}
    deprecated = cli("scan", "cert.yaml", "--no-config", "--target", "cert-manager=v1.5.3", "-o", "json")
    assert deprecated.code == 0 and deprecated.json()["findings"][0]["status"] == "deprecated"
    unknown = cli("scan", "cert.yaml", "--no-config", "--target", "certmanager=1.6")
    assert unknown.code == 2 and "known: cert-manager, external-snapshotter, gateway-api, istio, k8s" in unknown.stderr


def test_a_users_table_for_the_component_replaces_the_shipped_one(cli: Cli) -> None:
    Path("cert.yaml").write_text(CERTIFICATE)
    Path("mine.yaml").write_text(
        "schema_version: 1\napis:\n  - {api_version: cert-manager.io/v1alpha2, kind: Certificate, deprecated_in: "
        "\"0.9\", removed_in: \"1.2\", replacement: cert-manager.io/v1, replacement_available_in: \"1.0\", "
        "component: cert-manager}\n")
    result = cli("scan", "cert.yaml", "--no-config", "--extra-table", "mine.yaml", "--target", "cert-manager=1.3",
                 "-o", "json")
    assert result.code == 1, result.stderr
    assert result.json()["findings"][0]["removed_in"] == "1.2"


CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: backups.ops.example.com}
spec:
  group: ops.example.com
  names: {kind: Backup, plural: backups}
  scope: Namespaced
  versions:
    - {name: v1alpha1, served: false, storage: false}
    - {name: v1beta1, served: true, storage: false, deprecated: true}
    - {name: v1, served: true, storage: true}
"""


def test_custom_resources_are_judged_by_their_scanned_crd_in_any_order(cli: Cli) -> None:
    Path("a-backups.yaml").write_text(
        "apiVersion: ops.example.com/v1alpha1\nkind: Backup\nmetadata: {name: old}\n---\n"
        "apiVersion: ops.example.com/v1beta1\nkind: Backup\nmetadata: {name: beta}\n---\n"
        "apiVersion: ops.example.com/v1\nkind: Backup\nmetadata: {name: new}\n---\n"
        "apiVersion: other.example.com/v1alpha1\nkind: Backup\nmetadata: {name: no-crd}\n")
    Path("z-crd.yaml").write_text(CRD)  # read after the custom resources
    report = cli("scan", ".", "--no-config", "--target", "1.22", "-o", "json").json()
    found = {(f["name"], f["status"], f["replacement"], f["component"]) for f in report["findings"]}
    assert found == {("old", "removed", "ops.example.com/v1", "crd"),
                     ("beta", "deprecated", "ops.example.com/v1", "crd")}
    beta = next(f for f in report["findings"] if f["name"] == "beta")
    assert beta["notes"] == "deprecated: true in CRD backups.ops.example.com, z-crd.yaml:1"
    assert (beta["line"], beta["fixable"], beta["context"]["crd"]) == (5, False, "backups.ops.example.com")


def test_the_table_wins_over_a_scanned_crd(cli: Cli) -> None:
    Path("crd.yaml").write_text(CRD.replace("ops.example.com", "cert-manager.io").replace("Backup", "Certificate")
                                .replace("backups", "certificates").replace("v1alpha1", "v1alpha2"))
    Path("cert.yaml").write_text(CERTIFICATE)
    untargeted = cli("scan", ".", "--no-config", "--target", "1.22", "-o", "json").json()["findings"]
    assert [(f["component"], f["status"]) for f in untargeted] == [("crd", "removed")]  # CRD says not served
    targeted = cli("scan", ".", "--no-config", "--target", "cert-manager=1.5", "-o", "json").json()["findings"]
    assert [(f["component"], f["status"]) for f in targeted] == [("cert-manager", "deprecated")]


def test_crd_shapes() -> None:
    v1beta1 = {"spec": {"group": "g.example.com", "names": {"kind": "K"}, "version": "v1"}, "metadata": {"name": "n"}}
    assert [(v.version, v.status) for v in versions_of_crd(v1beta1, "x:1")] == [("v1", None)]
    warned = {"spec": {"group": "g.example.com", "names": {"kind": "K"}, "versions": [
        {"name": "v1", "served": True, "deprecated": True, "deprecationWarning": "use v2"},
        {"name": "v2", "served": True, "storage": True}]}}
    first = versions_of_crd(warned, "x:1")[0]
    assert (first.status, first.warning, first.replacement, first.crd) == ("deprecated", "use v2", "g.example.com/v2",
                                                                          "g.example.com/K")
    assert versions_of_crd({"spec": "broken"}, "x:1") == []
