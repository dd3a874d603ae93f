"""Helm charts rendered for the target: the real engine at two targets, values, the fallbacks."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pluto_py.core.model import Document, ScanError
from pluto_py.core.versions import parse_version
from pluto_py.sources import SourceRequest
from pluto_py.sources.files import ChartInput
from pluto_py.sources.helm import (
    ENGINE_ENV,
    ENGINE_SDK,
    ENGINE_STATIC,
    ChartRenderer,
    locate_api_version,
    served_apis,
    split_helm_output,
    static_render_hint,
)
from tests.conftest import FIXTURES, REPO_ROOT, CliResult

Cli = Callable[..., CliResult]
CHART = "fixtures/charts/shop"


def _sdk_available() -> bool:
    try:
        import helm_python  # noqa: F401
    except Exception:
        return False
    return True


# CI installs the `helm` extra (through `test`): there, a missing engine is a failure, not a skip.
if not _sdk_available() and os.environ.get("CI"):
    raise RuntimeError("helm-python-sdk is not installed: pip install -e '.[test]' installs it")
needs_sdk = pytest.mark.skipif(not _sdk_available(), reason="helm-python-sdk not installed (pip install '.[helm]')")


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.delenv(ENGINE_ENV, raising=False)


def findings(result: CliResult) -> list[tuple[int, str, str | None, str, str | None]]:
    return [(f["line"], f["kind"], f["name"], f["status"], f["template"]) for f in result.json()["findings"]]


def render(target: str, engine: str, **options: Any) -> list[Document | ScanError]:
    renderer = ChartRenderer(engine=engine)
    return list(renderer(ChartInput(Path(CHART), CHART), SourceRequest(target=target, **options)))


def api_versions_by_template(items: list[Document | ScanError]) -> dict[str, list[str]]:
    by_template: dict[str, list[str]] = {}
    for item in items:
        assert isinstance(item, Document), item
        by_template.setdefault(str(item.template), []).append(item.data["apiVersion"])
    return by_template


# --- the real engine at two targets -------------------------------------------------------------

AT_1_25 = [
    (1, "PodDisruptionBudget", "release-name-redis", "removed", "shop/charts/redis/templates/pdb.yaml"),
    (2, "CustomResourceDefinition", "widgets.shop.example.com", "removed", "shop/crds/widgets.yaml"),
    (3, "PodSecurityPolicy", "release-name-shop-migrate", "removed", "shop/templates/hooks/migrate.yaml"),
    (2, "HorizontalPodAutoscaler", "release-name-shop", "deprecated", "shop/templates/hpa.yaml"),
]
AT_1_18 = [
    (2, "CustomResourceDefinition", "widgets.shop.example.com", "deprecated", "shop/crds/widgets.yaml"),
    (5, "Ingress", "release-name-shop", "deprecated", "shop/templates/ingress.yaml"),
]


@needs_sdk
def test_chart_rendered_for_1_25_reports_what_a_1_25_cluster_gets(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_ENV, ENGINE_SDK)
    result = cli("scan", CHART, "--target", "1.25", "-o", "json")
    assert result.code == 1, result.stderr
    assert result.stderr == ""
    assert findings(result) == AT_1_25
    report = result.json()
    assert report["summary"] == {"files": 1, "documents": 11, "removed": 3, "deprecated": 1, "errors": 0,
                                 "suppressed": 0, "unsupported": 0}
    hook = report["findings"][2]
    # The finding points at the template file (editors and code scanning open path:line); the chart is in context.
    assert (hook["path"], hook["column"], hook["source"], hook["fixable"]) == (
        f"{CHART}/templates/hooks/migrate.yaml", 13, "helm-template", False)
    assert hook["context"] == {"chart": CHART, "engine": ENGINE_SDK, "line_in": "template",
                               "template_file": "fixtures/charts/shop/templates/hooks/migrate.yaml"}


@needs_sdk
def test_chart_rendered_for_1_18_reports_the_1_18_rendering(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_ENV, ENGINE_SDK)
    result = cli("scan", CHART, "--target", "1.18", "-o", "json")
    assert result.code == 0, result.stderr  # deprecated only: below the default fail level
    assert findings(result) == AT_1_18


@needs_sdk
def test_capabilities_branches_resolve_as_on_the_target() -> None:
    old = api_versions_by_template(render("1.18", ENGINE_SDK))
    new = api_versions_by_template(render("1.25", ENGINE_SDK))
    # semverCompare ">=1.21-0" .Capabilities.KubeVersion.GitVersion
    assert (old["shop/templates/cronjob.yaml"], new["shop/templates/cronjob.yaml"]) == (["batch/v1beta1"], ["batch/v1"])
    # .Capabilities.APIVersions.Has "policy/v1/PodDisruptionBudget"
    assert (old["shop/templates/pdb.yaml"], new["shop/templates/pdb.yaml"]) == (["policy/v1beta1"], ["policy/v1"])
    assert api_versions_by_template(render("1.21", ENGINE_SDK))["shop/templates/pdb.yaml"] == ["policy/v1"]
    assert (old["shop/templates/ingress.yaml"], new["shop/templates/ingress.yaml"]) == (
        ["extensions/v1beta1"], ["networking.k8s.io/v1"])
    # subchart, hooks (two objects in one template) and crds/ are all there; NOTES.txt and partials are not
    assert sorted(new) == [
        "shop/charts/redis/templates/pdb.yaml", "shop/charts/redis/templates/statefulset.yaml",
        "shop/crds/widgets.yaml", "shop/templates/cronjob.yaml", "shop/templates/deployment.yaml",
        "shop/templates/hooks/migrate.yaml", "shop/templates/hpa.yaml", "shop/templates/ingress.yaml",
        "shop/templates/pdb.yaml", "shop/templates/service.yaml"]
    assert new["shop/templates/hooks/migrate.yaml"] == ["policy/v1beta1", "batch/v1"]


@needs_sdk
def test_values_files_and_set_apply_like_helm(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_ENV, ENGINE_SDK)
    result = cli("scan", CHART, "--target", "1.25", "-o", "json", "-f", "fixtures/charts/values-prod.yaml",
                 "--set", "podSecurityPolicy.enabled=false")
    assert result.code == 1, result.stderr
    # values-prod.yaml disables the redis subchart, --set drops the PSP hook
    assert findings(result) == [AT_1_25[1], AT_1_25[3]]
    later_wins = cli("scan", CHART, "--target", "1.25", "-o", "json", "-f", "fixtures/charts/values-prod.yaml",
                     "--set", "redis.enabled=true")
    assert findings(later_wins) == AT_1_25


@needs_sdk
def test_template_lines_point_into_the_template_files() -> None:
    items = render("1.18", ENGINE_SDK)
    lines = {(d.template, d.data["kind"]): d.position(("apiVersion",)) for d in items if isinstance(d, Document)}
    assert lines[("shop/templates/cronjob.yaml", "CronJob")] == (4, 13)  # the else branch
    assert lines[("shop/templates/hooks/migrate.yaml", "Job")] == (20, 13)  # second object of a template
    source = (FIXTURES / "charts/shop/templates/cronjob.yaml").read_text().splitlines()
    assert source[3] == "apiVersion: batch/v1beta1"


@needs_sdk
def test_render_errors_are_scan_errors_with_the_chart_path(tmp_path: Path, cli: Cli,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_ENV, ENGINE_SDK)
    chart = tmp_path / "broken"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: broken\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.x.y }}\n")
    result = cli("scan", str(chart), "--target", "1.25", "-o", "json")
    assert result.code == 2
    [error] = result.json()["errors"]
    assert error["path"] == str(chart) and "helm rendering failed" in error["message"]
    assert "Traceback" not in result.stderr


def test_bad_values_options_are_usage_errors(cli: Cli) -> None:
    missing = cli("scan", CHART, "-f", "no-such-values.yaml")
    assert (missing.code, missing.stderr.strip()) == (
        2, "kdeprecate: error: --values no-such-values.yaml: no such file")
    bad_set = cli("scan", CHART, "--set", "justakey")
    assert (bad_set.code, bad_set.stderr.strip()) == (2, "kdeprecate: error: --set 'justakey': expected key=value")


def test_unknown_engine_is_a_usage_error(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_ENV, "tiller")
    result = cli("scan", CHART)
    assert result.code == 2 and "unknown helm engine 'tiller'" in result.stderr


# --- the static fallback ------------------------------------------------------------------------


def test_static_fallback_marks_conditional_findings_and_warns(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_ENV, ENGINE_STATIC)
    result = cli("scan", CHART, "--target", "1.25", "-o", "json")
    assert result.code == 1
    assert result.stderr.startswith("kdeprecate: warning: fixtures/charts/shop: rendered statically, without a Helm "
                                    "engine")
    got = [(f["line"], f["kind"], f["status"], f["template"], f["context"].get("conditional"))
           for f in result.json()["findings"]]
    assert got == [
        (4, "CronJob", "removed", "shop/templates/cronjob.yaml", "true"),
        (3, "PodSecurityPolicy", "removed", "shop/templates/hooks/migrate.yaml", "true"),
        (2, "HorizontalPodAutoscaler", "deprecated", "shop/templates/hpa.yaml", "true"),
        (5, "Ingress", "removed", "shop/templates/ingress.yaml", "true"),
        (4, "PodDisruptionBudget", "removed", "shop/templates/pdb.yaml", "true"),
        (2, "CustomResourceDefinition", "removed", "shop/crds/widgets.yaml", None),
        # a subchart with `condition: redis.enabled`
        (1, "PodDisruptionBudget", "removed", "shop/charts/redis/templates/pdb.yaml", "true"),
    ]
    assert {f["context"]["engine"] for f in result.json()["findings"]} == {ENGINE_STATIC}
    assert result.json()["errors"] == []


def test_no_engine_at_all_falls_back_to_static(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setitem(sys.modules, "helm_python", None)  # import fails as if not installed
    renderer = ChartRenderer()
    items = list(renderer(ChartInput(Path(CHART), CHART), SourceRequest(target="1.25")))
    assert all(isinstance(item, Document) for item in items)
    assert renderer.engines_used == {CHART: ENGINE_STATIC}
    warning, hint = renderer.warnings
    assert "helm: no `helm` on PATH" in warning and "helm-python-sdk: helm-python-sdk cannot be used" in warning
    assert hint == static_render_hint()


# --- the helm binary (a stand-in that records its arguments) --------------------------------------


def test_helm_binary_gets_target_api_versions_values_and_crds(tmp_path: Path) -> None:
    output = (FIXTURES / "helm" / "shop-1.18.yaml").read_text()
    (tmp_path / "out.yaml").write_text(output)
    fake = tmp_path / "helm"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {tmp_path}/args\ncat {tmp_path}/out.yaml\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    renderer = ChartRenderer(engine="helm", helm_binary=str(fake))
    items = list(renderer(ChartInput(Path(CHART), CHART), SourceRequest(
        target="1.18", helm_values=("fixtures/charts/values-prod.yaml",), helm_set=("a=b",))))
    args = (tmp_path / "args").read_text().splitlines()
    assert args[:9] == ["template", "release-name", CHART, "--namespace", "default", "--kube-version", "v1.18.0",
                        "--include-crds", "--api-versions"]
    served = args[9].split(",")
    assert "policy/v1beta1/PodDisruptionBudget" in served and "policy/v1/PodDisruptionBudget" not in served
    assert "batch/v1beta1" in served and "networking.k8s.io/v1/Ingress" not in served
    assert args[10:] == ["--values", "fixtures/charts/values-prod.yaml", "--set", "a=b"]
    docs = [d for d in items if isinstance(d, Document)]
    assert len(docs) == 11 and renderer.engines_used == {CHART: "helm"}
    pdb = next(d for d in docs if d.template == "shop/templates/pdb.yaml")
    assert (pdb.data["apiVersion"], pdb.position(("apiVersion",)), pdb.context["engine"]) == (
        "policy/v1beta1", (4, 13), "helm")


def test_helm_binary_failure_is_one_scan_error(tmp_path: Path) -> None:
    fake = tmp_path / "helm"
    fake.write_text('#!/bin/sh\necho "Error: template: shop/templates/x.yaml:3: nil pointer" >&2\nexit 1\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    items = list(ChartRenderer(engine="helm", helm_binary=str(fake))(ChartInput(Path(CHART), CHART),
                                                                      SourceRequest(target="1.25")))
    assert items == [ScanError(CHART, None, "helm template failed: Error: template: shop/templates/x.yaml:3: nil "
                                            "pointer")]


# --- served APIs, helpers -------------------------------------------------------------------------


def test_served_apis_hold_group_versions_and_kinds_of_the_target() -> None:
    old, new = served_apis(parse_version("1.18")), served_apis(parse_version("1.25"))
    assert "policy/v1beta1" in old.api_versions and "policy/v1beta1/PodDisruptionBudget" in old.api_versions
    assert "policy/v1/PodDisruptionBudget" not in old.api_versions
    assert "policy/v1/PodDisruptionBudget" in new.api_versions and "policy/v1beta1" not in new.api_versions
    assert "v1/ConfigMap" in new.api_versions and "v1" in new.api_versions
    assert old.note is None and new.release == parse_version("1.25")
    future = served_apis(parse_version("1.99"))
    assert future.note is not None and future.release < parse_version("1.99")


def test_locate_api_version_prefers_the_literal_line() -> None:
    source = '{{- if x }}\napiVersion: batch/v1\n{{- else }}\napiVersion: "batch/v1beta1"\n{{- end }}\n'
    assert locate_api_version(source, "batch/v1beta1", 0) == (4, 13)
    assert locate_api_version(source, "batch/v1", 0) == (2, 13)
    assert locate_api_version("apiVersion: {{ include \"x\" . }}\n", "apps/v1", 0) == (1, 13)
    assert locate_api_version("kind: X\n", "apps/v1", 0) is None


def test_split_helm_output_groups_documents_by_template() -> None:
    text = ("---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: A\n"
            "---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: B\n"
            "---\n# Source: c/templates/b.yaml\napiVersion: v1\nkind: C\n")
    assert split_helm_output(text) == {
        "c/templates/a.yaml": "apiVersion: v1\nkind: A\n\n---\napiVersion: v1\nkind: B\n",
        "c/templates/b.yaml": "apiVersion: v1\nkind: C\n"}


def test_chart_templates_are_never_parse_errors(cli: Cli) -> None:
    result = cli("scan", "fixtures/charts", "--target", "1.25", "-o", "json")
    assert result.json()["errors"] == []
    assert {f["context"]["chart"] for f in result.json()["findings"]} == {CHART}
    assert all(f["path"].startswith(f"{CHART}/") and Path(f["path"]).is_file() for f in result.json()["findings"])
