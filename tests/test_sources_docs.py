"""The README's Sources section: every example command runs and prints what it shows."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT, readme_section

SECTION = "Sources: Helm output, Helm charts, cluster dumps and Helm release records"
_BLOCK = re.compile(r"^```console\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _sdk_available() -> bool:
    try:
        import helm_python  # noqa: F401
    except Exception:
        return False
    return True


def examples() -> list[tuple[str, str]]:
    """(command, expected output) of every `$ ...` line of the console blocks."""
    found: list[tuple[str, str]] = []
    for block in _BLOCK.findall(readme_section(SECTION)):
        for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            command, _, output = chunk.partition("\n")
            found.append((command, output))
    return found


def test_the_doc_has_an_example_for_each_source() -> None:
    commands = [command for command, _ in examples()]
    assert len(commands) == 7
    for needle in ("fixtures/helm/", "fixtures/charts/shop --target 1.25", "fixtures/charts/shop --target 1.18",
                   "--annotation", "helm-releases.yaml", "| kdeprecate scan -"):
        assert any(needle in command for command in commands), needle


@pytest.mark.parametrize(("command", "expected"), examples(), ids=[c for c, _ in examples()])
def test_example_prints_what_the_doc_shows(command: str, expected: str) -> None:
    if "fixtures/charts" in command and not _sdk_available() and not os.environ.get("CI"):
        pytest.skip("helm-python-sdk not installed (pip install '.[helm]')")
    program = f"{shlex.quote(sys.executable)} -m pluto_py"
    shell = re.sub(r"(^|\| )kdeprecate ", lambda m: f"{m.group(1)}{program} ", command)
    env = {**os.environ, "NO_COLOR": "1", "KDEPRECATE_HELM_ENGINE": "helm-python-sdk"}
    done = subprocess.run(["bash", "-c", shell], cwd=REPO_ROOT, capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    assert done.returncode in (0, 1), done.stderr
    assert done.stderr == ""
    assert done.stdout == expected
