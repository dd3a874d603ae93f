"""The scan and list-versions commands as a user and a CI script see them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import FIXTURES, REPO_ROOT, CliResult

Cli = Callable[..., CliResult]

REPORT_SCHEMA = json.loads((REPO_ROOT / "docs" / "report.schema.json").read_text())

# What fixtures/ holds, by file: (path, line, kind, name, status) at target 1.22.
FIXTURE_FINDINGS_1_22 = {
    ("fixtures/platform/cluster-list.yaml", 5, "Ingress", "grafana", "removed"),
    ("fixtures/platform/cluster-list.yaml", 28, "PodSecurityPolicy", "restricted", "deprecated"),
    ("fixtures/shop/crd.yaml", 1, "CustomResourceDefinition", "coupons.shop.example.com", "removed"),
    ("fixtures/shop/cronjob.yaml", 1, "CronJob", "nightly-report", "deprecated"),
    ("fixtures/shop/pdb.yaml", 1, "PodDisruptionBudget", "web", "deprecated"),
    ("fixtures/shop/rbac.yaml", 8, "ClusterRole", "shop-report-reader", "removed"),
    ("fixtures/shop/rbac.yaml", 17, "ClusterRoleBinding", "shop-report-reader", "removed"),
    ("fixtures/shop/web.yaml", 40, "Ingress", "web", "removed"),
}


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)


def findings_of(result: CliResult) -> set[tuple[str, int, str, str, str]]:
    return {(f["path"], f["line"], f["kind"], f["name"], f["status"]) for f in result.json()["findings"]}


APP_FIXTURES = ["fixtures/shop", "fixtures/platform", "fixtures/current"]


def test_readme_demo_on_all_fixtures_matches_the_contract(cli: Cli) -> None:
    result = cli("scan", "fixtures/", "--target", "1.22", "-o", "json")
    assert result.code == 1, result.stderr
    report = result.json()
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["errors"] == [] and result.stderr == ""
    assert findings_of(result) >= FIXTURE_FINDINGS_1_22


def test_app_fixtures_at_1_22_exact_findings(cli: Cli) -> None:
    result = cli("scan", *APP_FIXTURES, "--target", "1.22", "-o", "json")
    assert result.code == 1, result.stderr
    report = result.json()
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["targets"] == {"k8s": "1.22"}
    assert findings_of(result) == FIXTURE_FINDINGS_1_22
    ingress = next(f for f in report["findings"] if f["path"] == "fixtures/shop/web.yaml")
    assert {k: ingress[k] for k in ("column", "document", "source", "template", "api_version", "namespace",
                                    "deprecated_in", "removed_in", "replacement", "replacement_available_in",
                                    "component", "fixable")} == {
        "column": 13, "document": 2, "source": "file", "template": None, "api_version": "extensions/v1beta1",
        "namespace": "shop", "deprecated_in": "1.14", "removed_in": "1.22", "replacement": "networking.k8s.io/v1",
        "replacement_available_in": "1.19", "component": "k8s", "fixable": True}
    assert report["summary"] == {"files": 9, "documents": 16, "removed": 5, "deprecated": 3, "errors": 0,
                                 "suppressed": 0, "unsupported": 0}
    assert result.stderr == ""


def test_text_output_says_what_to_do(cli: Cli) -> None:
    result = cli("scan", "fixtures/shop/web.yaml", "--target", "1.22")
    assert result.code == 1
    assert result.stdout.splitlines() == [
        "fixtures/shop/web.yaml:40:13: removed: Ingress/web (namespace shop) extensions/v1beta1: removed in 1.22; "
        "use networking.k8s.io/v1, available since 1.19",
        "1 file, 3 documents: 1 removed, 0 deprecated, 0 errors (target k8s 1.22)",
    ]
    assert "\033[" not in result.stdout  # no colour when not on a terminal


def test_colour_when_forced(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\033[31mremoved" in cli("scan", "fixtures/shop/web.yaml", "-t", "1.22").stdout


@pytest.mark.parametrize(
    ("fail_on", "target", "code"),
    [("removed", "1.25", 1), ("removed", "1.24", 0), ("deprecated", "1.21", 1), ("none", "1.37", 0),
     ("removed", "1.15", 0), ("deprecated", "1.15", 0)],
)
def test_fail_on_levels(cli: Cli, fail_on: str, target: str, code: int) -> None:
    assert cli("scan", "fixtures/shop/cronjob.yaml", "--target", target, "--fail-on", fail_on).code == code


def test_default_target_is_newest_release(cli: Cli) -> None:
    from pluto_py.core.table import load_builtin_table

    report = cli("scan", "fixtures/current", "-o", "json").json()
    assert report["targets"] == {"k8s": str(load_builtin_table().newest)}
    assert report["findings"] == []


def test_stdin(cli: Cli) -> None:
    data = (FIXTURES / "shop" / "pdb.yaml").read_bytes()
    result = cli("scan", "-", "--target", "1.25", "-o", "json", stdin=data)
    assert result.code == 1
    [finding] = result.json()["findings"]
    assert (finding["path"], finding["source"], finding["line"], finding["status"]) == ("-", "stdin", 1, "removed")


def test_from_says_whether_replacement_is_already_served(cli: Cli) -> None:
    report = cli("scan", "fixtures/shop/web.yaml", "fixtures/shop/cronjob.yaml", "-t", "1.25", "--from", "1.20",
                 "-o", "json").json()
    by_kind = {f["kind"]: f["replacement_available_at_from"] for f in report["findings"]}
    assert by_kind == {"Ingress": True, "CronJob": False}
    text = cli("scan", "fixtures/shop/cronjob.yaml", "-t", "1.25", "--from", "1.20").stdout
    assert "not yet served by the --from version" in text


def test_broken_input_reports_everything_else_and_exits_2(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata: {a: [\n")
    (tmp_path / "ok.yaml").write_text("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: ok}\n")
    result = cli("scan", str(tmp_path), "-t", "1.22", "-o", "json")
    assert result.code == 2
    report = result.json()
    assert [f["name"] for f in report["findings"]] == ["ok"]
    [error] = report["errors"]
    assert error["path"] == str(tmp_path / "broken.yaml") and error["line"] == 3
    [line] = result.stderr.splitlines()
    assert line.startswith(f"kdeprecate: error: {tmp_path / 'broken.yaml'}:3: document 0: invalid YAML")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--target", "one.two"], "--target: not a Kubernetes version: 'one.two'"),
        (["--target", "1.22", "--target", "1.23"], "--target: a Kubernetes target given twice"),
        (["--target", "nope=1.6"], "--target: no table rows for component(s) nope"),
        (["--from", "x"], "--from: not a Kubernetes version"),
        (["--fail-on", "sometimes"], "--fail-on: must be one of removed, deprecated, none"),
        (["-o", "xml"], "--output: unknown output format 'xml'"),
        (["--extra-table", "/nonexistent/table.yaml"], "/nonexistent/table.yaml: cannot read extra table"),
    ],
)
def test_usage_errors_are_one_line_exit_2(cli: Cli, args: list[str], message: str) -> None:
    result = cli("scan", "fixtures/current", *args)
    assert result.code == 2
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("kdeprecate: error: ") and message in line


def test_unknown_flag_is_a_usage_error(cli: Cli) -> None:
    result = cli("scan", "--no-such-flag")
    assert result.code == 2 and "No such option" in result.stderr and "Traceback" not in result.stderr


def test_extra_table_adds_rows_and_may_not_override(cli: Cli, tmp_path: Path) -> None:
    extra = tmp_path / "crds.yaml"
    extra.write_text(
        "schema_version: 1\napis:\n  - api_version: acme.example.com/v1alpha1\n    kind: Widget\n"
        "    deprecated_in: '1.2'\n    removed_in: '2.0'\n    replacement: acme.example.com/v1\n"
        "    replacement_available_in: '1.2'\n    component: acme\n"
    )
    manifest = tmp_path / "w.yaml"
    manifest.write_text("apiVersion: acme.example.com/v1alpha1\nkind: Widget\nmetadata: {name: w}\n")
    result = cli("scan", str(manifest), "--extra-table", str(extra), "--target", "acme=2.1", "-o", "json")
    assert result.code == 1
    [finding] = result.json()["findings"]
    assert (finding["component"], finding["status"], finding["target"]) == ("acme", "removed", "2.1")
    assert result.json()["targets"] == {"k8s": result.json()["targets"]["k8s"], "acme": "2.1"}
    # Without a target for the component its rows are not judged.
    assert cli("scan", str(manifest), "--extra-table", str(extra)).code == 0

    bad = tmp_path / "bad.yaml"
    bad.write_text(extra.read_text().replace("acme.example.com/v1alpha1", "extensions/v1beta1")
                   .replace("Widget", "Ingress"))
    result = cli("scan", str(manifest), "--extra-table", str(bad))
    assert result.code == 2 and "collides with a row the table already has" in result.stderr

    invalid = tmp_path / "invalid.yaml"
    invalid.write_text("schema_version: 1\napis:\n  - api_version: x/v1\n    kind: Widget\n    removed_in: 1.2\n")
    result = cli("scan", str(manifest), "--extra-table", str(invalid))
    assert result.code == 2 and str(invalid) in result.stderr


def test_list_versions_json(cli: Cli) -> None:
    from pluto_py.core.table import load_builtin_table, load_table

    result = cli("list-versions", "-o", "json")
    assert result.code == 0
    data = result.json()
    assert data["schema_version"] == 1
    # Built-in rows and the shipped add-on tables (cert-manager, ...), as Pluto lists them.
    assert len(data["entries"]) == len(load_table(addons=True)) > len(load_builtin_table())
    assert {e["component"] for e in data["entries"]} >= {"k8s", "cert-manager"}
    ingress = next(e for e in data["entries"] if e["api_version"] == "extensions/v1beta1" and e["kind"] == "Ingress")
    assert ingress == {
        "api_version": "extensions/v1beta1", "kind": "Ingress", "deprecated_in": "1.14", "removed_in": "1.22",
        "replacement": "networking.k8s.io/v1", "replacement_available_in": "1.19", "component": "k8s",
        "notes": ingress["notes"]}
    assert isinstance(ingress["notes"], str)


def test_list_versions_text(cli: Cli) -> None:
    result = cli("list-versions")
    assert result.code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["API", "VERSION", "KIND", "DEPRECATED", "REMOVED", "REPLACEMENT", "AVAILABLE",
                                "COMPONENT"]
    assert any(line.split()[:4] == ["policy/v1beta1", "PodSecurityPolicy", "1.21", "1.25"] for line in lines)


def test_version_flag(cli: Cli) -> None:
    from pluto_py import __version__

    result = cli("--version")
    assert (result.code, result.stdout.strip()) == (0, f"kdeprecate {__version__}")


def test_python_dash_m_is_the_same_program() -> None:
    result = subprocess.run([sys.executable, "-m", "pluto_py", "scan", "fixtures/shop/web.yaml", "-t", "1.22"],
                            cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "fixtures/shop/web.yaml:40:13: removed" in result.stdout


FLOWSCHEMA_V1BETA1 = "apiVersion: flowcontrol.apiserver.k8s.io/v1beta1\nkind: FlowSchema\nmetadata: {name: f}\n"


@pytest.mark.parametrize(
    ("args", "interim", "at_from"),
    [
        (["-t", "1.26"], "flowcontrol.apiserver.k8s.io/v1beta3", None),  # v1 is only served from 1.29
        (["-t", "1.26", "--from", "1.23"], "flowcontrol.apiserver.k8s.io/v1beta2", False),  # v1beta3 from 1.26
        (["-t", "1.26", "--from", "1.22"], "flowcontrol.apiserver.k8s.io/v1beta2", False),  # served from 1.23
        (["-t", "1.30"], None, None),  # v1 is served at the target: nothing in between
        (["-t", "1.30", "--from", "1.29"], None, True),
    ],
)
def test_interim_replacement_when_the_final_one_is_not_served_yet(cli: Cli, tmp_path: Path, args: list[str],
                                                                  interim: str | None, at_from: bool | None) -> None:
    manifest = tmp_path / "fs.yaml"
    manifest.write_text(FLOWSCHEMA_V1BETA1)
    result = cli("scan", str(manifest), *args, "-o", "json")
    [finding] = result.json()["findings"]
    assert (finding["interim_replacement"], finding["replacement_available_at_from"]) == (interim, at_from)
    assert finding["replacement"] == "flowcontrol.apiserver.k8s.io/v1"
    text = cli("scan", str(manifest), *args).stdout
    if interim and args[-1] == "1.22":
        assert (f"no version is served by both: migrate to {interim} once the cluster is at 1.23, before it "
                "reaches 1.26") in text
        assert finding["interim_available_in"] == "1.23"
    elif interim:
        assert f"use {interim} (served at {args[1]}" in text and "flowcontrol.apiserver.k8s.io/v1 from 1.29" in text


@pytest.mark.parametrize(
    ("manifest", "args", "expected"),
    [
        # scan names the version fix writes: an extensions Ingress at 1.18 goes to networking v1beta1.
        ("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: i}\n", ["-t", "1.18"],
         "use networking.k8s.io/v1beta1 (served at 1.18); networking.k8s.io/v1 from 1.19"),
        ("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: i}\n", ["-t", "1.20", "--from", "1.18"],
         "networking.k8s.io/v1beta1 is served by both: migrate to it before the upgrade"),
        # extensions PSP moved to policy/v1beta1 (1.10), which had no successor itself.
        ("apiVersion: extensions/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: p}\n", ["-t", "1.16"],
         "use policy/v1beta1 (served at 1.16); after that no replacement API"),
        ("apiVersion: extensions/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: p}\n", ["-t", "1.30"],
         "removed in 1.16; no replacement API"),
        # autoscaling/v1 cannot express v2beta1 metrics: the advice is v2 once the cluster serves it.
        ("apiVersion: autoscaling/v2beta1\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n",
         ["-t", "1.26", "--from", "1.22"],
         "no version is served by both: migrate to autoscaling/v2 once the cluster is at 1.23, before it reaches 1.25"),
    ],
)
def test_scan_advice_matches_what_fix_writes(cli: Cli, tmp_path: Path, manifest: str, args: list[str],
                                             expected: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(manifest)
    assert expected in cli("scan", str(path), *args).stdout
    finding = cli("scan", str(path), *args, "-o", "json").json()["findings"][0]
    fixed = cli("fix", str(path), *args, "--include-deprecated", "--diff")
    from pluto_py.core.versions import parse_version

    interim_since, current = finding["interim_available_in"], finding["from_version"]
    if finding["interim_replacement"] and (current is None or parse_version(interim_since) <= parse_version(current)):
        assert f"+apiVersion: {finding['interim_replacement']}" in fixed.stdout
    else:
        assert "+apiVersion:" not in fixed.stdout


def test_no_version_served_by_both_says_when_to_migrate(cli: Cli) -> None:
    text = cli("scan", "fixtures/shop/cronjob.yaml", "-t", "1.25", "--from", "1.20").stdout
    expected = "no version is served by both: migrate to batch/v1 once the cluster is at 1.21, before it reaches 1.25"
    assert expected in text


def test_empty_stdin_is_an_error_not_a_pass(cli: Cli) -> None:
    result = cli("scan", "-", "-t", "1.22", stdin=b"")
    assert result.code == 2
    assert "kdeprecate: error: -: stdin is empty: nothing to scan" in result.stderr


def test_a_target_past_the_table_is_warned_about(cli: Cli) -> None:
    from pluto_py.core.table import load_builtin_table

    newest = load_builtin_table().newest
    beyond = f"{newest.major}.{newest.minor + 3}"
    result = cli("scan", "fixtures/current", "-t", beyond)
    assert result.code == 0
    assert f"warning: the table covers Kubernetes up to {newest}" in result.stderr
    assert "warning" not in cli("scan", "fixtures/current", "-t", str(newest)).stderr


def test_an_unclosed_bracket_is_reported_inside_its_document(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\ndata: {a: [\n---\napiVersion: extensions/v1beta1\n"
                    "kind: Ingress\nmetadata: {name: after}\n")
    result = cli("scan", str(path), "-t", "1.22", "-o", "json")
    assert result.code == 2
    assert [(e["line"], e["message"].split(":")[0]) for e in result.json()["errors"]] == [(3, "document 0")]
    assert [f["name"] for f in result.json()["findings"]] == ["after"]


def test_a_bad_target_from_the_environment_is_named_as_such(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KDEPRECATE_TARGET", "banana")
    result = cli("scan", "fixtures/current")
    assert result.code == 2
    assert result.stderr.startswith("kdeprecate: error: KDEPRECATE_TARGET: not a Kubernetes version: 'banana'")
