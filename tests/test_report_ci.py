"""Reports for CI and editors (issue 12): paths from the repository root, SARIF regions and rule
metadata, JUnit valid for Jenkins' junit-10.xsd and readable by GitLab, GitLab Code Quality, the
GitHub job summary, and chart findings pointing at their template file in every format."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml
from lxml import etree

from pluto_py.core.rules import RULES
from pluto_py.report import REPORTERS
from pluto_py.report.locations import find_source_root, root_relative
from tests.conftest import REPO_ROOT, CliResult

Cli = Callable[..., CliResult]
SCHEMAS = REPO_ROOT / "tests" / "schemas"
SARIF_SCHEMA = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
CODEQUALITY_SCHEMA = json.loads((SCHEMAS / "gitlab-codequality.schema.json").read_text())
JUNIT_XSD = etree.XMLSchema(etree.parse(str(SCHEMAS / "junit-10.xsd")))
INGRESS = "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: web\nspec: {}\n"
PDB = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec: {}\n"
CHART = "fixtures/charts/shop"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with manifests under deploy/k8s; the scan runs from deploy/."""
    root = tmp_path / "repo"
    (root / "deploy" / "k8s").mkdir(parents=True)
    (root / "deploy" / "k8s" / "ingress.yaml").write_text(INGRESS)
    (root / "deploy" / "k8s" / "pdb.yaml").write_text(PDB)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    monkeypatch.chdir(root / "deploy")
    return root


