"""`kdeprecate podsecurity --fix / --diff / --print-commands`: the suggested labels written into the
Namespace manifests users keep, changing nothing else, or printed as kubectl commands."""

from __future__ import annotations

import shlex
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from pluto_py.podsecurity.fix import kubectl_commands
from pluto_py.podsecurity.model import Level, NamespaceReport
from tests.conftest import FIXTURES, CliResult

Cli = Callable[..., CliResult]
BLUE = FIXTURES / "podsecurity" / "blue-1.24.yaml"
LABELS_1_29 = {"enforce": "baseline", "enforce-version": "v1.29", "audit": "restricted", "audit-version": "v1.29",
               "warn": "restricted", "warn-version": "v1.29"}
PRIVILEGED_POD = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: NS}\n"
                  "spec: {containers: [{name: c, image: i}]}\n")  # baseline: suggested enforce=baseline


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copy(BLUE, tmp_path / "blue.yaml")
    shutil.copytree(FIXTURES / "podsecurity" / "namespaces", tmp_path / "namespaces")
    return tmp_path


def test_fix_writes_labels_and_nothing_else(cli: Cli, workspace: Path) -> None:
    manifests = workspace / "namespaces" / "namespaces.yaml"
    before = manifests.read_text(encoding="utf-8")
    result = cli("podsecurity", str(workspace), "--target", "1.29", "--fix")
    assert result.code == 1  # files changed
    after = manifests.read_text(encoding="utf-8")
    expected = before.replace(
        "    owner: storefront@example.com   # paged for incidents\n",
        "    owner: storefront@example.com   # paged for incidents\n  labels:\n"
        + "".join(f"    pod-security.kubernetes.io/{k}: {v}\n" for k, v in LABELS_1_29.items()))
    expected = expected.replace(
        "    pod-security.kubernetes.io/enforce: restricted\n    pod-security.kubernetes.io/enforce-version: v1.24\n",
        "".join(f"    pod-security.kubernetes.io/{k}: {v}\n" for k, v in LABELS_1_29.items()))
    monitoring = {"enforce": "privileged", "enforce-version": "v1.29", "audit": "baseline", "audit-version": "v1.29",
                  "warn": "baseline", "warn-version": "v1.29"}
    expected = expected.replace(
        "        team: observability\n",
        "        team: observability\n" + "".join(f"        pod-security.kubernetes.io/{k}: {v}\n"
                                              for k, v in monitoring.items()))
    expected = expected.replace(
        "metadata: {name: legacy, labels: {pod-security.kubernetes.io/enforce: baseline}}",
        "metadata: {name: legacy, labels: {"
        + ", ".join(f"pod-security.kubernetes.io/{k}: {v}" for k, v in monitoring.items()) + "}}")
    assert after == expected
    assert "Labelling namespace shop: enforce=baseline" in result.stderr
    assert "this lowers enforce from restricted to baseline" in result.stderr
    assert "namespace kube-system not labelled: its Namespace is a live object of a cluster dump" in result.stderr
    # The dump is never rewritten, and a second run has nothing left to do.
    assert (workspace / "blue.yaml").read_bytes() == BLUE.read_bytes()
    again = cli("podsecurity", str(workspace), "--target", "1.29", "--fix")
    assert again.code == 0, again.stdout + again.stderr
    assert manifests.read_text(encoding="utf-8") == after


