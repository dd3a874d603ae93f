"""Inputs that must never pass silently: empty pipes, unreadable folders, undecodable Helm records,
nested Lists (issue 11)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from pluto_py.scan import Targets, scan_stream
from pluto_py.sources import InputStats, SourceOptions, iter_documents
from pluto_py.table import load_builtin_table
from pluto_py.versions import parse_version
from tests.conftest import REPO_ROOT, CliResult

INGRESS = "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: {name}\n"


def _scan(paths: list[str]) -> tuple[list[str | None], list[tuple[str, str]]]:
    items = list(iter_documents(paths, SourceOptions(), InputStats()))
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
        with open(fifo, "wb"):
            pass

    writer = threading.Thread(target=write_nothing)
    writer.start()
    names, errors = _scan([str(fifo)])
    writer.join(timeout=10)
    assert names == [] and errors == [(str(fifo), "the pipe is empty: nothing to scan (did the command writing it "
                                                  "fail?)")]


def test_fix_of_an_empty_fifo_is_an_error(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    fifo = tmp_path / "stream.yaml"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: open(fifo, "wb").close())
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

    items = list(iter_documents([str(root)], SourceOptions(target="1.22"), InputStats(),
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
