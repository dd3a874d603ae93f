"""Habits users bring from Pluto, kubent and kubectl (issue 12 point 6): -h, --version and `version`,
--quiet/--verbose, shell completion, --only-show-removed, list-versions formats, --target lists,
--values without a chart, help text, and Pluto's versions.yaml as an extra table."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from pluto_py import __version__
from pluto_py.cli import COMMANDS as CLI_COMMANDS
from tests.conftest import REPO_ROOT, CliResult

Cli = Callable[..., CliResult]
COMMANDS = list(CLI_COMMANDS)  # every subcommand, those added later too
MIXED = ("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: web\n---\n"
         "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\n")
# A user's additional-versions file as Pluto reads it (FairwindsOps/pluto, versions.yaml format):
# custom CRD rows with Pluto's v-prefixed patch versions, an empty removed-in, no replacement-available-in.
PLUTO_VERSIONS = """\
target-versions:
  k8s: v1.25.0
  mycorp: v2.0.0
deprecated-versions:
  - version: widgets.mycorp.io/v1alpha1
    kind: Widget
    deprecated-in: v1.4.0
    removed-in: v2.0.0
    replacement-api: widgets.mycorp.io/v1
    replacement-available-in: v1.4.0
    component: mycorp
  - version: widgets.mycorp.io/v1beta1
    kind: Gadget
    deprecated-in: v1.8.0
    removed-in: ""
    replacement-api: widgets.mycorp.io/v1
    component: mycorp