def test_fix_edits_json_manifests_as_json(cli: Cli, workspace: Path) -> None:
    import json

    cli("podsecurity", str(workspace), "--target", "1.29", "--fix")
    data = json.loads((workspace / "namespaces" / "windows.json").read_text(encoding="utf-8"))
    assert data["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert data["metadata"]["name"] == "windows"


def test_diff_writes_nothing(cli: Cli, workspace: Path) -> None:
    before = (workspace / "namespaces" / "namespaces.yaml").read_bytes()
    result = cli("podsecurity", str(workspace), "--target", "1.29", "--diff")
    assert result.code == 1
    assert f"+++ b/{workspace.as_posix().lstrip('/')}/namespaces/namespaces.yaml" in result.stdout.replace(
        "+++ b//", "+++ b/")
    assert "+    pod-security.kubernetes.io/enforce: baseline" in result.stdout
    assert (workspace / "namespaces" / "namespaces.yaml").read_bytes() == before
    assert "Would label namespace shop" in result.stderr


def test_crlf_bom_and_comments_survive(cli: Cli, tmp_path: Path) -> None:
    text = ("# platform namespaces\r\napiVersion: v1\r\nkind: Namespace\r\nmetadata:\r\n  name: NS  # the team\r\n"
            "  labels:\r\n    team: a\r\n---\r\n" + PRIVILEGED_POD.replace("\n", "\r\n"))
    path = tmp_path / "ns.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = cli("podsecurity", str(tmp_path), "--target", "1.29", "--fix")
    assert result.code == 1, result.stderr
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    new = raw[3:].decode("utf-8")
    assert new.replace("".join(f"    pod-security.kubernetes.io/{k}: {v}\r\n" for k, v in LABELS_1_29.items()),
                       "") == text


def test_labels_null_and_a_multi_document_list(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "ns.yaml"
    text = ("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: NS\n"
            "    labels:\n---\n" + PRIVILEGED_POD)
    path.write_text(text, encoding="utf-8")
    result = cli("podsecurity", str(tmp_path), "--target", "1.29", "--fix")
    assert result.code == 1, result.stderr
    from ruamel.yaml import YAML

    first = next(iter(YAML(typ="safe", pure=True).load_all(path.read_text(encoding="utf-8"))))
    labels = first["items"][0]["metadata"]["labels"]
    assert labels == {f"pod-security.kubernetes.io/{k}": v for k, v in LABELS_1_29.items()}


def test_anchors_are_left_to_a_human(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "ns.yaml"
    text = ("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: NS\n  labels: &common {team: a}\n---\n"
            + PRIVILEGED_POD)
    path.write_text(text, encoding="utf-8")
    result = cli("podsecurity", str(tmp_path), "--target", "1.29", "--fix")
    assert path.read_text(encoding="utf-8") == text
    assert "namespace NS not labelled" in result.stderr and "anchor" in result.stderr
    assert result.code == 0  # nothing failing there (no PSP, no label), and nothing written


def test_print_commands_quotes_names(cli: Cli, tmp_path: Path) -> None:
    result = cli("podsecurity", str(BLUE), "--target", "1.29", "--print-commands")
    assert result.code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("kubectl label namespace kube-system --overwrite pod-security.kubernetes.io/enforce="
                               "privileged ")
    assert len(lines) == 6 and all(shlex.split(line)[:3] == ["kubectl", "label", "namespace"] for line in lines)
    odd = NamespaceReport(namespace="a b;rm -rf /", level=Level.BASELINE, workloads=1, labels={}, psps=(),
                          violations=(), suggested_labels={"pod-security.kubernetes.io/enforce": "baseline"},
                          findings=())
    [command] = kubectl_commands([odd])
    assert shlex.split(command)[3] == "a b;rm -rf /"
    done = NamespaceReport(namespace="done", level=Level.BASELINE, workloads=1,
                           labels={"pod-security.kubernetes.io/enforce": "baseline"}, psps=(), violations=(),
                           suggested_labels={"pod-security.kubernetes.io/enforce": "baseline"}, findings=())
    assert kubectl_commands([done]) == []


@pytest.mark.parametrize("text", ["metadata:\n  labels:\n  name: x\n", "metadata:\n  name: x\n  labels:\n",
                                  "metadata:\n  labels:   # none yet\n  name: x\n"])
def test_an_empty_value_is_replaced_without_eating_the_next_line(text: str) -> None:
    from pluto_py.core.parse import compose_yaml
    from pluto_py.fix.edits import Differ, apply_edits, detect_layout
    from pluto_py.fix.tree import Origins, to_data, yaml_tree

    root = yaml_tree(text)
    assert root is not None
    origins = Origins()
    data = to_data(root, origins)
    data["metadata"]["labels"] = {"team": "a"}
    new = apply_edits(text, Differ(text, detect_layout(text, root), origins).edits(root, data))
    assert compose_yaml(new, 1)[0] == data
    assert new.count("\n") == text.count("\n") + 1
