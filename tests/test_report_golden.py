"""Golden output of every reporter on one small tree (tests/golden/input).

The tree has a clean object, a removed and a deprecated API, a suppressed finding, CRD-declared
deprecated and unserved versions, List items, a stale suppression and a name with a '|'.
Regenerate after an intended change with: KDEPRECATE_UPDATE_GOLDEN=1 python -m pytest tests/test_report_golden.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from pluto_py import __version__
from pluto_py.report import REPORTERS
from tests.conftest import REPO_ROOT, CliResult

GOLDEN = REPO_ROOT / "tests" / "golden"
INPUT = "tests/golden/input"
EXTENSIONS = {"text": "txt", "json": "json", "yaml": "yaml", "csv": "csv", "markdown": "md", "sarif": "sarif",
              "junit": "xml", "github": "txt", "gitlab": "json", "prometheus": "prom"}
UPDATE = os.environ.get("KDEPRECATE_UPDATE_GOLDEN") == "1"


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.delenv("KDEPRECATE_CONFIG", raising=False)
    for name in list(os.environ):
        if name.startswith("KDEPRECATE_") and name != "KDEPRECATE_UPDATE_GOLDEN":
            monkeypatch.delenv(name, raising=False)


def normalised(text: str) -> str:
    text = re.sub(r"^(kdeprecate_scan_timestamp_seconds) \S+$", r"\1 <time>", text, flags=re.MULTILINE)
    # SARIF's %SRCROOT% is the checkout's absolute location (report/locations.py): the same file everywhere.
    return (text.replace(f'"{__version__}"', '"<version>"').replace(f"version: {__version__}", "version: <version>")
            .replace(REPO_ROOT.as_uri() + "/", "file:///<repository>/"))


def test_every_registered_reporter_has_a_golden_file() -> None:
    assert set(REPORTERS) == set(EXTENSIONS)


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_golden(fmt: str, cli: type[CliResult]) -> None:
    result = cli("scan", INPUT, "--no-config", "--target", "1.22", "-o", fmt)  # type: ignore[operator]
    assert result.code == 1, result.stderr  # a removed API is in the tree
    assert result.stderr == ""
    golden = GOLDEN / f"scan.{fmt}.{EXTENSIONS[fmt]}"
    actual = normalised(result.stdout)
    if UPDATE or not golden.exists():
        golden.write_text(actual, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"{golden.name} did not exist; written, check it in")
    assert actual == golden.read_text(encoding="utf-8")


def test_golden_files_are_what_a_person_expects() -> None:
    """Spot checks on the golden files themselves, so a wrong regeneration is caught in review."""
    text = (GOLDEN / "scan.text.txt").read_text()
    assert "tests/golden/input/app.yaml:14:13: removed: Ingress/web (namespace shop) extensions/v1beta1" in text
    assert "PodDisruptionBudget" not in text  # suppressed: only counted
    assert "1 suppressed" in text and "1 warning" in text
    assert "tests/golden/input/stale.yaml:1:17: warning:" in text
    assert "tests/golden/input/widgets.json:5:20: removed: Widget/old (namespace shop) example.com/v1alpha1" in text
    markdown = (GOLDEN / "scan.markdown.md").read_text()
    assert "report\\|daily" in markdown and "<details><summary>1 suppressed finding</summary>" in markdown
    github = (GOLDEN / "scan.github.txt").read_text()
    assert "::error file=tests/golden/input/app.yaml,line=14,col=13,title=kdeprecate removed-api::" in github
    assert "::warning file=tests/golden/input/app.yaml,line=31,col=13" in github


def test_golden_input_is_not_a_chart_or_configured() -> None:
    assert not any(Path(GOLDEN / "input").glob("**/Chart.yaml"))
    assert not (GOLDEN / "input" / ".kdeprecate.yaml").exists()