"""
CUSTOM = ("apiVersion: widgets.mycorp.io/v1alpha1\nkind: Widget\nmetadata: {name: w}\n---\n"
          "apiVersion: widgets.mycorp.io/v1beta1\nkind: Gadget\nmetadata: {name: g}\n")


@pytest.fixture
def manifests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "app.yaml").write_text(MIXED)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def help_of(cli: Cli, *command: str) -> str:
    result = cli(*command, "-h")
    assert result.code == 0, result.stderr
    assert result.stdout == cli(*command, "--help").stdout
    return result.stdout


def test_help_short_flag_metavars_summaries_and_exit_codes(cli: Cli) -> None:
    assert {"scan", "list-versions", "skew", "fix", "merge-reports", "version", "completion"} <= set(COMMANDS)
    top = help_of(cli)
    for command in COMMANDS:
        text = help_of(cli, command)
        # Placeholders, never Python types such as PATH <list[str]> or --kubectl <str>.
        assert not re.search(r"<(list\[|str>|Path>|int>|bool>|float>)", text), (command, text)
        assert "{" not in text.splitlines()[0], text.splitlines()[0]
        listed = re.search(rf"^  {re.escape(command)}\s+(.+)$", top, re.MULTILINE)
        assert listed is not None, command
        assert listed.group(1).endswith(".") and not listed.group(1).endswith("..."), listed.group(1)
    scan_help = help_of(cli, "scan")
    assert re.search(r"Exit codes:\s+0\s+nothing at or above the --fail-on level\s+1\s+findings at or above it\s+"
                     r"2\s+usage error", scan_help)
    assert "Usage: kdeprecate scan [OPTIONS] [PATH]..." in scan_help
    assert "Usage: kdeprecate merge-reports [OPTIONS] REPORT..." in help_of(cli, "merge-reports")


def test_version_flag_and_command(cli: Cli) -> None:
    assert cli("--version").stdout == f"kdeprecate {__version__}\n"
    result = cli("version")
    assert result.code == 0
    first, second = result.stdout.splitlines()
    assert first == f"kdeprecate {__version__}"
    assert re.fullmatch(r"API table: \d+ rows, Kubernetes up to 1\.\d+, reviewed \d{4}-\d\d-\d\d", second)


def test_completion_script_and_a_real_completion(cli: Cli) -> None:
    script = cli("completion", "bash")
    assert script.code == 0 and "_KDEPRECATE_COMPLETE=complete_bash" in script.stdout
    assert "compdef kdeprecate" in cli("completion", "zsh").stdout
    assert cli("completion", "tcsh").code == 2
    # What the bash script does on <TAB>: run kdeprecate with the completion variable set.
    env = {**os.environ, "_KDEPRECATE_COMPLETE": "complete_bash", "COMP_WORDS": "kdeprecate sc", "COMP_CWORD": "1"}
    done = subprocess.run([sys.executable, "-m", "pluto_py", "sc"], env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.stdout.split() == ["scan"], done.stderr
    env.update(COMP_WORDS="kdeprecate scan --only", COMP_CWORD="2")
    done = subprocess.run([sys.executable, "-m", "pluto_py"], env=env, capture_output=True, text=True, timeout=60,
                          check=False)
    assert "--only-show-removed" in done.stdout.split()


def test_quiet_and_verbose(cli: Cli, manifests: Path) -> None:
    (manifests / "tsconfig.json").write_text('{\n  // comments are fine here\n  "compilerOptions": {}\n}\n')
    normal = cli("scan", ".", "--no-config", "--target", "1.99")
    assert "note: not a Kubernetes manifest" in normal.stdout and "2 files, 2 documents" in normal.stdout
    assert "warning: the table covers Kubernetes up to" in normal.stderr
    quiet = cli("scan", ".", "--no-config", "--target", "1.99", "-q")
    assert quiet.code == 1 and quiet.stderr == ""  # no warning about the target past the table
    assert quiet.stdout.splitlines() == [line for line in normal.stdout.splitlines()
                                         if line.startswith("app.yaml:")]
    verbose = cli("scan", ".", "--no-config", "--target", "1.25", "-v", "-o", "sarif")
    assert verbose.code == 1
    assert "kdeprecate: info: configuration: none" in verbose.stderr
    assert "kdeprecate: info: targets: k8s 1.25 (--target)" in verbose.stderr
    assert f"kdeprecate: info: repository root (paths in the report are relative to it): {manifests}" in \
        verbose.stderr
    json.loads(verbose.stdout)  # stdout stays the report
    assert cli("scan", ".", "-q", "-v").code == 2


def test_only_show_removed_is_a_display_filter_separate_from_fail_on(cli: Cli, manifests: Path) -> None:
    both = cli("scan", "app.yaml", "--no-config", "--target", "1.25", "-o", "json").json()
    assert [f["status"] for f in both["findings"]] == ["removed", "deprecated"]
    removed = cli("scan", "app.yaml", "--no-config", "--target", "1.25", "-o", "json", "-r")
    assert [f["status"] for f in removed.json()["findings"]] == ["removed"]
    assert removed.json()["summary"]["deprecated"] == 0 and removed.code == 1
    # Pluto's semantics: what is not shown does not count, whatever --fail-on says.
    (manifests / "app.yaml").write_text(MIXED.split("---\n")[1])
    assert cli("scan", "app.yaml", "--no-config", "--target", "1.25", "--fail-on", "deprecated").code == 1
    assert cli("scan", "app.yaml", "--no-config", "--target", "1.25", "--fail-on", "deprecated",
               "--only-show-removed").code == 0


@pytest.mark.parametrize("fmt", ["text", "json", "yaml", "csv", "markdown"])
def test_list_versions_in_every_table_format(fmt: str, cli: Cli) -> None:
    result = cli("list-versions", "-o", fmt)
    assert result.code == 0, result.stderr
    out = result.stdout
    if fmt == "json":
        entries = json.loads(out)["entries"]
    elif fmt == "yaml":
        entries = yaml.safe_load(out)["entries"]
    elif fmt == "csv":
        entries = list(csv.DictReader(io.StringIO(out)))
    else:
        entries = [line for line in out.splitlines() if "extensions/v1beta1" in line]
    assert len(entries) > 100 or (fmt in ("text", "markdown") and len(entries) >= 5)
    if fmt in ("json", "yaml", "csv"):
        ingress = next(e for e in entries if e["api_version"] == "extensions/v1beta1" and e["kind"] == "Ingress")
        assert (ingress["removed_in"], ingress["replacement"]) == ("1.22", "networking.k8s.io/v1")
    if fmt == "markdown":
        assert out.startswith("| API version | Kind |")
    bad = cli("list-versions", "-o", "sarif")
    assert bad.code == 2 and "text, json, yaml, csv, markdown" in bad.stderr


def test_several_targets_in_one_flag(cli: Cli, manifests: Path) -> None:
    (manifests / "cert.yaml").write_text("apiVersion: cert-manager.io/v1alpha2\nkind: Certificate\n"
                                         "metadata: {name: c}\n")
    result = cli("scan", "cert.yaml", "--no-config", "--target", "k8s=1.25,cert-manager=1.6", "-o", "json")
    assert result.json()["targets"] == {"k8s": "1.25", "cert-manager": "1.6"}
    assert [f["component"] for f in result.json()["findings"]] == ["cert-manager"]


def test_values_without_a_chart_is_a_warning(cli: Cli, manifests: Path) -> None:
    (manifests / "prod.yaml").write_text("replicas: 3\n")
    result = cli("scan", "app.yaml", "--no-config", "--target", "1.25", "--values", "prod.yaml")
    assert result.code == 1
    assert "kdeprecate: warning: --values/--set apply to Helm charts, and no chart was scanned" in result.stderr
    with_chart = cli("scan", str(REPO_ROOT / "fixtures/charts/shop"), "--no-config", "--target", "1.25",
                     "--values", "prod.yaml")
    assert "no chart was scanned" not in with_chart.stderr


def test_pluto_versions_file_is_an_extra_table(cli: Cli, manifests: Path) -> None:
    (manifests / "versions.yaml").write_text(PLUTO_VERSIONS)
    (manifests / "custom.yaml").write_text(CUSTOM)
    result = cli("scan", "custom.yaml", "--no-config", "--extra-table", "versions.yaml", "--target", "mycorp=2.0",
                 "-o", "json")
    assert result.code == 1, result.stderr
    found = {f["kind"]: f for f in result.json()["findings"]}
    assert (found["Widget"]["status"], found["Widget"]["removed_in"], found["Widget"]["replacement_available_in"]) \
        == ("removed", "2.0", "1.4")
    assert (found["Gadget"]["status"], found["Gadget"]["removed_in"], found["Gadget"]["replacement"],
            found["Gadget"]["replacement_available_in"]) == ("deprecated", None, "widgets.mycorp.io/v1", None)
    listed = cli("list-versions", "--extra-table", "versions.yaml", "-o", "json").json()["entries"]
    assert {e["kind"] for e in listed if e["component"] == "mycorp"} == {"Widget", "Gadget"}


def test_pluto_rows_that_cannot_be_ours_are_errors_naming_the_row(cli: Cli, manifests: Path) -> None:
    # Pluto's own defaults copied in: a row the built-in table has (Pluto refuses duplicates too).
    (manifests / "copied.yaml").write_text(
        "deprecated-versions:\n  - version: extensions/v1beta1\n    kind: Ingress\n    deprecated-in: v1.14.0\n"
        "    removed-in: v1.22.0\n    replacement-api: networking.k8s.io/v1\n"
        "    replacement-available-in: v1.19.0\n    component: k8s\n")
    copied = cli("scan", "app.yaml", "--no-config", "--extra-table", "copied.yaml")
    assert copied.code == 2 and "row extensions/v1beta1 Ingress collides" in copied.stderr
    (manifests / "wildcard.yaml").write_text(
        "deprecated-versions:\n  - version: networking.istio.io/v1alpha3\n    kind: \"\"\n"
        "    deprecated-in: v1.5.0\n    removed-in: \"\"\n    replacement-api: networking.istio.io/v1beta1\n"
        "    component: istio\n")
    wildcard = cli("scan", "app.yaml", "--no-config", "--extra-table", "wildcard.yaml")
    assert wildcard.code == 2
    assert "wildcard.yaml: deprecated-versions[0] (networking.istio.io/v1alpha3 <every kind>): an empty kind" \
        in wildcard.stderr
    (manifests / "typo.yaml").write_text("deprecated-versions:\n  - version: a/v1\n    kind: A\n    component: x\n"
                                         "    removed_in: v1.2.0\n")
    typo = cli("scan", "app.yaml", "--no-config", "--extra-table", "typo.yaml")
    assert typo.code == 2 and "typo.yaml: Pluto versions file: deprecated-versions/0:" in typo.stderr
