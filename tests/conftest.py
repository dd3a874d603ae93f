"""Shared test helpers: run the real CLI in-process and capture what a user would see.

The suite writes nothing into the checkout: no bytecode (here, and in every child process through
PYTHONDONTWRITEBYTECODE), no pytest cache (``-p no:cacheprovider`` in pyproject.toml), no hypothesis
database, no ruff/mypy caches (tests/test_lint.py). Each test starts without the variables that
change kdeprecate's behaviour or colours (``_clean_environment``).
"""

from __future__ import annotations

import os
import sys

sys.dont_write_bytecode = True
os.environ["PYTHONDONTWRITEBYTECODE"] = "1"

import atexit  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402
from hypothesis.configuration import set_hypothesis_home_dir  # noqa: E402

from pluto_py.cli import main  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "fixtures"

# No .hypothesis/ directory in the checkout: no example database, and hypothesis' other files (its
# cache of the constants in our source) go to a temporary directory removed at exit.
settings.register_profile("kdeprecate", database=None)
settings.load_profile("kdeprecate")
_HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="kdeprecate-hypothesis-")
set_hypothesis_home_dir(_HYPOTHESIS_HOME)
atexit.register(shutil.rmtree, _HYPOTHESIS_HOME, True)

# Variables that change what kdeprecate (or a library it uses) prints: cleared before every test.
ENV_PREFIXES = ("KDEPRECATE_",)
ENV_KEPT = frozenset({"KDEPRECATE_UPDATE_GOLDEN"})  # asked for by the person running the suite
ENV_CLEARED = ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_WORKSPACE", "CI_PROJECT_DIR",  # report roots
               "NO_COLOR", "FORCE_COLOR", "CLICOLOR", "CLICOLOR_FORCE",
               "COLORTERM", "PY_COLORS", "TTY_COMPATIBLE", "TTY_INTERACTIVE")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if (name.startswith(ENV_PREFIXES) and name not in ENV_KEPT) or name in ENV_CLEARED:
            monkeypatch.delenv(name, raising=False)
    yield


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


# The default run is the quick one (well under a minute on two cores); CI (CI=true, as CI services set it,
# and .ci/run) and an explicit -m run everything asked for. Deselected tests are counted in pytest's summary.
FULL_RUN_MARKERS = ("slow", "registry")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("markexpr") or os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        return
    deselected = [item for item in items if any(item.get_closest_marker(m) for m in FULL_RUN_MARKERS)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


def pytest_report_header(config: pytest.Config) -> str | None:
    if config.getoption("markexpr") or os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        return None
    return "slow and registry tests deselected (CI=true python3 -m pytest runs them too)"


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Remove the bytecode of this package and of this file, written by the import that ran before
    the first line above could ask for none (``python -B -m pytest`` writes none at all)."""
    cache = Path(__file__).resolve().parent / "__pycache__"
    tag = sys.implementation.cache_tag
    for pyc in [*cache.glob(f"__init__.{tag}.pyc"), *cache.glob(f"conftest.{tag}-pytest-*.pyc")]:
        pyc.unlink(missing_ok=True)
    if cache.is_dir() and not any(cache.iterdir()):
        cache.rmdir()
