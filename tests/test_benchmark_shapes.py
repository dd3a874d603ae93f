"""The speed-cliff benchmark runs and prints every shape against its baseline (timings are not
asserted: docs/performance.md has the figures, judged by a person on the full-size shapes)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.slow]


def test_shapes_script_prints_every_shape_and_ratio() -> None:
    result = subprocess.run([sys.executable, "benchmarks/shapes.py", "--scale", "0.01", "--repeat", "1"],
                            cwd=REPO_ROOT, capture_output=True, text=True, check=False, timeout=600)
    assert result.returncode == 0, result.stderr
    for shape in ("helm-create-resources", "big-list", "crds", "empty-documents"):
        line = next(line for line in result.stdout.splitlines() if line.strip().startswith(shape))
        assert re.search(r"\d+\.\d+s .* \d+\.\d+s +\d+\.\d+ ", line), line
