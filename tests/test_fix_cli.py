"""`kdeprecate fix` end to end: the fixtures, stdin, --check/--diff, exit codes, the docs example."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from pluto_py.core.table import load_builtin_table
from tests.conftest import FIXTURES, CliResult, readme_section
from tests.test_fix_helpers import findings, objects_of, removed_at, validate_strict

Cli = Callable[..., CliResult]
# Removed at 1.29 and present as plain files in fixtures/ (PodSecurityPolicy has no replacement).
EXPECTED_DIFF = [
    "+apiVersion: networking.k8s.io/v1", "+apiVersion: apiextensions.k8s.io/v1", "+apiVersion: batch/v1",
    '+  "apiVersion": "autoscaling/v2",', "+apiVersion: policy/v1", "+apiVersion: rbac.authorization.k8s.io/v1",
    "+  - apiVersion: networking.k8s.io/v1", "+          jsonPath: .spec.code",
    "+                  number: 80", "+                  name: http",
]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of fixtures/ (never edit the originals)."""
    target = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, target)
    return target


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_diff_on_the_fixtures_shows_every_migration_and_writes_nothing(cli: Cli, tree: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree.parent)
    before = _snapshot(tree)
    result = cli("fix", "fixtures/", "--target", "1.29", "--diff")
    assert result.code == 1
    for line in EXPECTED_DIFF:
        assert line in result.stdout.splitlines(), line
    assert "Would fix fixtures/shop/web.yaml" in result.stderr
    assert "PodSecurityPolicy/restricted: policy/v1beta1: left unchanged, needs a human" in result.stderr
    assert "pod-security.kubernetes.io/enforce" in result.stderr
    assert _snapshot(tree) == before


def test_applied_fix_validates_strictly_and_rescans_clean(cli: Cli, tree: Path) -> None:
    current = (tree / "current" / "app.yaml").read_bytes()
    result = cli("fix", str(tree / "shop"), str(tree / "platform"), str(tree / "current"), "--target", "1.29")
    assert result.code == 1
    assert f"Fixing {tree / 'shop' / 'web.yaml'}" in result.stderr
    assert (tree / "current" / "app.yaml").read_bytes() == current
    table = load_builtin_table()
    for path in sorted((tree / "shop").iterdir()) + sorted((tree / "platform").iterdir()):
        data = path.read_bytes()
        json_file = path.suffix == ".json"
        for obj in objects_of(data, json_file=json_file):
            if obj["kind"] == "List" or removed_at(table, obj, "1.29"):
                continue
            validate_strict(obj, "1.29")
        left = {f.kind for f in findings(data, "1.29", json_file=json_file) if f.status == "removed"}
        assert left <= {"PodSecurityPolicy"}, path
    again = cli("fix", str(tree / "shop"), "--target", "1.29", "--check")
    assert again.code == 0 and again.stdout == ""


def test_check_writes_nothing_and_sets_the_exit_code(cli: Cli, tree: Path) -> None:
    before = (tree / "shop" / "pdb.yaml").read_bytes()
    result = cli("fix", str(tree / "shop" / "pdb.yaml"), "--target", "1.25", "--check")
    assert (result.code, result.stdout) == (1, "")
    assert (tree / "shop" / "pdb.yaml").read_bytes() == before
    assert cli("fix", str(tree / "shop" / "pdb.yaml"), "--target", "1.24", "--check").code == 0


def test_stdin_writes_the_fixed_stream_to_stdout(cli: Cli) -> None:
    stream = (FIXTURES / "shop" / "rbac.yaml").read_bytes()
    result = cli("fix", "-", "--target", "1.22", stdin=stream)
    assert result.code == 1
    assert result.stdout == stream.decode().replace("rbac.authorization.k8s.io/v1beta1", "rbac.authorization.k8s.io/v1")
    unchanged = cli("fix", "-", "--target", "1.21", stdin=stream)
    assert (unchanged.code, unchanged.stdout) == (0, stream.decode())


def test_bad_file_is_one_error_line_and_the_rest_is_still_fixed(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "a-broken.yaml").write_text("apiVersion: v1\nkind: [oops\n")
    shutil.copy(FIXTURES / "shop" / "pdb.yaml", tmp_path / "b.yaml")
    result = cli("fix", str(tmp_path), "--target", "1.25")
    assert result.code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("kdeprecate: error:")]
    assert len(errors) == 1 and re.search(r"a-broken\.yaml:\d+: ", errors[0])
    assert b"policy/v1\n" in (tmp_path / "b.yaml").read_bytes()


