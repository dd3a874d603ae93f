"""`kdeprecate merge-reports`: JSON reports of schema_version 1 in, one report out."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pluto_py.report.merge import MergeError, merge_report_data
from tests.conftest import FIXTURES, CliResult


@pytest.fixture
def report(cli: Callable[..., CliResult]) -> dict[str, Any]:
    result = cli("scan", str(FIXTURES / "shop"), "-t", "1.25", "-o", "json", "--no-config")
    assert result.code == 1
    data: dict[str, Any] = result.json()
    assert data["findings"]
    return data


def write(tmp_path: Path, name: str, data: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return str(path)


def test_merge_of_one_report_is_that_report(report: dict[str, Any], tmp_path: Path,
                                            cli: Callable[..., CliResult]) -> None:
    merged = cli("merge-reports", write(tmp_path, "a.json", report))
    assert merged.code == 1
    data = merged.json()
    for key in ("schema_version", "targets", "findings", "errors", "summary"):
        assert data[key] == report[key]


def test_merge_sums_counts_and_reports_shared_errors_once(report: dict[str, Any]) -> None:
    other = copy.deepcopy(report)
    for finding in other["findings"]:
        finding["path"] = "zzz/" + finding["path"]
    error = {"path": "missing/", "line": None, "message": "no such file or directory"}
    report["errors"], other["errors"] = [error], [error]
    result = merge_report_data([("a", report), ("b", other)])
    assert len(result.findings) == 2 * len(report["findings"])
    assert [f.path for f in result.findings] == sorted((f.path for f in result.findings), key=lambda p: p.split("/"))
    assert result.files == 2 * report["summary"]["files"]
    assert result.documents == 2 * report["summary"]["documents"]
    assert len(result.errors) == 1


def test_findings_are_ordered_as_a_directory_walk() -> None:
    def finding(path: str) -> dict[str, Any]:
        return {"path": path, "line": 1, "column": 1, "document": 0, "source": "file", "template": None,
                "api_version": "extensions/v1beta1", "kind": "Ingress", "name": "x", "namespace": None,
                "status": "removed", "deprecated_in": "1.14", "removed_in": "1.22", "replacement": None,
                "replacement_available_in": None, "component": "k8s", "fixable": False, "target": "1.25"}

    data = {"schema_version": 1, "tool": {"name": "kdeprecate", "version": "0"}, "targets": {"k8s": "1.25"},
            "findings": [finding("a-c.yaml"), finding("a/b.yaml")], "errors": [],
            "summary": {"files": 2, "documents": 2}}
    assert [f.path for f in merge_report_data([("x", data)]).findings] == ["a/b.yaml", "a-c.yaml"]


@pytest.mark.parametrize("damage", ["schema", "targets", "tool", "finding", "summary", "not-json", "not-object"])
def test_bad_reports_are_usage_errors(damage: str, report: dict[str, Any], tmp_path: Path,
                                      cli: Callable[..., CliResult]) -> None:
    bad: Any = copy.deepcopy(report)
    if damage == "schema":
        bad["schema_version"] = 2
    elif damage == "targets":
        bad["targets"] = {"k8s": "1.22"}
    elif damage == "tool":
        bad["tool"] = {"name": "pluto"}
    elif damage == "finding":
        del bad["findings"][0]["kind"]
    elif damage == "summary":
        bad["summary"] = {}
    elif damage == "not-json":
        bad = "{"
    else:
        bad = "[]"
    result = cli("merge-reports", write(tmp_path, "a.json", report), write(tmp_path, "b.json", bad))
    assert result.code == 2
    assert "b.json" in result.stderr
    assert not result.stdout
    with pytest.raises(MergeError):
        merge_report_data([])


def test_merge_exit_codes_follow_scan(report: dict[str, Any], tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    path = write(tmp_path, "a.json", report)
    assert cli("merge-reports", path, "--fail-on", "none").code == 0
    report["errors"] = [{"path": "x.yaml", "line": 3, "message": "invalid YAML"}]
    errors = cli("merge-reports", write(tmp_path, "b.json", report))
    assert errors.code == 2 and "x.yaml:3: invalid YAML" in errors.stderr
    assert cli("merge-reports", path, "-o", "nope").code == 2
    assert cli("merge-reports", str(tmp_path / "missing.json")).code == 2
