"""Reporters beyond their golden files: schemas, parsers, escaping, --output-file, GitHub Actions."""

from __future__ import annotations

import csv
import io
import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml

from pluto_py.core.model import Finding, Notice, ScanResult
from pluto_py.report import ReportContext, get_reporter, result_fails
from pluto_py.report.github import command, escape_data, escape_property
from pluto_py.report.markdown import cell, code
from pluto_py.report.sarif import artifact_uri
from tests.conftest import REPO_ROOT, CliResult

Cli = Callable[..., CliResult]
INPUT = "tests/golden/input"
SARIF_SCHEMA = json.loads((REPO_ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
REPORT_SCHEMA = json.loads((REPO_ROOT / "docs" / "report.schema.json").read_text())


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    for name in list(os.environ):
        if name.startswith("KDEPRECATE_"):
            monkeypatch.delenv(name, raising=False)


def scan(cli: Cli, *args: str) -> CliResult:
    return cli("scan", INPUT, "--no-config", "--target", "1.22", *args)


def test_sarif_validates_against_the_official_schema(cli: Cli) -> None:
    jsonschema.Draft4Validator.check_schema(SARIF_SCHEMA)
    result = scan(cli, "-o", "sarif")
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    run = log["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert {"removed-api", "deprecated-api", "unused-suppression"} <= set(rules)
    assert all(rule["help"]["text"] for rule in rules.values())
    by_rule: dict[str, list[dict[str, object]]] = {}
    for item in run["results"]:
        by_rule.setdefault(item["ruleId"], []).append(item)
        assert run["tool"]["driver"]["rules"][item["ruleIndex"]]["id"] == item["ruleId"]
    ingress = next(r for r in by_rule["removed-api"] if "Ingress/web" in r["message"]["text"])
    assert ingress["level"] == "error"
    assert ingress["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "tests/golden/input/app.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 14, "startColumn": 13, "endLine": 14, "endColumn": 31}}  # the apiVersion value
    suppressed = [r for r in by_rule["deprecated-api"] if "suppressions" in r]
    assert suppressed[0]["suppressions"] == [{"kind": "inSource", "status": "accepted",
                                              "justification": "moves to policy/v1 with the 1.25 upgrade"}]
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_sarif_with_unreadable_input_and_stdin_still_validates(cli: Cli) -> None:
    result = cli("scan", "-", "missing.yaml", "--no-config", "--target", "1.22", "-o", "sarif",
                 stdin=b"apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: x}\n")
    assert result.code == 2
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"] == "no such file or directory"
    # GitHub drops results without a physical location: stdin is an artifact named "stdin", no base.
    location = log["runs"][0]["results"][0]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "stdin"
    assert "uriBaseId" not in location["physicalLocation"]["artifactLocation"]
    assert location["logicalLocations"][0]["name"] == "stdin"


def test_artifact_uris_are_encoded() -> None:
    assert artifact_uri("k8s/my app/#1.yaml") == ("k8s/my%20app/%231.yaml", "%SRCROOT%")
    assert artifact_uri("./a.yaml") == ("a.yaml", "%SRCROOT%")
    assert artifact_uri("/srv/k8s/a b.yaml") == ("file:///srv/k8s/a%20b.yaml", None)


def test_json_report_keeps_the_contract_and_marks_suppressed(cli: Cli) -> None:
    report = json.loads(scan(cli, "-o", "json").stdout)
    jsonschema.validate(report, REPORT_SCHEMA)
    pdb = next(f for f in report["findings"] if f["kind"] == "PodDisruptionBudget")
    assert pdb["suppressed"] is True and pdb["suppression_reason"] == "moves to policy/v1 with the 1.25 upgrade"
    assert report["summary"] == {"files": 4, "documents": 7, "removed": 2, "deprecated": 2, "errors": 0,
                                 "suppressed": 1, "unsupported": 0}
    assert report["notices"] == [{"path": "tests/golden/input/stale.yaml", "line": 1, "column": 17,
                                  "code": "unused-suppression", "level": "warning",
                                  "message": report["notices"][0]["message"]}]


def test_yaml_report_is_the_json_report(cli: Cli) -> None:
    assert yaml.safe_load(scan(cli, "-o", "yaml").stdout) == json.loads(scan(cli, "-o", "json").stdout)


def test_csv_parses_with_one_row_per_finding(cli: Cli) -> None:
    rows = list(csv.DictReader(io.StringIO(scan(cli, "-o", "csv").stdout)))
    assert len(rows) == 5
    assert {row["name"] for row in rows} >= {"report|daily", "old", "beta"}
    assert [row["suppressed"] for row in rows].count("true") == 1


def test_junit_has_one_test_case_per_object(cli: Cli) -> None:
    root = ET.fromstring(scan(cli, "-o", "junit").stdout)
    cases = root.findall("./testsuite/testcase")
    # 4 objects in app.yaml, 1 CRD, 1 List + 3 items, 1 ConfigMap, and the stale-suppression notice
    assert len(cases) == 11
    assert root.get("tests") == "11" and root.get("failures") == "2" and root.get("skipped") is None
    assert sum(int(suite.get("skipped", "0")) for suite in root) == 1  # counted per suite (junit-10.xsd)
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert failed == ["Ingress/web (namespace shop) extensions/v1beta1 (line 14)",
                      "Widget/old (namespace shop) example.com/v1alpha1 (line 5)"]
    strict = ET.fromstring(scan(cli, "-o", "junit", "--fail-on", "deprecated").stdout)
    assert strict.get("failures") == "5"  # + CronJob, Widget/beta and the stale suppression


def test_markdown_and_github_escaping() -> None:
    assert cell("a|b\nc <x>") == "a\\|b c &lt;x&gt;"
    assert code("a|b") == "`a\\|b`" and code("a`b") == "`` a`b ``"
    assert escape_data("50%\r\ndone") == "50%25%0D%0Adone"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"
    assert command("error", "x", file="d/a,b.yaml", line=3, col=1) == "::error file=d/a%2Cb.yaml,line=3,col=1::x"


def test_output_file_gets_the_report_and_the_terminal_the_summary(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    target.write_text("old")
    result = scan(cli, "-o", "sarif", "--output-file", str(target))
    assert result.code == 1
    json.loads(target.read_text())  # the whole new report
    assert result.stdout.splitlines()[-1].startswith("4 files, 7 documents: 2 removed")
    assert "tests/golden/input/app.yaml:14:13: removed" in result.stdout
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".kdeprecate-")]  # no temporary left


def test_output_file_in_a_missing_directory_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    result = scan(cli, "-o", "json", "--output-file", str(tmp_path / "no" / "r.json"))
    assert result.code == 2 and "cannot write" in result.stderr


def test_github_actions_chooses_annotations_unless_asked(cli: Cli, monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert scan(cli).stdout.startswith("::error file=tests/golden/input/app.yaml,line=14,col=13,")
    assert scan(cli, "-o", "text").stdout.startswith("tests/golden/input/app.yaml:14:13: removed")
    # SARIF to a file for upload, annotations on the log.
    result = scan(cli, "-o", "sarif", "--output-file", str(tmp_path / "k.sarif"))
    assert result.stdout.startswith("::error ") and (tmp_path / "k.sarif").is_file()


def test_text_colour_only_when_asked(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "\033[" not in scan(cli).stdout
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = scan(cli).stdout
    assert "\033[31mremoved\033[0m" in coloured


def test_notices_fail_only_the_strictest_gate() -> None:
    notice = Notice("a.yaml", 1, "unused-suppression", "stale")
    result = ScanResult((), (), 1, 1, {"k8s": "1.22"}, notices=(notice,))
    assert not result_fails(result, "removed")
    assert result_fails(result, "deprecated")
    assert not result_fails(result, "none")


def test_reporters_render_an_empty_scan() -> None:
    empty = ScanResult((), (), 0, 0, {"k8s": "1.22"})
    context = ReportContext("0", "removed")
    for name in ("text", "json", "yaml", "csv", "markdown", "sarif", "junit", "github"):
        text = get_reporter(name).render(empty, context)
        assert text.endswith("\n")
    assert "No deprecated or removed API versions" in get_reporter("markdown").render(empty, context)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads(get_reporter("sarif").render(empty, context)))
    assert ET.fromstring(get_reporter("junit").render(empty, context)).get("tests") == "0"


def _finding(**changes: object) -> Finding:
    base: dict[str, object] = dict(
        path="a.yaml", line=1, column=13, document=0, source="file", template=None,
        api_version="cert-manager.io/v1alpha2", kind="Certificate", name="web", namespace=None, status="removed",
        deprecated_in="1.4", removed_in="1.6", replacement="cert-manager.io/v1", replacement_available_in="1.0",
        component="cert-manager", fixable=False, target="1.6")
    base.update(changes)
    return Finding(**base)  # type: ignore[arg-type]


def test_add_on_findings_name_the_component_release() -> None:
    from pluto_py.report.common import advice

    assert advice(_finding()) == ("removed in cert-manager 1.6; use cert-manager.io/v1, available since "
                                  "cert-manager 1.0")
