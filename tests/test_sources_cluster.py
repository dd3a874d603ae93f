"""Cluster dumps: last-applied configurations and Helm release records (Secrets and ConfigMaps)."""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from pluto_py.core.model import Document, ScanError
from pluto_py.core.parse import parse_text
from pluto_py.core.table import load_table
from pluto_py.core.versions import parse_version
from pluto_py.pipeline.judge import Targets, scan_stream
from pluto_py.sources.cluster import (
    REMEDY,
    ClusterExpander,
    ReleaseDecodeError,
    cluster_expander,
    decode_release,
)
from tests.conftest import FIXTURES, REPO_ROOT, CliResult

Cli = Callable[..., CliResult]
SECRET_MARKERS = ("do-not-print-me", base64.b64encode(b"do-not-print-me-secret").decode())


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)


def rows(result: CliResult) -> list[tuple[int, str, str | None, str | None, str, str]]:
    return [(f["line"], f["kind"], f["name"], f["namespace"], f["status"], f["source"])
            for f in result.json()["findings"]]


def scan_text(text: str, expander: ClusterExpander, target: str = "1.25", prepare: bool = True) -> tuple[
        list[Any], list[ScanError]]:
    items = parse_text(text, "dump.yaml", "file", json_file=False)
    stream = expander.prepare(items) if prepare else items
    return scan_stream(stream, load_table(), Targets(parse_version(target)), expanders=[expander])


LAST_APPLIED_1_25 = [
    (43, "Deployment", "web", "shop", "removed", "last-applied"),
    (83, "CronJob", "nightly", "shop", "removed", "last-applied"),
    (96, "HorizontalPodAutoscaler", "web", "shop", "deprecated", "last-applied"),  # namespace from the live object
]
KAPP = (59, "Deployment", "billing", "billing", "removed", "last-applied")
RELEASES_1_25 = [
    (43, "Ingress", "shop", "shop", "removed", "helm-release"),
    (43, "PodDisruptionBudget", "shop", "shop", "removed", "helm-release"),
    (43, "CronJob", "shop-reports", "shop", "removed", "helm-release"),
    (43, "PodSecurityPolicy", "shop-migrate", None, "removed", "helm-release"),  # hook; cluster-scoped
    (60, "PodDisruptionBudget", "queue", "jobs", "removed", "helm-release"),
]


def test_live_objects_report_their_last_applied_configuration(cli: Cli) -> None:
    result = cli("scan", "fixtures/cluster/get-all.yaml", "--target", "1.25", "-o", "json")
    assert result.code == 1 and result.stderr == ""
    assert rows(result) == LAST_APPLIED_1_25  # Pod, ReplicaSet (no annotation), Service (v1): nothing
    web = result.json()["findings"][0]
    assert (web["column"], web["api_version"], web["template"], web["fixable"]) == (57, "extensions/v1beta1", None,
                                                                                     False)
    assert web["context"] == {"annotation": "kubectl.kubernetes.io/last-applied-configuration",
                              "live_api_version": "apps/v1", "item": "2"}
    lines = (FIXTURES / "cluster/get-all.yaml").read_text().splitlines()
    assert lines[42].strip() == "kubectl.kubernetes.io/last-applied-configuration: |"


def test_more_annotations_can_be_read(cli: Cli) -> None:
    result = cli("scan", "fixtures/cluster/get-all.yaml", "--target", "1.25", "-o", "json",
                 "--annotation", "kapp.k14s.io/original")
    assert rows(result) == [LAST_APPLIED_1_25[0], KAPP, *LAST_APPLIED_1_25[1:]]
    assert result.json()["findings"][1]["context"]["annotation"] == "kapp.k14s.io/original"


