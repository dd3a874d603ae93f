"""`kdeprecate fix` takes its settings like `scan`: flags > KDEPRECATE_* > .kdeprecate.yaml."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult

Cli = Callable[..., CliResult]

INGRESS = ("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n"
           "  defaultBackend: null\n")
CRONJOB = "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: nightly\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()  # the configuration search stops at the repository root
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "cron.yaml").write_text(CRONJOB)
    (tmp_path / "k8s" / "legacy").mkdir()
    (tmp_path / "k8s" / "legacy" / "cron.yaml").write_text(CRONJOB)
    (tmp_path / ".kdeprecate.yaml").write_text('target: "1.25"\nexclude: [legacy]\npaths: [k8s]\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KDEPRECATE_TARGET", raising=False)
    return tmp_path


def test_fix_reads_target_paths_and_excludes_from_the_configuration(cli: Cli, project: Path) -> None:
    result = cli("fix")
    assert result.code == 1, result.stderr
    assert (project / "k8s" / "cron.yaml").read_text() == CRONJOB.replace("batch/v1beta1", "batch/v1")
    assert (project / "k8s" / "legacy" / "cron.yaml").read_text() == CRONJOB
    assert "Fixing k8s/cron.yaml" in result.stderr
    assert cli("fix").code == 0  # nothing left to fix


def test_flag_and_environment_override_the_file(cli: Cli, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # At 1.22 a batch/v1beta1 CronJob is only deprecated: nothing to fix.
    assert cli("fix", "--target", "1.22", "--check").code == 0
    monkeypatch.setenv("KDEPRECATE_TARGET", "1.22")
    assert cli("fix", "--check").code == 0
    assert cli("fix", "--check", "--target", "1.25").code == 1
    monkeypatch.delenv("KDEPRECATE_TARGET")
    result = cli("fix", "--check", "--no-config")
    assert result.code == 2 and "--target is required" in result.stderr  # no target anywhere


def test_bad_configuration_is_a_one_line_error(cli: Cli, project: Path) -> None:
    (project / ".kdeprecate.yaml").write_text("target: 1.25\n")  # a float, not a version string
    result = cli("fix")
    assert result.code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("kdeprecate: error: ") and ".kdeprecate.yaml" in line
    assert (project / "k8s" / "cron.yaml").read_text() == CRONJOB
