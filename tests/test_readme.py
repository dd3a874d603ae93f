"""The README stays true: its test command is what CI runs, and every kdeprecate command in it runs.

Each command line in a ```sh block (and each `$ ` line of a ```console block) is run in a scratch
copy of the repository (some commands rewrite files), where the user's own files that examples
name — `manifests/` and `ingress.yaml` — are copies of the fixtures. Commands that need a live
cluster or the helm binary (`kubectl ...`, `helm ...`) are shown with a runnable twin reading a
fixture instead, and are not run; `--cluster` commands run against a local API server in
tests/test_live_cluster.py. A trailing `# exit N` comment states the exit code the command must give;
otherwise it must succeed or report findings (0 or 1), never a usage error or a traceback.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
TEST_COMMAND = "python3 -m pip install -e '.[test]' && python3 -m pytest"
INSTALL_PREFIX = re.compile(r"^python3 -m pip install [^&]+&&\s*")


def shell_lines(markdown: str) -> list[str]:
    lines: list[str] = []
    for language, block in re.findall(r"```(sh|shell|bash|console)\n(.*?)```", markdown, flags=re.DOTALL):
        pending = ""
        for raw in block.splitlines():
            if language == "console" and not raw.startswith("$ "):
                continue  # output shown after a prompt
            line = raw.rstrip()
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            line = (pending + line).strip()
            pending = ""
            if line and not line.startswith("#"):
                lines.append(line.removeprefix("$ "))
    return lines


def runnable(line: str) -> bool:
    if line.startswith(("kubectl ", "helm ")) or "--cluster" in line:
        return False  # --cluster lines run against a local API server in tests/test_live_cluster.py
    return "kdeprecate " in line or line.startswith(("python3 -m pluto_py", "pre-commit"))


def test_ci_runs_the_readme_test_command() -> None:
    assert TEST_COMMAND in shell_lines(README)
    ci_lines = [line.strip() for line in (REPO_ROOT / ".ci" / "run").read_text().splitlines()]
    assert TEST_COMMAND in ci_lines


def test_readme_main_command_installs_and_scans_fixtures() -> None:
    assert "python3 -m pip install . && kdeprecate scan fixtures/ --target 1.22" in shell_lines(README)


COMMANDS = [line for line in shell_lines(README) if runnable(line) and "benchmarks/" not in line]


@pytest.fixture(scope="module")
def scratch_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("readme") / "repo"
    shutil.copytree(REPO_ROOT, root, ignore=shutil.ignore_patterns(".git", ".venv", ".ci-venv", "*.egg-info",
                                                                     "__pycache__", ".mypy_cache", ".ruff_cache",
                                                                     ".pytest_cache", ".hypothesis", "dist", "build"))
    shutil.copytree(root / "fixtures" / "shop", root / "manifests")
    shutil.copy(root / "fixtures" / "shop" / "web.yaml", root / "ingress.yaml")
    return root


@pytest.mark.parametrize("line", COMMANDS)
def test_readme_command_runs(line: str, scratch_repo: Path) -> None:
    command = INSTALL_PREFIX.sub("", line)
    expected = re.search(r"#\s*exit\s+(\d+)\s*$", command)
    env = dict(os.environ, NO_COLOR="1", PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("GITHUB_ACTIONS", None)
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=scratch_repo, env=env,
                            capture_output=True, text=True, check=False, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    if expected:
        assert result.returncode == int(expected.group(1)), (result.stdout, result.stderr)
    else:
        assert result.returncode in (0, 1), (result.stdout, result.stderr)
