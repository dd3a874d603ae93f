"""The README's benchmark command runs (on a small corpus here: timings are not asserted, only that
every measurement and ratio is printed; the targets are judged on the full corpus by a person)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.slow]


def test_benchmark_script_prints_every_ratio() -> None:
    result = subprocess.run([sys.executable, "benchmarks/run.py", "--files", "120", "--repeat", "1",
                             "--startup-repeat", "3", "--no-compile"], cwd=REPO_ROOT, capture_output=True, text=True,
                            check=False, timeout=300)
    assert result.returncode in (0, 1), result.stderr  # 1: a target not met (expected on a tiny corpus)
    out = result.stdout
    assert "corpus: 120 files" in out
    for label in ("kdeprecate scan (-o json)", "PyYAML CSafeLoader, full parse", "cat (read the bytes)",
                  "python -c 'import typer'", "libyaml full parse / scan", "scan / cat",
                  "peak memory 4x corpus / 1x", "one-file scan / import typer"):
        assert label in out, label