def test_helm_release_secrets_latest_deployed_revision_manifest_and_hooks(cli: Cli) -> None:
    result = cli("scan", "fixtures/cluster/helm-releases.yaml", "--target", "1.25", "-o", "json")
    assert result.code == 1 and result.stderr == ""
    assert rows(result) == RELEASES_1_25
    findings = result.json()["findings"]
    # shop: revisions 1, 2 superseded, 3 deployed; queue: revision 1 deployed, 2 failed
    assert {(f["context"]["release"], f["context"]["revision"]) for f in findings} == {("shop", "3"), ("queue", "1")}
    ingress, hook = findings[0], findings[3]
    assert ingress["api_version"] == "networking.k8s.io/v1beta1"  # revision 1 had extensions/v1beta1
    assert (ingress["template"], ingress["column"], ingress["fixable"]) == ("shop/templates/ingress.yaml", 14, False)
    assert ingress["context"] == {
        "release": "shop", "revision": "3", "release_namespace": "shop", "release_status": "deployed",
        "chart": "shop-1.3.0", "storage": "secret", "record": "sh.helm.release.v1.shop.v3", "remedy": REMEDY,
        "note": ingress["context"]["note"], "manifest_line": "20"}
    assert "helm upgrade" in ingress["context"]["note"]
    assert (hook["template"], hook["context"]["hook"]) == ("shop/templates/hooks/migrate.yaml",
                                                           "pre-install,pre-upgrade")


def test_helm_configmap_driver(cli: Cli) -> None:
    result = cli("scan", "fixtures/cluster/helm-configmaps.yaml", "--target", "1.25", "-o", "json")
    assert result.code == 1 and result.stderr == ""
    assert rows(result) == [(38, *row[1:]) for row in RELEASES_1_25[:4]]
    assert {f["context"]["storage"] for f in result.json()["findings"]} == {"configmap"}


def test_kubectl_get_all_and_secrets_on_stdin(cli: Cli) -> None:
    dump = (FIXTURES / "cluster/all-and-secrets.yaml").read_bytes()
    result = cli("scan", "-", "--target", "1.25", "-o", "json", stdin=dump)
    assert result.code == 1 and result.stderr == ""
    assert {f["source"] for f in result.json()["findings"]} == {"last-applied", "helm-release"}
    assert len(result.json()["findings"]) == 8
    text = cli("scan", "-", "--target", "1.25", stdin=dump)
    for output in (result.stdout, text.stdout, text.stderr):
        assert not any(marker in output for marker in SECRET_MARKERS)


def test_json_dump_lines_point_at_the_annotation(cli: Cli, tmp_path: Any) -> None:
    data = yaml.safe_load((FIXTURES / "cluster/get-all.yaml").read_text())
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(data, indent=2))
    result = cli("scan", str(path), "--target", "1.25", "-o", "json")
    text_lines = path.read_text().splitlines()
    for finding in result.json()["findings"]:
        assert '"kubectl.kubernetes.io/last-applied-configuration"' in text_lines[finding["line"] - 1]
    assert [r[1:] for r in rows(result)] == [r[1:] for r in LAST_APPLIED_1_25]


def _release_secret(name: str, revision: int, status: str, manifest: str, namespace: str = "ns") -> dict[str, Any]:
    release = {"name": name, "namespace": namespace, "version": revision, "info": {"status": status},
               "chart": {"metadata": {"name": name, "version": "1.0.0"}}, "manifest": manifest}
    helm = base64.b64encode(gzip.compress(json.dumps(release).encode(), mtime=0)).decode()
    return {"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
            "metadata": {"name": f"sh.helm.release.v1.{name}.v{revision}", "namespace": namespace, "uid": "u",
                         "labels": {"owner": "helm", "name": name, "status": status, "version": str(revision)}},
            "data": {"release": base64.b64encode(helm.encode()).decode()}}


OLD_PDB = ("---\n# Source: a/templates/pdb.yaml\napiVersion: policy/v1beta1\nkind: PodDisruptionBudget\n"
           "metadata:\n  name: a\n")
NEW_PDB = OLD_PDB.replace("policy/v1beta1", "policy/v1")


def test_latest_revision_is_chosen_across_documents_of_a_stream() -> None:
    # Two records both labelled deployed (an upgrade interrupted at the wrong moment), one document each.
    docs = [_release_secret("a", 2, "deployed", NEW_PDB), _release_secret("a", 1, "deployed", OLD_PDB),
            _release_secret("a", 0, "superseded", OLD_PDB)]
    text = "".join("---\n" + yaml.safe_dump(d) for d in docs)
    assert scan_text(text, cluster_expander()) == ([], [])
    # Without prepare() each document is judged alone: superseded records are still skipped.
    findings, _ = scan_text(text, cluster_expander(), prepare=False)
    assert [(f.kind, f.context["revision"]) for f in findings] == [("PodDisruptionBudget", "1")]


