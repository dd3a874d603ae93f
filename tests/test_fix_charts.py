"""`fix` on a chart sees the objects `scan` sees (issue 11): what the template text does not show (a
computed apiVersion, a packaged subchart) is reported where it comes from, so `fix --check` never
passes a chart `scan` fails; a chart Helm refuses is an error in both."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult

Cli = Callable[..., CliResult]
PDB = "kind: PodDisruptionBudget\nmetadata:\n  name: {name}\nspec:\n  minAvailable: 1\n"


def _chart(root: Path, chart_yaml: str = "") -> Path:
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text(f"apiVersion: v2\nname: {root.name}\nversion: 0.1.0\n{chart_yaml}")
    return root


@pytest.mark.parametrize("engine", ["helm-python-sdk", "static"])
def test_a_computed_api_version_fails_fix_check_as_it_fails_scan(engine: str, tmp_path: Path, cli: Cli,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KDEPRECATE_HELM_ENGINE", engine)
    chart = _chart(tmp_path / "web")
    (chart / "values.yaml").write_text("pdbApi: policy/v1beta1\n")
    (chart / "templates" / "pdb.yaml").write_text("apiVersion: {{ .Values.pdbApi }}\n" + PDB.format(name="web"))
    scan = cli("scan", str(chart), "-t", "1.25")
    fix = cli("fix", str(chart), "-t", "1.25", "--check")
    if engine == "static":  # the static reading cannot see it either: both pass, and both say how they read it
        assert scan.code == fix.code == 0
        assert "rendered statically" in scan.stderr and "rendered statically" in fix.stderr
        return
    assert scan.code == 1 and fix.code == 1
    assert (f"{chart / 'templates' / 'pdb.yaml'}:1: PodDisruptionBudget/web: rendered from web/templates/pdb.yaml, "
            "change that template: change policy/v1beta1 → policy/v1") in fix.stderr
    assert "found by rendering the chart at 1.25 (as scan does)" in fix.stderr


def test_a_packaged_subchart_fails_fix_check_with_a_notice(tmp_path: Path, cli: Cli,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KDEPRECATE_HELM_ENGINE", "helm-python-sdk")
    chart = _chart(tmp_path / "web")
    (chart / "templates" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    (chart / "charts").mkdir()
    with tarfile.open(chart / "charts" / "sub-1.0.0.tgz", "w:gz") as tar:
        for member, text in (("sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 1.0.0\n"),
                             ("sub/templates/pdb.yaml", "apiVersion: policy/v1beta1\n" + PDB.format(name="sub"))):
            data = text.encode()
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    assert cli("scan", str(chart), "-t", "1.25").code == 1
    fix = cli("fix", str(chart), "-t", "1.25", "--check")
    assert fix.code == 1
    assert "PodDisruptionBudget/sub" in fix.stderr and "packaged or generated web/charts/sub/templates/pdb.yaml" \
        in fix.stderr and "line of the rendered output" in fix.stderr


def test_a_chart_helm_refuses_is_an_error_for_fix_too(tmp_path: Path, cli: Cli,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KDEPRECATE_HELM_ENGINE", "helm-python-sdk")
    chart = _chart(tmp_path / "web", "dependencies:\n  - {name: redis, version: 1.0.0, repository: https://x}\n")
    (chart / "templates" / "pdb.yaml").write_text("apiVersion: policy/v1\n" + PDB.format(name="web"))
    fix = cli("fix", str(chart), "-t", "1.25", "--check")
    assert fix.code == 2 and "missing in charts/ directory: redis (run `helm dependency build`)" in fix.stderr


def test_objects_the_templates_show_are_reported_once(tmp_path: Path, cli: Cli,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KDEPRECATE_HELM_ENGINE", "helm-python-sdk")
    chart = _chart(tmp_path / "web")
    (chart / "templates" / "pdb.yaml").write_text("apiVersion: policy/v1beta1\n" + PDB.format(name="web"))
    fix = cli("fix", str(chart), "-t", "1.25", "--check")
    assert fix.code == 1 and fix.stderr.count("PodDisruptionBudget/") == 1