def sarif(cli: Cli, *args: str, code: int = 1) -> dict[str, object]:
    result = cli("scan", *args, "--no-config", "--target", "1.25", "-o", "sarif")
    assert result.code == code, result.stderr
    log: dict[str, object] = json.loads(result.stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    return log


def test_sarif_from_a_subdirectory_points_at_files_from_the_repository_root(cli: Cli, repo: Path) -> None:
    (repo / "deploy" / "k8s" / "tsconfig.json").write_text('{\n  // not a manifest\n}\n')
    run = sarif(cli, "k8s")["runs"][0]  # type: ignore[index]
    # A note about the scan is a notification (no code-scanning alert), not a result.
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert (note["level"], note["descriptor"]["id"]) == ("note", "not-a-manifest")
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "deploy/k8s/tsconfig.json"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    located = [r["locations"][0]["physicalLocation"] for r in run["results"]]
    assert [p["artifactLocation"] for p in located] == [
        {"uri": "deploy/k8s/ingress.yaml", "uriBaseId": "%SRCROOT%"},
        {"uri": "deploy/k8s/pdb.yaml", "uriBaseId": "%SRCROOT%"}]
    # The region is the apiVersion value: columns 13 to 31 of line 1 (endColumn is exclusive).
    assert located[0]["region"] == {"startLine": 1, "startColumn": 13, "endLine": 1,
                                    "endColumn": 13 + len("extensions/v1beta1")}


def test_github_workspace_is_the_root_and_files_outside_it_are_absolute(cli: Cli, repo: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_WORKSPACE", str(repo / "deploy"))
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(INGRESS)
    run = sarif(cli, "k8s/ingress.yaml", str(outside))["runs"][0]  # type: ignore[index]
    artifacts = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert artifacts == [{"uri": "k8s/ingress.yaml", "uriBaseId": "%SRCROOT%"}, {"uri": outside.as_uri()}]


def test_sarif_rules_carry_help_uri_precision_and_severity(cli: Cli, repo: Path) -> None:
    rules = sarif(cli, "k8s")["runs"][0]["tool"]["driver"]["rules"]  # type: ignore[index]
    doc = (REPO_ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert [rule["id"] for rule in rules] == list(RULES)
    for rule in rules:
        assert rule["helpUri"].endswith(f"docs/rules.md#{rule['id']}") and f"\n## {rule['id']}\n" in doc
        assert rule["properties"]["precision"] in ("very-high", "high", "medium", "low")
        assert rule["properties"]["problem.severity"] == {"error": "error", "warning": "warning"}.get(
            RULES[rule["id"]].level, "recommendation")


def test_github_annotations_name_files_from_the_repository_root(cli: Cli, repo: Path) -> None:
    result = cli("scan", "k8s", "--no-config", "--target", "1.25", "-o", "github")
    assert result.code == 1
    assert "::error file=deploy/k8s/ingress.yaml,line=1,col=13,title=kdeprecate removed-api::" in result.stdout


def test_source_root_is_git_top_level_or_the_working_directory(repo: Path, tmp_path: Path) -> None:
    assert find_source_root(str(repo / "deploy"), env={}) == str(repo.resolve())
    plain = tmp_path / "plain"
    plain.mkdir()
    assert find_source_root(str(plain), env={"CI_PROJECT_DIR": str(repo)}) == str(repo)
    assert root_relative(str(repo / "deploy" / "k8s"), str(repo)) == "deploy/k8s"
    assert root_relative("/somewhere/else.yaml", str(repo)) is None


def junit(cli: Cli, *args: str) -> etree._Element:
    result = cli("scan", *args, "--no-config", "-o", "junit")
    document = etree.fromstring(result.stdout.encode("utf-8"))
    assert JUNIT_XSD.validate(document), JUNIT_XSD.error_log
    return document


def test_junit_is_valid_for_jenkins_and_readable_by_gitlab(cli: Cli, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    item = '{"apiVersion": "extensions/v1beta1", "kind": "Ingress", "metadata": {"name": "web"}}'
    (tmp_path / "twice.json").write_text(f'{{"apiVersion": "v1", "kind": "List", "items": [{item}, {item}]}}\n')
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata: [\n")
    document = junit(cli, "tests/golden/input", str(tmp_path), "--target", "1.22", "--fail-on", "deprecated")
    cases = document.findall(".//testcase")
    # GitLab: classname is the suite it shows, the pair identifies a test (it keeps only the first of
    # equal pairs), and it shows the text of <failure>/<error>/<skipped>.
    identities = [(case.get("classname"), case.get("name")) for case in cases]
    assert all(classname and name for classname, name in identities)
    assert len(set(identities)) == len(identities)
    assert any(name.endswith("#2") for _, name in identities)  # the same Ingress twice on one line: numbered
    for case in cases:
        for outcome in ("failure", "error", "skipped"):
            element = case.find(outcome)
            assert element is None or (element.text or "").strip()
    suites = document.findall("testsuite")
    assert {suite.get("file") for suite in suites} >= {"tests/golden/input/app.yaml", str(tmp_path / "broken.yaml")}
    assert document.get("errors") == "1" and document.get("skipped") is None


def test_gitlab_code_quality_report(cli: Cli, repo: Path) -> None:
    (repo / "deploy" / "k8s" / "stale.yaml").write_text("# kdeprecate: ignore\napiVersion: v1\nkind: ConfigMap\n"
                                                        "metadata: {name: x}\n")
    (repo / "deploy" / "k8s" / "tsconfig.json").write_text('{\n  // not a manifest: no issue\n}\n')
    result = cli("scan", "k8s", "--no-config", "--target", "1.21", "-o", "gitlab")
    assert result.code == 0, result.stderr  # deprecated findings only, below --fail-on removed
    issues = json.loads(result.stdout)
    jsonschema.Draft7Validator(CODEQUALITY_SCHEMA).validate(issues)
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    by_path = {(issue["check_name"], issue["location"]["path"]): issue for issue in issues}
    ingress = by_path["deprecated-api", "deploy/k8s/ingress.yaml"]
    assert ingress["location"]["lines"] == {"begin": 1} and ingress["severity"] == "minor"
    assert "Ingress/web uses extensions/v1beta1" in ingress["description"]
    assert by_path["unused-suppression", "deploy/k8s/stale.yaml"]["severity"] == "minor"
    assert {check for check, _ in by_path} == {"deprecated-api", "unused-suppression"}
    removed = json.loads(cli("scan", "k8s", "--no-config", "--target", "1.25", "-o", "gitlab").stdout)
    assert {issue["severity"] for issue in removed if issue["check_name"] == "removed-api"} == {"critical"}


def test_github_actions_job_summary_is_appended(cli: Cli, repo: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = cli("scan", "k8s", "--no-config", "--target", "1.25")
    assert result.code == 1
    assert result.stdout.startswith("::error file=deploy/k8s/ingress.yaml")  # annotations, as before
    text = summary.read_text()
    assert text.startswith("earlier step\n### ❌ kdeprecate: 2 removed, 0 deprecated")
    assert "| **removed** | `k8s/ingress.yaml:1` |" in text
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "missing" / "summary.md"))
    unwritable = cli("scan", "k8s", "--no-config", "--target", "1.25")
    assert unwritable.code == 1 and "cannot append the summary" in unwritable.stderr


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_chart_findings_name_the_template_file_in_every_format(fmt: str, cli: Cli,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.setenv("KDEPRECATE_HELM_ENGINE", "static")  # fast; the template lines are the same
    result = cli("scan", CHART, "--no-config", "--target", "1.25", "-o", fmt, "--fail-on", "deprecated")
    template = f"{CHART}/templates/hooks/migrate.yaml"
    assert result.code == 1, result.stderr
    out = result.stdout
    if fmt in ("json", "yaml"):
        report = json.loads(out) if fmt == "json" else yaml.safe_load(out)
        found = {f["path"]: f for f in report["findings"]}
        assert found[template]["context"]["chart"] == CHART and found[template]["line"] == 3
    elif fmt == "csv":
        assert template in {row["path"] for row in csv.DictReader(io.StringIO(out))}
    elif fmt == "sarif":
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in json.loads(out)["runs"][0][
            "results"]}
        assert template in uris
    elif fmt == "junit":
        assert template in {case.get("classname") for case in ET.fromstring(out).iter("testcase")}
    elif fmt == "gitlab":
        assert {"path": template, "lines": {"begin": 3}} in [issue["location"] for issue in json.loads(out)]
    elif fmt == "github":
        assert f"file={template},line=3,col=13" in out
    elif fmt == "prometheus":  # counts per bounded label set: no paths, by design (report/prometheus.py)
        assert CHART not in out and 'source="helm-template"' in out
    else:  # text, markdown
        assert f"{template}:3" in out
