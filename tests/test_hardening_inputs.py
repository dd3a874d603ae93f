"""Inputs that must never pass silently: empty pipes, unreadable folders, undecodable Helm records,
nested Lists (issue 11)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pluto_py.core.table import load_builtin_table
from pluto_py.core.versions import parse_version
from pluto_py.pipeline.judge import Targets, scan_stream
from pluto_py.sources import InputStats, SourceRequest
from pluto_py.sources.paths import iter_documents
from tests.conftest import REPO_ROOT, CliResult

INGRESS = "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: {name}\n"


def _scan(paths: list[str]) -> tuple[list[str | None], list[tuple[str, str]]]:
    items = list(iter_documents(paths, SourceRequest(), InputStats()))
    findings, errors = scan_stream(items, load_builtin_table(), Targets(parse_version("1.22")))
    return [f.name for f in findings], [(e.path, e.message) for e in errors]


# ---------------------------------------------------------------- 2: empty pipes


def test_process_substitution_of_a_command_that_prints_nothing_is_an_error() -> None:
    shell = shutil.which("bash")
    assert shell is not None
    command = f"{sys.executable} -m pluto_py scan <(true) -t 1.22; echo \"rc=$?\""
    completed = subprocess.run([shell, "-c", command], capture_output=True, text=True, timeout=60,
                               cwd=REPO_ROOT, check=False)
    assert completed.stdout.strip().endswith("rc=2"), completed
    assert "the pipe is empty" in completed.stderr


def test_a_fifo_whose_writer_closes_without_writing_is_an_error(tmp_path: Path) -> None:
    fifo = tmp_path / "stream.yaml"
    os.mkfifo(fifo)

    def write_nothing() -> None:
        with open(fifo, "wb"):  # attached (the open waits for the reader), then gone without a byte
            time.sleep(0.3)

    writer = threading.Thread(target=write_nothing)
    writer.start()
    names, errors = _scan([str(fifo)])
    writer.join(timeout=10)
    assert names == [] and errors == [(str(fifo), "the pipe is empty: nothing to scan (did the command writing it "
                                                  "fail?)")]


def _write_nothing(fifo: Path) -> None:
    with open(fifo, "wb"):
        time.sleep(0.3)


def test_fix_of_an_empty_fifo_is_an_error(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    fifo = tmp_path / "stream.yaml"
    os.mkfifo(fifo)
    writer = threading.Thread(target=_write_nothing, args=(fifo,))
    writer.start()
    result = cli("fix", str(fifo), "-t", "1.22", "--check")
    writer.join(timeout=10)
    assert result.code == 2 and "the pipe is empty" in result.stderr


# ---------------------------------------------------------------- 4: folders that cannot be read


def _lock(monkeypatch: pytest.MonkeyPatch, locked: Path) -> None:
    """What the OS does with a mode-000 folder for a non-root user (the tests run as root, whom mode
    000 does not stop): the folder itself can be stat'ed, but not listed, nor anything inside it."""
    denied = os.path.realpath(locked)

    def inside(path: object) -> bool:
        text = os.path.realpath(os.fsdecode(path)) if isinstance(path, str | bytes | os.PathLike) else ""
        return text.startswith(denied + os.sep)

    def guard(function: Callable[..., object], listing: bool) -> Callable[..., object]:
        def guarded(path: object = ".", *args: object, **kwargs: object) -> object:
            if isinstance(path, str | bytes | os.PathLike) and (
                    inside(path) or (listing and os.path.realpath(os.fsdecode(path)) == denied)):
                raise PermissionError(13, "Permission denied", os.fsdecode(path))
            return function(path, *args, **kwargs)
        return guarded

    monkeypatch.setattr(os, "scandir", guard(os.scandir, True))
    monkeypatch.setattr(os, "listdir", guard(os.listdir, True))
    monkeypatch.setattr(os, "stat", guard(os.stat, False))


def _locked_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "a" / "locked").mkdir(parents=True)
    (tmp_path / "a" / "locked" / "hidden.yaml").write_text(INGRESS.format(name="hidden"))
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "web.yaml").write_text(INGRESS.format(name="web"))
    chart = tmp_path / "c" / "chart"
    (chart / "templates" / "locked").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: chart\nversion: 0.1.0\n")
    (chart / "templates" / "ingress.yaml").write_text(INGRESS.format(name="in-chart"))
    (chart / "templates" / "locked" / "x.yaml").write_text(INGRESS.format(name="hidden-in-chart"))
    _lock(monkeypatch, tmp_path / "a" / "locked")
    _lock(monkeypatch, chart / "templates" / "locked")
    return tmp_path


