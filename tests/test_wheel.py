"""The built wheel works on its own: installed in a fresh venv, run outside the checkout."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.registry]


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False, timeout=600)


def test_wheel_installs_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(REPO_ROOT)],
                cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    [wheel] = list(dist.glob("kdeprecate-*.whl"))

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    installed = run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr

    work = tmp_path / "elsewhere"
    shutil.copytree(FIXTURES / "shop", work / "manifests")
    kdeprecate = env_dir / "bin" / "kdeprecate"
    scanned = run([str(kdeprecate), "scan", "manifests", "--target", "1.22", "-o", "json"], cwd=work)
    assert scanned.returncode == 1, scanned.stderr
    report = json.loads(scanned.stdout)
    assert {f["kind"] for f in report["findings"] if f["status"] == "removed"} >= {"Ingress", "ClusterRole"}

    # The table and the data beside it come from the installed package, not from a source tree.
    located = run([str(python), "-c", "from pluto_py.core.table import builtin_data_path as p; "
                   "print(p('api_versions.yaml')); print(p('served_apis.yaml')); print(p('api_versions.schema.json'))"],
                  cwd=work)
    assert located.returncode == 0, located.stderr
    for line in located.stdout.splitlines():
        assert "site-packages" in line and str(REPO_ROOT) not in line

    listed = run([str(python), "-m", "pluto_py", "list-versions", "-o", "json"], cwd=work)
    assert listed.returncode == 0 and json.loads(listed.stdout)["entries"]
