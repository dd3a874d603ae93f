"""Shared test helpers: run the real CLI in-process and capture what a user would see."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pluto_py.cli import main

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "fixtures"


def readme_section(heading: str) -> str:
    """The README's `## heading` section (up to the next level-2 heading); tests keep it true."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start + 1 : end if end != -1 else len(text)]


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_main(args: list[str], stdin: bytes | None = None, monkeypatch: pytest.MonkeyPatch | None = None,
             capsys: pytest.CaptureFixture[str] | None = None) -> CliResult:
    assert monkeypatch is not None and capsys is not None
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    capsys.readouterr()
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """cli(*args, stdin=b"...") runs `kdeprecate args...` in-process and returns code/stdout/stderr."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

    def run(*args: str, stdin: bytes | None = None) -> CliResult:
        return run_main(list(args), stdin=stdin, monkeypatch=monkeypatch, capsys=capsys)

    return run