def test_an_unreadable_folder_is_one_error_and_the_rest_is_scanned(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KDEPRECATE_HELM_ENGINE", "static")  # the engines read the chart through the OS too
    root = _locked_tree(tmp_path, monkeypatch)
    from pluto_py.sources.helm import ChartRenderer

    items = list(iter_documents([str(root)], SourceRequest(target="1.22"), InputStats(),
                                chart_handler=ChartRenderer()))
    findings, errors = scan_stream(items, load_builtin_table(), Targets(parse_version("1.22")))
    assert sorted(f.name or "" for f in findings) == ["in-chart", "web"]
    assert [(e.path, e.message) for e in errors] == [
        (str(root / "a" / "locked"), "cannot list directory: Permission denied"),
        (str(root / "c" / "chart" / "templates" / "locked"), "cannot list directory: Permission denied")]


def test_fix_reports_an_unreadable_folder_and_fixes_the_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             cli: Callable[..., CliResult]) -> None:
    monkeypatch.setenv("KDEPRECATE_HELM_ENGINE", "static")
    root = _locked_tree(tmp_path, monkeypatch)
    result = cli("fix", str(root), "-t", "1.22")
    assert result.code == 2, result.stderr
    assert f"{root / 'a' / 'locked'}: cannot list directory: Permission denied" in result.stderr
    assert f"{root / 'c' / 'chart' / 'templates' / 'locked'}: cannot list directory: Permission denied" in \
        result.stderr
    assert "networking.k8s.io/v1" in (root / "b" / "web.yaml").read_text()
    assert "internal error" not in result.stderr


# ---------------------------------------------------------------- 7: Helm release records of the wrong shape


def _release_secret_of(release: dict[str, object]) -> dict[str, object]:
    import base64
    import gzip
    import json

    helm = base64.b64encode(gzip.compress(json.dumps(release).encode(), mtime=0)).decode()
    return {"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
            "metadata": {"name": "sh.helm.release.v1.a.v1", "namespace": "ns", "uid": "u",
                         "labels": {"owner": "helm", "name": "a", "status": "deployed", "version": "1"}},
            "data": {"release": base64.b64encode(helm.encode()).decode()}}


PDB = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: a\n"


@pytest.mark.parametrize(("fields", "message"), [
    ({"manifest": {"apiVersion": "policy/v1beta1"}}, "the decoded release's manifest is an object, not a string"),
    ({"manifest": ["x"]}, "the decoded release's manifest is an array, not a string"),
    ({"manifest": 7}, "the decoded release's manifest is a number, not a string"),
    ({"manifest": "", "hooks": {"manifest": PDB}}, "the decoded release's hooks are an object, not a list"),
    ({"manifest": "", "hooks": [{"manifest": ["x"]}]}, "hook 0 of the decoded release is an array manifest"),
    ({"manifest": "", "hooks": ["x"]}, "hook 0 of the decoded release is a string, not a hook"),
])
def test_a_release_record_of_the_wrong_shape_is_an_error(fields: dict[str, object], message: str, tmp_path: Path,
                                                         cli: Callable[..., CliResult]) -> None:
    import json

    release = {"name": "a", "namespace": "ns", "version": 1, "info": {"status": "deployed"}, **fields}
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(_release_secret_of(release)))
    result = cli("scan", str(dump), "-t", "1.25", "-o", "json")
    assert result.code == 2
    (error,) = result.json()["errors"]
    assert message in error["message"] and "Helm release record ns/sh.helm.release.v1.a.v1" in error["message"]


def test_a_release_with_a_null_manifest_and_a_good_hook_is_scanned(tmp_path: Path,
                                                                   cli: Callable[..., CliResult]) -> None:
    import json

    release = {"name": "a", "namespace": "ns", "version": 1, "info": {"status": "deployed"}, "manifest": None,
               "hooks": [{"manifest": PDB, "events": ["pre-install"], "path": "a/templates/h.yaml"}]}
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(_release_secret_of(release)))
    result = cli("scan", str(dump), "-t", "1.25", "-o", "json")
    assert result.code == 1 and [f["kind"] for f in result.json()["findings"]] == ["PodDisruptionBudget"]


# ---------------------------------------------------------------- 8: Lists inside Lists

NESTED = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: List
  items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: plain}
  - apiVersion: v1
    kind: List
    items:
    - apiVersion: extensions/v1beta1
      kind: Ingress
      metadata: {name: deep}
- apiVersion: extensions/v1beta1
  kind: Ingress
  metadata: {name: shallow}
"""


def test_lists_nested_in_lists_are_scanned_at_their_lines(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    (tmp_path / "list.yaml").write_text(NESTED)
    result = cli("scan", str(tmp_path / "list.yaml"), "-t", "1.22", "-o", "json")
    assert result.code == 1
    assert [(f["name"], f["line"], f["context"]["item"]) for f in result.json()["findings"]] == [
        ("deep", 13, "0.1.0"), ("shallow", 16, "1")]


def test_fix_rewrites_items_of_nested_lists(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    from tests.test_fix_helpers import fix, objects_of, validate_strict

    result = fix(NESTED, "1.22")
    assert not result.errors and [(o.name, o.outcome) for o in result.objects] == [
        ("deep", "migrated"), ("shallow", "migrated")]
    fixed = result.fixed.decode()
    assert fixed.count("apiVersion: networking.k8s.io/v1\n") == 2
    for obj in objects_of(result.fixed):
        if obj["kind"] == "Ingress":
            validate_strict(obj, "1.22")
