"""`kdeprecate bluegreen` end to end on the blue 1.24 / green 1.29 fixtures: exit codes, the JSON contract,
every format, bad input, and the README walk-through kept true."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from pluto_py.bluegreen import Readiness, ReadinessRequest, assess
from pluto_py.bluegreen.report import get_renderer
from pluto_py.core.versions import parse_version
from tests.conftest import REPO_ROOT, CliResult, readme_section

Cli = Callable[..., CliResult]
BLUE = "fixtures/bluegreen/blue-1.24"
GREEN = "fixtures/bluegreen/green-1.29"
FULL_GREEN = ("--green-version", "1.29", "--green-api-resources", f"{GREEN}/api-resources-wide.txt",
              "--green-api-resources", f"{GREEN}/api-versions.txt", "--green", GREEN)
# With the add-on support data (pluto_py/addons, issue 15) in the build, addon-unsupported runs: green's add-ons
# (cert-manager 1.14, metrics-server 0.6) support 1.29, so it finds nothing; without it, it is not checked.
ADDONS = importlib.util.find_spec("pluto_py.addons") is not None
NOT_CHECKED = [] if ADDONS else [{"id": "addon-unsupported",
                                  "reason": "needs the add-on support data, which this build does not have"}]
REPORT_SCHEMA = json.loads((REPO_ROOT / "docs" / "bluegreen-report.schema.json").read_text())
SARIF_SCHEMA = json.loads((REPO_ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
EXPECTED = {  # (check id, severity) -> count, for the whole move
    ("namespace-missing", "blocker"): 1, ("crd-missing", "blocker"): 1, ("crd-version-not-served", "blocker"): 1,
    ("apiservice-missing", "blocker"): 1, ("webhook-no-backend", "blocker"): 1, ("api-not-served", "blocker"): 7,
    ("psp-without-psa", "blocker"): 1, ("workload-missing", "blocker"): 3, ("workload-not-ready", "blocker"): 1,
    ("image-drift", "warning"): 4, ("stateful-data", "warning"): 3,
}


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)


@pytest.fixture(scope="module")
def move() -> Readiness:
    """The whole move, assessed once for the format tests (paths relative to the repository, as the CLI shows)."""
    old = os.getcwd()
    os.chdir(REPO_ROOT)
    try:
        return assess(ReadinessRequest(blue_paths=[BLUE], green_paths=[GREEN], green_version=parse_version("1.29"),
                                       green_api_resources=[f"{GREEN}/api-resources-wide.txt",
                                                            f"{GREEN}/api-versions.txt"]))
    finally:
        os.chdir(old)


def render(readiness: Readiness, output: str) -> str:
    return get_renderer(output)(readiness, "0.1.0", False)


def test_the_whole_move_in_json_matches_the_contract(cli: Cli) -> None:
    result = cli("bluegreen", BLUE, *FULL_GREEN, "-o", "json")
    assert result.code == 1 and result.stderr == ""
    report = result.json()
    jsonschema.validate(report, REPORT_SCHEMA)
    assert list(report) == ["schema_version", "blue", "green", "checks", "summary"]
    assert all(list(check) == ["id", "severity", "object", "message", "fix"] for check in report["checks"])
    assert Counter((c["id"], c["severity"]) for c in report["checks"]) == EXPECTED
    assert report["summary"] == {"blockers": 17, "warnings": 7}
    assert (report["blue"]["version"], report["green"]["version"]) == ("1.24", "1.29")
    assert report["green"]["not_checked"] == NOT_CHECKED
    webhook = next(c for c in report["checks"] if c["id"] == "webhook-no-backend")
    assert webhook["object"] == {"api_version": "admissionregistration.k8s.io/v1",
                                 "kind": "ValidatingWebhookConfiguration",
                                 "name": "kyverno-resource-validating-webhook-cfg", "namespace": None}
    assert "do-not-print-me" not in result.stdout  # Helm release values and Secrets stay unread


def test_green_described_by_its_dump_alone_reads_its_version_and_apiservices(cli: Cli) -> None:
    result = cli("bluegreen", BLUE, "--green", GREEN, "-o", "json")
    report = result.json()
    assert result.code == 1 and report["green"]["version"] == "1.29"
    assert Counter((c["id"], c["severity"]) for c in report["checks"]) == EXPECTED


def test_ready_is_exit_0(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "web.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n"
                                       "spec:\n  template:\n    spec:\n      containers: [{name: web, image: web:1}]\n")
    result = cli("bluegreen", str(tmp_path), "--green-version", "1.29")
    assert result.code == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "READY: no blockers, no warnings"


def test_an_unreadable_input_is_exit_2_and_the_rest_is_checked(cli: Cli) -> None:
    result = cli("bluegreen", BLUE, "fixtures/nope", "--green-version", "1.29",
                 "--green-api-resources", "fixtures/bluegreen/green-1.29/version.yaml", "-o", "json")
    assert result.code == 2
    assert "kdeprecate: error: fixtures/nope: " in result.stderr
    assert "fixtures/bluegreen/green-1.29/version.yaml:1: neither `kubectl api-resources`" in result.stderr
    report = result.json()
    assert sum(c["id"] == "api-not-served" for c in report["checks"]) == 7 and len(report["blue"]["errors"]) == 1
    assert report["green"]["errors"][0]["path"] == "fixtures/bluegreen/green-1.29/version.yaml"


def test_nothing_readable_is_incomplete_not_ready(cli: Cli) -> None:
    result = cli("bluegreen", "fixtures/nope", "--green-version", "1.29")
    assert result.code == 2
    assert result.stdout.splitlines()[-1] == "INCOMPLETE: no blockers, no warnings; 1 input error"


@pytest.mark.parametrize(("args", "message"), [
    ((BLUE,), "nothing describes green"),
    (("--green-version", "1.29"), "nothing describes blue"),
    ((BLUE, "--green-version", "one.two"), "--green-version: not a Kubernetes version"),
    ((BLUE, "--green-version", "1.29", "-o", "pdf"), "--output: unknown output format 'pdf'"),
    (("-", "--green", "-"), "only one input can read stdin"),
])
def test_usage_errors_are_one_line_and_exit_2(cli: Cli, args: tuple[str, ...], message: str) -> None:
    result = cli("bluegreen", *args)
    assert result.code == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_stdin_reads_blue(cli: Cli) -> None:
    result = cli("bluegreen", "-", "--green-version", "1.29", "-o", "json",
                 stdin=(REPO_ROOT / BLUE / "policies.yaml").read_bytes())
    assert result.code == 1 and result.json()["summary"]["blockers"] == 5


def test_text_escapes_control_characters(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "evil.yaml").write_text('apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: "x\\e[31mred"}\n')
    result = cli("bluegreen", str(tmp_path), "--green-version", "1.29")
    assert result.code == 1 and "\x1b" not in result.stdout and "x\\x1b[31mred" in result.stdout


def test_text_groups_results_by_check_in_install_order(move: Readiness) -> None:
    text = render(move, "text")
    headings = [line.split(":")[0] for line in text.splitlines() if re.match(r"^[a-z-]+: \d+ (blocker|warning)", line)]
    assert headings == ["namespace-missing", "crd-missing", "crd-version-not-served", "apiservice-missing",
                        "webhook-no-backend", "api-not-served", "psp-without-psa", "workload-missing",
                        "workload-not-ready", "image-drift", "stateful-data"]


def test_sarif_validates_and_locates_results(move: Readiness) -> None:
    log = json.loads(render(move, "sarif"))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    run = log["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]][:2] == ["namespace-missing", "crd-missing"]
    levels = Counter(item["level"] for item in run["results"])
    assert levels == {"error": 17, "warning": 7}
    webhook = next(item for item in run["results"] if item["ruleId"] == "webhook-no-backend")
    assert webhook["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == f"{GREEN}/webhooks.yaml"
    assert run["invocations"][0]["executionSuccessful"] is True


def test_junit_has_a_suite_per_check(move: Readiness) -> None:
    root = ET.fromstring(render(move, "junit"))
    suites = {suite.get("name"): suite for suite in root}
    assert list(suites)[:3] == ["namespace-missing", "crd-missing", "crd-version-not-served"]
    skipped = sum(int(suite.get("skipped", "0")) for suite in root)  # Jenkins' schema: none on <testsuites>
    assert (root.get("failures"), skipped) == ("17", 0 if ADDONS else 1)
    assert (suites["addon-unsupported"].find("testcase/skipped") is None) == ADDONS
    assert suites["image-drift"].get("failures") == "0" and suites["image-drift"].get("tests") == "4"


def test_markdown_is_a_change_ticket(move: Readiness) -> None:
    text = render(move, "markdown")
    assert text.startswith("## ❌ Blue/green readiness: not ready — 17 blockers, 7 warnings")
    assert text.count("- [ ] ") == 24
    assert text.index("### Before switching traffic") < text.index("### Worth a look")
    assert ("### Not checked" in text) != ADDONS


def test_yaml_and_csv_carry_the_same_results(move: Readiness) -> None:
    report = json.loads(render(move, "json"))
    assert YAML(typ="safe", pure=True).load(render(move, "yaml")) == report
    rows = list(csv.DictReader(io.StringIO(render(move, "csv"))))
    assert [(r["id"], r["name"]) for r in rows] == [(c["id"], c["object"]["name"]) for c in report["checks"]]


def test_github_annotations_are_the_default_in_actions(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    lines = cli("bluegreen", BLUE, *FULL_GREEN).stdout.splitlines()
    assert sum(line.startswith("::error file=") for line in lines) == 17
    assert lines[-1] == "NOT READY: 17 blockers, 7 warnings"


def test_output_file_gets_the_report_and_the_terminal_the_verdict(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "ticket.md"
    result = cli("bluegreen", BLUE, *FULL_GREEN, "-o", "markdown", "--output-file", str(target))
    assert result.code == 1 and result.stdout == "NOT READY: 17 blockers, 7 warnings\n"
    assert target.read_text().startswith("## ❌ Blue/green readiness")


def test_fixtures_are_what_the_script_writes() -> None:
    done = subprocess.run([sys.executable, "scripts/make_bluegreen_fixtures.py", "--check"], capture_output=True,
                          text=True, check=False, cwd=REPO_ROOT, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert done.returncode == 0, done.stderr


# --- the README walk-through -----------------------------------------------------------------------------


def _console_blocks(section: str) -> list[tuple[str, list[str]]]:
    blocks = []
    for body in re.findall(r"```console\n(.*?)```", section, flags=re.DOTALL):
        lines = body.splitlines()
        assert lines[0].startswith("$ ")
        blocks.append((lines[0][2:], lines[1:]))
    return blocks


def _matches(expected: list[str], actual: list[str]) -> bool:
    """``expected`` lines in order, where a line "..." stands for any number of lines."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(_matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and actual[0] == expected[0] and _matches(expected[1:], actual[1:])


SECTION = readme_section("Blue/green upgrades")


@pytest.mark.parametrize(("command", "shown"), [(command, shown) for command, shown in _console_blocks(SECTION)
                                               if "-context " not in command])  # live: test_bluegreen_live.py
def test_readme_walkthrough_output_is_what_the_command_prints(cli: Cli, command: str, shown: list[str]) -> None:
    line, _, exit_comment = command.partition("  # exit ")
    args = line.split()
    assert args[0] == "kdeprecate"
    result = cli(*args[1:])
    assert result.code == 1 and exit_comment == "1"
    assert _matches(shown, result.stdout.splitlines()), result.stdout


def test_readme_section_lists_every_check() -> None:
    from pluto_py.bluegreen import CHECK_IDS

    assert re.findall(r"^\| `([a-z-]+)` \|", SECTION, flags=re.MULTILINE) == list(CHECK_IDS)
