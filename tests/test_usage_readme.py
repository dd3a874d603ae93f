"""The README's "Who still calls it?" section stays true: each console example prints exactly what is
shown, and each command in it runs (exit 0 or 1)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

import pytest

from tests.conftest import REPO_ROOT, CliResult, readme_section
from tests.test_readme import shell_lines

SECTION = readme_section("Who still calls it?")
EXAMPLES = re.findall(r"```console\n\$ (kdeprecate [^\n]+)\n(.*?)```", SECTION, flags=re.DOTALL)


def test_the_section_has_examples() -> None:
    assert len(EXAMPLES) == 2
    assert len(shell_lines(SECTION)) >= 5


@pytest.mark.parametrize(("command", "shown"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_console_example_prints_what_is_shown(command: str, shown: str, cli: Callable[..., CliResult],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    result = cli(*shlex.split(command, comments=True)[1:])  # the README's '# exit 1' is no argument
    assert result.code == 1, result.stderr
    assert result.stdout == shown


@pytest.mark.parametrize("line", [line for line in shell_lines(SECTION) if line.startswith("kdeprecate ")])
def test_section_command_runs(line: str, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    args = [arg.replace("manifests/", "fixtures/shop/") for arg in shlex.split(line, comments=True)[1:]]
    result = cli(*args)
    assert result.code in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