def test_chart_templates_are_reported_not_rewritten(cli: Cli, tree: Path) -> None:
    before = _snapshot(tree / "charts")
    result = cli("fix", str(tree / "charts"), "--target", "1.25")
    assert result.code == 1
    assert _snapshot(tree / "charts") == before
    assert re.search(r"templates/pdb\.yaml:\d+: PodDisruptionBudget/<unnamed>: a template, not rewritten: "
                     r"change policy/v1beta1 → policy/v1", result.stderr)


def test_usage_errors(cli: Cli) -> None:
    assert cli("fix", "x.yaml").code == 2
    assert cli("fix", "x.yaml", "--target", "banana").code == 2
    assert cli("fix", "x.yaml", "--target", "1.22", "--from", "1.25").code == 2


def test_the_docs_example_runs_as_documented(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = readme_section("Fixing manifests: `kdeprecate fix`")
    command = re.search(r"```console\n\$ kdeprecate (fix [^\n]+)\n```", doc)
    yaml_blocks = re.findall(r"```yaml\n(.*?)```", doc, re.S)
    assert command and len(yaml_blocks) >= 2
    before, after = yaml_blocks[0], yaml_blocks[1]
    (tmp_path / "ingress.yaml").write_text(before)
    monkeypatch.chdir(tmp_path)
    result = cli(*command.group(1).split())
    assert result.code == 1
    assert (tmp_path / "ingress.yaml").read_text() == after
    stderr_block = re.search(r"```text\n(.*?)```", doc, re.S)
    assert stderr_block is not None
    for line in stderr_block.group(1).splitlines():
        if line.strip() != "...":
            assert line in result.stderr.splitlines(), line


def test_a_symlinked_manifest_is_fixed_through_the_link(cli: Cli, tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_bytes((FIXTURES / "shop" / "pdb.yaml").read_bytes())
    real.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    assert cli("fix", str(link), "--target", "1.25").code == 1
    assert link.is_symlink() and link.resolve() == real
    assert real.read_text().startswith("apiVersion: policy/v1\n")
    assert real.stat().st_mode & 0o777 == 0o640


def test_a_pipe_is_never_replaced_by_a_file(cli: Cli, tmp_path: Path) -> None:
    import os
    import threading

    fifo = tmp_path / "stream.yaml"
    os.mkfifo(fifo)
    data = (FIXTURES / "shop" / "pdb.yaml").read_bytes()
    writer = threading.Thread(target=fifo.write_bytes, args=(data,))
    writer.start()
    result = cli("fix", str(fifo), "--target", "1.25")
    writer.join(timeout=10)
    assert result.code == 2
    assert "not a regular file: nothing written" in result.stderr
    assert fifo.is_fifo()


def test_live_objects_of_a_cluster_dump_are_never_rewritten(cli: Cli, tmp_path: Path) -> None:
    """Their apiVersion is whatever the client asked the API server for; scan does not report them
    either (it reports their last-applied configuration, which fix reports but does not rewrite)."""
    dump = tmp_path / "dump.yaml"
    dump.write_text(
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: policy/v1beta1\n  kind: PodDisruptionBudget\n"
        "  metadata:\n    name: pdb\n    namespace: shop\n    uid: '333'\n    managedFields:\n"
        "    - {apiVersion: policy/v1beta1, manager: kubectl}\n  spec: {minAvailable: 1}\n")
    before = dump.read_bytes()
    result = cli("fix", str(dump), "--target", "1.25")
    assert result.code == 0 and dump.read_bytes() == before
    live = (FIXTURES / "cluster" / "get-all.yaml").read_bytes()
    copy = tmp_path / "get-all.yaml"
    copy.write_bytes(live)
    result = cli("fix", str(copy), "--target", "1.25")
    assert result.code == 1 and copy.read_bytes() == live  # last-applied findings: reported, not rewritten
    assert "found in the last-applied configuration of a live object" in result.stderr


def test_json_list_items_are_reported_at_their_own_lines(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text('{"apiVersion": "v1", "kind": "List", "items": [\n'
                    '  {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}},\n'
                    '  {"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": "a"}}\n]}\n')
    result = cli("fix", str(path), "--target", "1.25", "--check")
    assert result.code == 1
    assert f"{path}:3: CronJob/a: batch/v1beta1 → batch/v1" in result.stderr
