"""Configuration: discovery, validation errors, precedence (flags > env > file > defaults), globs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pluto_py.cli.config import (
    ConfigError,
    PathFilter,
    discover,
    find_config,
    load_config,
    resolve_scan_settings,
)
from pluto_py.cli.globs import compile_glob
from pluto_py.sources.files import chart_root_of, map_chart_templates
from tests.conftest import REPO_ROOT, CliResult

Cli = Callable[..., CliResult]

INGRESS = "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: web}\n"
CRONJOB = "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: nightly}\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with manifests, one directory down from a .git root; cwd inside it."""
    for name in list(os.environ):
        if name.startswith("KDEPRECATE_"):
            monkeypatch.delenv(name, raising=False)
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "k8s" / "vendor").mkdir(parents=True)
    (root / "k8s" / "ingress.yaml").write_text(INGRESS)
    (root / "k8s" / "cronjob.yaml").write_text(CRONJOB)
    (root / "k8s" / "vendor" / "old.yaml").write_text(INGRESS)
    monkeypatch.chdir(root / "k8s")
    return root


def settings(**flags: object) -> dict[str, object]:
    defaults: dict[str, object] = dict(paths=None, target=None, from_version=None, output=None, output_file=None,
                                       fail_on=None, extra_table=None, helm_values=None, helm_set=None,
                                       annotations=None)
    defaults.update(flags)
    return defaults