def test_no_deployed_revision_takes_the_latest() -> None:
    docs = {"apiVersion": "v1", "kind": "List", "items": [
        _release_secret("a", 1, "failed", OLD_PDB), _release_secret("a", 2, "pending-upgrade", OLD_PDB)]}
    findings, errors = scan_text(yaml.safe_dump(docs), cluster_expander())
    assert errors == [] and [f.context["revision"] for f in findings] == ["2"]


def test_non_live_lists_are_scanned_as_they_are() -> None:
    findings, errors = scan_text((FIXTURES / "platform/cluster-list.yaml").read_text(), cluster_expander(), "1.22")
    assert errors == [] and [(f.line, f.kind, f.source) for f in findings] == [
        (5, "Ingress", "file"), (28, "PodSecurityPolicy", "file")]


def test_mixed_list_keeps_plain_items_and_their_positions() -> None:
    plain = {"apiVersion": "extensions/v1beta1", "kind": "Ingress", "metadata": {"name": "plain"}}
    applied = json.dumps(plain | {"metadata": {"name": "live"}})
    live = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": "live", "uid": "x", "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": applied}}}
    text = yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [live, plain]}, sort_keys=False)
    findings, errors = scan_text(text, cluster_expander(), "1.22")
    assert errors == []
    assert sorted((f.name, f.source, f.context.get("item")) for f in findings) == [
        ("live", "last-applied", "0"), ("plain", "file", "1")]


def test_bad_annotation_is_an_error_at_its_line_without_its_content() -> None:
    text = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  uid: u\n  annotations:\n"
            "    kubectl.kubernetes.io/last-applied-configuration: '{\"data\": {\"password\": \"hunter2\"'\n")
    findings, errors = scan_text(text, cluster_expander())
    assert findings == []
    [error] = errors
    assert (error.path, error.line) == ("dump.yaml", 7)
    assert error.message.startswith(
        "Secret s: annotation kubectl.kubernetes.io/last-applied-configuration is not valid")
    assert "hunter2" not in error.message


@pytest.mark.parametrize(("payload", "message"), [
    ("%%%", "the Secret's data.release is not valid base64"),
    (base64.b64encode(b"not base64 at all!").decode(), "the release data is not valid base64"),
    (base64.b64encode(base64.b64encode(b"{\"secret\": tru")).decode(), "the release is not valid JSON"),
    (base64.b64encode(base64.b64encode(gzip.compress(b"{}", mtime=0)[:-8])).decode(), "gzip data is truncated"),
    (base64.b64encode(base64.b64encode(gzip.compress(b" " * (20 * 1024 * 1024)))).decode(),
     "gzip data expands beyond"),
])
def test_release_decoding_errors_are_bounded_and_quiet(payload: str, message: str) -> None:
    with pytest.raises(ReleaseDecodeError) as info:
        decode_release(payload, "secret")
    assert message in str(info.value)
    assert "secret\"" not in str(info.value)


def test_uncompressed_release_json_is_read_like_helm() -> None:
    helm_text = base64.b64encode(json.dumps({"name": "a", "manifest": ""}).encode()).decode()
    assert decode_release(helm_text, "configmap") == {"name": "a", "manifest": ""}


def test_broken_record_is_one_error_with_the_record_line() -> None:
    secret = _release_secret("a", 1, "deployed", NEW_PDB)
    secret["data"]["release"] = "bm90IGhlbG0="
    text = yaml.safe_dump(secret, sort_keys=False)
    findings, errors = scan_text(text, cluster_expander())
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.strip().startswith("release:"))
    assert findings == [] and errors == [ScanError("dump.yaml", line, "Helm release record ns/sh.helm.release.v1.a.v1: "
                                                   "the release data is not valid base64 (Incorrect padding)")]


def test_documents_carry_release_context() -> None:
    secret = _release_secret("a", 1, "deployed", OLD_PDB)
    [document] = list(parse_text(yaml.safe_dump(secret), "d", "file", json_file=False))
    assert isinstance(document, Document)
    [expanded] = list(cluster_expander()(document) or [])
    assert isinstance(expanded, Document)
    assert (expanded.source, expanded.template, expanded.data["metadata"]["namespace"]) == (
        "helm-release", "a/templates/pdb.yaml", "ns")


def test_fixture_script_is_up_to_date() -> None:
    done = subprocess.run([sys.executable, "scripts/make_helm_release_fixture.py", "--check"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
