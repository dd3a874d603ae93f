"""The README's Workflows section stays true: every snippet is parsed or run."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml

from pluto_py.cli.config import ENV_CONFIG, ENV_VARS, load_config
from tests.conftest import REPO_ROOT, readme_section

DOC = readme_section("Workflows")
SARIF_SCHEMA = json.loads((REPO_ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
CODEQUALITY_SCHEMA = json.loads((REPO_ROOT / "tests" / "schemas" / "gitlab-codequality.schema.json").read_text())
KDEPRECATE = [sys.executable, "-m", "pluto_py"]


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.DOTALL)


def block_with(language: str, marker: str) -> str:
    found = [b for b in blocks(language) if marker in b]
    assert len(found) == 1, f"one ```{language} block containing {marker!r}"
    return found[0]


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with manifests/ (the golden input: findings of every kind)."""
    shutil.copytree(REPO_ROOT / "tests" / "golden" / "input", tmp_path / "manifests")
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(command, comments=True)
    assert argv[0] == "kdeprecate", command
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDEPRECATE_") and k != "GITHUB_ACTIONS"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    return subprocess.run([*KDEPRECATE, *argv[1:]], cwd=cwd, env=env, capture_output=True, text=True, check=False,
                          stdin=subprocess.DEVNULL)


def test_every_yaml_block_parses() -> None:
    for block in blocks("yaml"):
        assert list(yaml.safe_load_all(block))


def test_pre_commit_config_is_valid_and_names_our_hooks(tmp_path: Path) -> None:
    from pre_commit.clientlib import load_config as load_pre_commit_config
    from pre_commit.clientlib import load_manifest

    config_file = tmp_path / ".pre-commit-config.yaml"
    config_file.write_text(block_with("yaml", "repos:"))
    config = load_pre_commit_config(str(config_file))
    ours = {hook["id"] for hook in load_manifest(str(REPO_ROOT / ".pre-commit-hooks.yaml"))}
    used = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert used == ours


def test_github_workflow_runs_and_uploads_valid_sarif(scratch: Path) -> None:
    workflow = yaml.safe_load(block_with("yaml", "upload-sarif"))
    steps = workflow["jobs"]["kdeprecate"]["steps"]
    scans = [s["run"] for s in steps if "kdeprecate scan" in s.get("run", "")]
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["if"] == "always()" and workflow["permissions"]["security-events"] == "write"
    assert len(scans) == 1
    result = run(scans[0], scratch)
    assert result.returncode == 1, result.stderr  # removed APIs in manifests/
    log = json.loads((scratch / upload["with"]["sarif_file"]).read_text())
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    assert "removed" in result.stdout  # the terminal still gets the findings


def test_gitlab_job_writes_the_reports_it_declares(scratch: Path) -> None:
    job = yaml.safe_load(block_with("yaml", "reports:"))["kdeprecate"]
    reports = job["artifacts"]["reports"]
    assert job["artifacts"]["when"] == "always"
    for line in job["script"]:
        if line.startswith("kdeprecate"):
            # Only the last scan gates the job: a failing line would stop the script before it.
            assert run(line, scratch).returncode == (0 if "--fail-on none" in line else 1), line
    assert line.startswith("kdeprecate") and "--fail-on none" not in line
    root = ET.parse(scratch / reports["junit"]).getroot()
    assert root.tag == "testsuites" and int(root.get("tests", "0")) > 0
    issues = json.loads((scratch / reports["codequality"]).read_text())
    jsonschema.Draft7Validator(CODEQUALITY_SCHEMA).validate(issues)
    assert {issue["location"]["path"] for issue in issues} >= {"manifests/app.yaml"}


def test_configuration_examples_are_valid(tmp_path: Path) -> None:
    config_file = tmp_path / ".kdeprecate.yaml"
    config_file.write_text(block_with("yaml", "fail-on: removed"))
    config = load_config(config_file)
    assert config.get("target") == ["1.29", "cert-manager=1.6"]
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(block_with("toml", "[tool.kdeprecate]"))
    assert tomllib.loads(pyproject.read_text())["tool"]["kdeprecate"]
    assert load_config(pyproject).get("fail-on") == "deprecated"


def test_environment_variable_table_is_complete() -> None:
    documented = set(re.findall(r"`(KDEPRECATE_[A-Z_]+)`", DOC.split("## Configuration")[1].split("##")[0]))
    assert documented == {*ENV_VARS.values(), ENV_CONFIG}


def test_suppression_example_suppresses(scratch: Path) -> None:
    (scratch / "suppressed.yaml").write_text(block_with("yaml", "kdeprecate: ignore"))
    result = run("kdeprecate scan suppressed.yaml --target 1.22 -o json", scratch)
    assert result.returncode == 0, result.stdout + result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert [f["suppressed"] for f in findings] == [True, True]
    assert findings[1]["suppression_reason"] == "migrating with the 1.25 upgrade, see PLAT-123"


def test_shell_commands_run(scratch: Path) -> None:
    for block in blocks("sh"):
        for line in filter(None, (raw.strip() for raw in block.splitlines())):
            result = run(line, scratch)
            assert result.returncode in (0, 1), f"{line}: {result.stderr}"


def test_pluto_table_uses_real_flags_and_commands(scratch: Path) -> None:
    section = DOC.split("## Migrating from Pluto")[1]
    ours = [row.split(" | ")[1] for row in section.splitlines() if row.startswith("| `pluto") or
            row.startswith("| `-") or row.startswith("| `--") or row.startswith("| `PLUTO")]
    assert len(ours) >= 10
    help_text = run("kdeprecate scan --help", scratch).stdout + run("kdeprecate list-versions --help", scratch).stdout
    for flag in {f for cell in ours for f in re.findall(r"(--[a-z][a-z-]+)", cell)}:
        assert flag in help_text, flag
    for command in {c for cell in ours for c in re.findall(r"`(kdeprecate [^`]+)`", cell)}:
        # `kdeprecate scan -` reads stdin (empty here, which is an error): scan the folder instead.
        assert run(command.removesuffix(" -") + " manifests/" if command.endswith(" -") else command,
                   scratch).returncode in (0, 1), command
    assert "| 2 | a deprecated apiVersion found |" in section and "| 3 | a removed apiVersion found |" in section
