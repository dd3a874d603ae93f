"""The README's "Pod security across the upgrade" section stays true: every command in it runs (in a
copy of the fixtures, since --fix rewrites them) with the exit code it states, and the output it shows
is what the command prints (tests/test_readme.py runs them as shell lines too)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, CliResult, readme_section, run_main
from tests.test_readme import runnable, shell_lines

SECTION = readme_section("Pod security across the upgrade")


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_COLOR="1", PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False, timeout=120)


def _run_in_process(command: str, cwd: Path, monkeypatch: pytest.MonkeyPatch,
                    capsys: pytest.CaptureFixture[str]) -> CliResult:
    """The README's shell line run by the real CLI in this process: `cat FILE | kdeprecate ...` and
    `kdeprecate ... > FILE` are the only shell it uses (a subprocess per line would cost seconds)."""
    words = shlex.split(command, comments=True)
    stdin = None
    if "|" in words:
        producer, words = words[: words.index("|")], words[words.index("|") + 1 :]
        assert producer[0] == "cat" and len(producer) == 2, command
        stdin = (cwd / producer[1]).read_bytes()
    target = None
    if ">" in words:
        words, target = words[: words.index(">")], words[words.index(">") + 1]
    assert words[0] == "kdeprecate", command
    monkeypatch.chdir(cwd)
    result = run_main(words[1:], stdin=stdin, monkeypatch=monkeypatch, capsys=capsys)
    if target is not None:
        (cwd / target).write_text(result.stdout, encoding="utf-8")
    return result


def test_every_command_of_the_section_runs_with_its_exit_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    shutil.copytree(REPO_ROOT / "fixtures", tmp_path / "fixtures")
    commands = [line for line in shell_lines(SECTION) if runnable(line)]
    assert len(commands) >= 8
    assert any(line.startswith("kubectl get ") for line in shell_lines(SECTION))  # shown, with a runnable twin
    for command in commands:
        expected = re.search(r"#\s*exit\s+(\d+)\s*$", command)
        assert expected, f"state the exit code of: {command}"
        result = _run_in_process(command, tmp_path, monkeypatch, capsys)
        assert "Traceback" not in result.stderr, result.stderr
        assert result.code == int(expected.group(1)), (command, result.stdout[-2000:], result.stderr[-2000:])
    # --fix rewrote the manifests users keep (and only those): the last command passed.
    assert "pod-security.kubernetes.io/enforce: baseline" in (
        tmp_path / "fixtures" / "podsecurity" / "namespaces" / "namespaces.yaml").read_text(encoding="utf-8")
    assert (tmp_path / "fixtures" / "podsecurity" / "blue-1.24.yaml").read_bytes() == (
        REPO_ROOT / "fixtures" / "podsecurity" / "blue-1.24.yaml").read_bytes()
    assert (tmp_path / "label-namespaces.sh").read_text(encoding="utf-8").startswith("kubectl label namespace ")


def test_the_output_shown_is_the_output(tmp_path: Path) -> None:
    block = re.search(r"```console\n\$ (?P<command>[^\n]+)\n(?P<output>.*?)```", SECTION, flags=re.DOTALL)
    assert block is not None
    result = _run(block["command"], REPO_ROOT)
    actual = result.stdout.splitlines()
    shown = [line for line in block["output"].splitlines() if line != "..."]
    assert len(shown) > 10
    cursor = 0
    for line in shown:  # in this order, each line printed as shown
        assert line in actual[cursor:], line
        cursor = actual.index(line, cursor) + 1