def test_found_upward_and_stops_at_the_repository_root(repo: Path) -> None:
    assert find_config(Path.cwd()) is None
    (repo.parent / ".kdeprecate.yaml").write_text("fail-on: none\n")  # above the repo: not ours
    assert find_config(Path.cwd()) is None
    (repo / ".kdeprecate.yaml").write_text("fail-on: deprecated\n")
    assert find_config(Path.cwd()) == (repo / ".kdeprecate.yaml").resolve()
    (repo / "k8s" / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # no [tool.kdeprecate]: skipped
    assert find_config(Path.cwd()) == (repo / ".kdeprecate.yaml").resolve()
    (repo / "k8s" / "pyproject.toml").write_text("[tool.kdeprecate]\nfail-on = 'none'\n")
    assert find_config(Path.cwd()) == (repo / "k8s" / "pyproject.toml").resolve()
    assert load_config(repo / "k8s" / "pyproject.toml").get("fail-on") == "none"


def test_errors_name_the_file_and_the_key(repo: Path) -> None:
    config = repo / ".kdeprecate.yaml"
    config.write_text("fial-on: removed\n")
    with pytest.raises(ConfigError, match=r"\.kdeprecate\.yaml: unknown key 'fial-on' \(did you mean 'fail-on'\?\)"):
        load_config(config)
    config.write_text("fail-on: sometimes\n")
    with pytest.raises(ConfigError, match=r"\.kdeprecate\.yaml: fail-on: 'sometimes' is not one of"):
        load_config(config)
    config.write_text("target: 1.30\n")
    with pytest.raises(ConfigError, match=r"target: read as the number 1\.3 \(YAML drops trailing zeros"):
        load_config(config)
    config.write_text("helm: {valeus: [a.yaml]}\n")
    with pytest.raises(ConfigError, match=r"unknown key 'helm/valeus' \(did you mean 'values'\?\)"):
        load_config(config)
    config.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_config(config)
    pyproject = repo / "pyproject.toml"
    pyproject.write_text("[tool.kdeprecate]\noutput = 'pdf'\n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml: \[tool\.kdeprecate\]: output: 'pdf' is not one of"):
        load_config(pyproject)


def test_cli_reports_config_errors_in_one_line(repo: Path, cli: Cli) -> None:
    (repo / ".kdeprecate.yaml").write_text("fail_on: removed\n")
    result = cli("scan")
    assert result.code == 2
    assert result.stderr.startswith("kdeprecate: error: ") and "unknown key 'fail_on'" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_file_settings_apply_and_paths_are_relative_to_it(repo: Path, cli: Cli) -> None:
    (repo / ".kdeprecate.yaml").write_text(
        'target: "1.25"\nfail-on: deprecated\noutput: json\npaths: [k8s]\nexclude: ["vendor/"]\n')
    report = cli("scan").json()
    assert report["targets"] == {"k8s": "1.25"}
    assert {f["path"] for f in report["findings"]} == {"ingress.yaml", "cronjob.yaml"}  # cwd is k8s/
    assert cli("scan").code == 1


def test_precedence_flags_over_env_over_file(repo: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / ".kdeprecate.yaml").write_text('target: ["1.21", "cert-manager=1.5"]\nfail-on: none\noutput: json\n')
    resolved = resolve_scan_settings(**settings())  # type: ignore[arg-type]
    assert resolved.fail_on.value == "none" and resolved.fail_on.origin.endswith(".kdeprecate.yaml: fail-on")
    monkeypatch.setenv("KDEPRECATE_FAIL_ON", "deprecated")
    monkeypatch.setenv("KDEPRECATE_TARGET", "1.22")
    resolved = resolve_scan_settings(**settings())  # type: ignore[arg-type]
    assert (resolved.fail_on.value, resolved.fail_on.origin) == ("deprecated", "KDEPRECATE_FAIL_ON")
    assert set(resolved.targets.value) == {"cert-manager=1.5", "1.22"}  # per component: env replaced k8s only
    resolved = resolve_scan_settings(**settings(fail_on="removed", target=["v1.30"]))  # type: ignore[arg-type]
    assert resolved.fail_on.value == "removed"
    assert set(resolved.targets.value) == {"cert-manager=1.5", "v1.30"}
    # And end to end: the flag wins over the variable, which wins over the file.
    assert cli("scan", ".", "--target", "1.20").json()["targets"] == {"k8s": "1.20", "cert-manager": "1.5"}
    assert cli("scan", ".").json()["targets"] == {"k8s": "1.22", "cert-manager": "1.5"}
    monkeypatch.setenv("KDEPRECATE_FAIL_ON", "often")
    result = cli("scan", ".")
    assert result.code == 2 and "KDEPRECATE_FAIL_ON: must be one of removed, deprecated, none" in result.stderr


def test_explicit_and_disabled_config(repo: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / ".kdeprecate.yaml").write_text("output: json\n")
    other = repo / "ci.yaml"
    other.write_text("output: csv\n")
    assert cli("scan", ".", "--config", str(other)).stdout.startswith("path,line,column")
    assert cli("scan", ".", "--no-config").stdout.startswith("cronjob.yaml:")
    monkeypatch.setenv("KDEPRECATE_CONFIG", "none")
    assert cli("scan", ".").stdout.startswith("cronjob.yaml:")
    monkeypatch.setenv("KDEPRECATE_CONFIG", str(repo / "missing.yaml"))
    result = cli("scan", ".")
    assert result.code == 2 and "KDEPRECATE_CONFIG" in result.stderr and "no such file" in result.stderr
    assert discover(env={"KDEPRECATE_CONFIG": "none"}).path is None


def test_extra_tables_helm_values_and_output_file_from_the_file(repo: Path, cli: Cli) -> None:
    (repo / "tables").mkdir()
    (repo / "tables" / "crds.yaml").write_text(
        "schema_version: 1\napis:\n  - {api_version: example.com/v1alpha1, kind: Widget, deprecated_in: \"1.0\", "
        "removed_in: \"2.0\", replacement: example.com/v1, replacement_available_in: \"1.0\", component: widgets}\n")
    (repo / "k8s" / "widget.yaml").write_text("apiVersion: example.com/v1alpha1\nkind: Widget\nmetadata: {name: w}\n")
    (repo / ".kdeprecate.yaml").write_text(
        "extra-tables: tables/crds.yaml\ntarget: [\"1.22\", widgets=2.0]\noutput: json\noutput-file: out/r.json\n"
        "helm: {values: [values-prod.yaml], set: [replicas=2]}\nannotations: [kapp.k14s.io/original]\n")
    (repo / "values-prod.yaml").write_text("replicas: 3\n")
    resolved = resolve_scan_settings(**settings())  # type: ignore[arg-type]
    assert resolved.extra_tables.value == (os.path.join("..", "tables", "crds.yaml"),)
    assert resolved.helm_values.value == (os.path.join("..", "values-prod.yaml"),)
    assert resolved.helm_set.value == ("replicas=2",)
    assert resolved.annotations.value == ("kapp.k14s.io/original",)
    (repo / "out").mkdir()
    result = cli("scan", ".")
    assert result.code == 1
    report = json.loads((repo / "out" / "r.json").read_text())
    assert {f["kind"] for f in report["findings"]} == {"Ingress", "CronJob", "Widget"}
    assert result.stdout.splitlines()[-1].endswith("(target k8s 1.22, widgets 2.0)")


def test_every_report_format_may_be_configured() -> None:
    from pluto_py.report import REPORTERS

    schema = json.loads((REPO_ROOT / "data" / "config.schema.json").read_text())
    assert schema["properties"]["output"]["enum"] == list(REPORTERS)


def test_globs() -> None:
    assert compile_glob("vendor").match("k8s/vendor/a.yaml") and compile_glob("vendor").match("vendor")
    assert not compile_glob("/vendor").match("k8s/vendor/a.yaml")
    assert compile_glob("k8s/**/*.yaml").match("k8s/a.yaml") and compile_glob("k8s/**/*.yaml").match("k8s/x/y/a.yaml")
    assert not compile_glob("k8s/*.yaml").match("k8s/x/a.yaml")
    assert compile_glob("*.json").match("a/b/c.json") and not compile_glob("*.json").match("a/b/c.yaml")
    assert compile_glob("test?/[!x]*.yaml").match("test1/a.yaml") and not compile_glob("test?/[!x]*.yaml").match(
        "test1/x.yaml")


def test_include_and_exclude_filter_inputs(repo: Path, cli: Cli) -> None:
    chosen = PathFilter(repo, include=("k8s/*.yaml",), exclude=("cronjob.yaml",))
    assert chosen("ingress.yaml") and not chosen("cronjob.yaml") and not chosen("vendor/old.yaml")
    (repo / ".kdeprecate.yaml").write_text('include: ["k8s/**"]\nexclude: [vendor, "**/cron*"]\noutput: json\n')
    report = cli("scan", "ingress.yaml", "vendor/old.yaml", "cronjob.yaml").json()  # named files are filtered too
    assert [f["path"] for f in report["findings"]] == ["ingress.yaml"]
    assert report["summary"]["files"] == 1


def test_jsonschema_is_imported_only_when_a_config_file_exists(repo: Path) -> None:
    code = ("import sys; from pluto_py.cli import main\n"
            "try:\n    main(['scan', '.', '--target', '1.22'])\nexcept SystemExit:\n    pass\n"
            "print('jsonschema' in sys.modules, file=sys.stderr)")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    without = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert without.stderr.strip().splitlines()[-1] == "False", without.stderr
    (repo / ".kdeprecate.yaml").write_text("fail-on: removed\n")
    with_file = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert with_file.stderr.strip().splitlines()[-1] == "True"


def test_chart_templates_map_to_their_chart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chart = tmp_path / "charts" / "app"
    (chart / "templates" / "sub").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: app\nversion: 0.1.0\n")
    for name in ("templates/a.yaml", "templates/sub/b.yaml", "values.yaml"):
        (chart / name).write_text("x: 1\n")
    (tmp_path / "plain.yaml").write_text("x: 1\n")
    monkeypatch.chdir(tmp_path)
    paths, notices = map_chart_templates(
        ["plain.yaml", "charts/app/templates/a.yaml", "charts/app/templates/sub/b.yaml", "charts/app/values.yaml"],
        chart_root_of)
    assert paths == ["plain.yaml", os.path.join("charts", "app"), "charts/app/values.yaml"]
    assert [n.path for n in notices] == ["charts/app/templates/a.yaml", "charts/app/templates/sub/b.yaml"]
    assert all(n.code == "chart-template" and n.level == "info" for n in notices)
    # A directory that contains the chart is rendered whole already.
    paths, _ = map_chart_templates([".", "charts/app/templates/a.yaml"], chart_root_of)
    assert paths == ["."]
