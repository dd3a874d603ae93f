"""Files that do not parse (issue 12 point 1): a broken manifest is an error, a templated manifest is
read statically, anything else is one note; and the values files that render a chart."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pluto_py.sources.unparsable import looks_like_manifest, looks_templated
from tests.conftest import CliResult

Cli = Callable[..., CliResult]

NOT_MANIFESTS = {
    "tsconfig.json": '{\n  // TypeScript allows comments\n  "compilerOptions": {"strict": true,},\n}\n',
    ".vscode/settings.json": '{\n  /* editor */ "yaml.schemas": {"kubernetes": "*.yaml"},\n}\n',
    ".devcontainer.json": '{\n  "name": "dev", // trailing comment\n  "image": "python:3.12"\n}\n',
    "playbook.yml": "- hosts: all\n  tasks:\n    - name: deploy\n      template: src={{ item }}\n"
                    "{% for host in groups.web %}\n    - debug: msg={{ host }}\n{% endfor %}\n",
    "goreleaser.yaml": "builds:\n  - ldflags: -X main.version={{.Version}}\n    env: [{{ .Env.GOOS }}]\n",
    "templates/_helpers.tpl": '{{- define "app.name" -}}\n{{ .Chart.Name }}\n{{- end -}}\n',
}
TEMPLATED_INGRESS = """\
apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: {{ .Values.name }}
spec:
  rules:
{{- range .Values.hosts }}
  - host: {{ . }}
{{- end }}
---
{% if legacy %}
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: web
{% endif %}
"""


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_files_that_are_no_manifests_are_one_note_each_never_an_error(cli: Cli, tree: Path) -> None:
    write(tree, NOT_MANIFESTS)
    result = cli("scan", *NOT_MANIFESTS, "--no-config", "--target", "1.25", "-o", "json")
    assert result.code == 0, result.stderr
    report = result.json()
    assert report["errors"] == [] and report["findings"] == []
    notes = [n for n in report["notices"] if n["code"] == "not-a-manifest"]
    assert sorted(n["path"] for n in notes) == sorted(NOT_MANIFESTS)
    assert all(n["level"] == "info" for n in notes)
    # Walking a directory gives the same verdicts (the test is in the scan, not only in the hook).
    walked = cli("scan", ".", "--no-config", "--target", "1.25", "-o", "json").json()
    assert walked["errors"] == []
    assert sorted(n["path"] for n in walked["notices"]) == sorted(
        name for name in NOT_MANIFESTS if not name.endswith(".tpl"))  # a walk reads .yaml/.yml/.json only


def test_a_broken_manifest_is_still_an_error(cli: Cli, tree: Path) -> None:
    write(tree, {"broken.yaml": "apiVersion: v1\nkind: ConfigMap\ndata: [unclosed\n",
                 "broken.json": '{"apiVersion": "v1", "kind": "ConfigMap", // no\n}\n',
                 "flow.yaml": "{apiVersion: v1, kind: ConfigMap, data: [}\n"})
    result = cli("scan", ".", "--no-config", "--target", "1.25", "-o", "json")
    assert result.code == 2
    assert sorted(e["path"] for e in result.json()["errors"]) == ["broken.json", "broken.yaml", "flow.yaml"]
    assert result.json()["notices"] == []


def test_what_is_piped_in_must_parse(cli: Cli) -> None:
    result = cli("scan", "-", "--no-config", "--target", "1.25", stdin=b"Error: [chart not found\n")
    assert result.code == 2 and "kdeprecate: error: -:" in result.stderr and result.json is not None
    assert "not-a-manifest" not in result.stdout


def test_a_templated_manifest_is_read_statically(cli: Cli, tree: Path) -> None:
    write(tree, {"deploy/ingress.yaml.tmpl": TEMPLATED_INGRESS})
    result = cli("scan", "deploy/ingress.yaml.tmpl", "--no-config", "--target", "1.25", "-o", "json")
    assert result.code == 1, result.stderr
    report = result.json()
    found = [(f["line"], f["column"], f["kind"], f["status"], f["source"], f["fixable"], f["context"])
             for f in report["findings"]]
    assert found == [
        (1, 13, "Ingress", "removed", "template", False, {"engine": "static"}),
        (12, 13, "PodDisruptionBudget", "removed", "template", False, {"engine": "static"}),
    ]
    assert [n["code"] for n in report["notices"]] == ["manifest-template"]
    assert "2 objects with a literal apiVersion and kind" in report["notices"][0]["message"]


def test_templated_text_that_parses_is_scanned_as_yaml(cli: Cli, tree: Path) -> None:
    # Prometheus rules hold Go templates in strings: valid YAML, scanned as usual, no note.
    write(tree, {"rules.yaml": 'apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: x\n'
                               '  annotations:\n    summary: "{{ $labels.instance }} is down"\n'})
    result = cli("scan", "rules.yaml", "--no-config", "--target", "1.25", "-o", "json").json()
    assert [f["source"] for f in result["findings"]] == ["file"] and result["notices"] == []


manifest = st.fixed_dictionaries({
    "apiVersion": st.sampled_from(["v1", "apps/v1", "extensions/v1beta1", "example.com/v1alpha1"]),
    "kind": st.sampled_from(["ConfigMap", "Deployment", "Ingress", "Widget"]),
    "metadata": st.fixed_dictionaries({"name": st.sampled_from(["web", "a-b", "x1"])}),
}, optional={"spec": st.dictionaries(st.sampled_from(["replicas", "a", "b"]), st.integers(0, 9), max_size=2)})


@settings(max_examples=60, deadline=None)
@given(manifest, st.sampled_from(["yaml", "json", "flow"]))
def test_every_manifest_looks_like_one(document: dict[str, object], style: str) -> None:
    """The textual test never calls a real manifest 'not a manifest', however it is written."""
    if style == "json":
        text = json.dumps(document, indent=2)
    elif style == "flow":
        text = yaml.safe_dump(document, default_flow_style=True)
    else:
        text = yaml.safe_dump(document, default_flow_style=False)
    assert looks_like_manifest(text)


def test_the_textual_tests() -> None:
    assert not looks_like_manifest("items:\n  - apiVersion: v1\n    kind: Pod\n")  # not at the top level
    assert not looks_like_manifest("apiVersion: 1\n")  # no kind
    assert looks_like_manifest("'apiVersion': v1\n\"kind\": Pod\n")
    assert looks_templated("a: {{ .x }}\n") and looks_templated("{% if x %}\n") and not looks_templated("a: {b: 1}\n")


CHART_FILES = {
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "charts/web/values.yaml": "ingress: false\n",
    "charts/web/values-prod.yaml": "ingress: true\n",
    "charts/web/templates/ingress.yaml": "{{- if .Values.ingress }}\napiVersion: extensions/v1beta1\nkind: Ingress\n"
                                        "metadata:\n  name: web\nspec: {}\n{{- end }}\n",
    "charts/web/templates/pdb.yaml": "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n"
                                     "  name: web\nspec:\n  minAvailable: 1\n",
}


def chart_findings(result: CliResult) -> list[tuple[str, str, str | None]]:
    assert result.code in (0, 1), result.stderr
    return sorted((f["path"], f["kind"], f["context"].get("values")) for f in result.json()["findings"])


@pytest.fixture
def sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KDEPRECATE_HELM_ENGINE", "helm-python-sdk")  # renders values, as helm does


def test_a_values_file_of_a_chart_renders_the_chart_with_it(cli: Cli, tree: Path, sdk: None) -> None:
    write(tree, CHART_FILES)
    defaults = cli("scan", "charts/web", "--no-config", "--target", "1.25", "-o", "json")
    assert chart_findings(defaults) == [("charts/web/templates/pdb.yaml", "PodDisruptionBudget", None)]
    prod = cli("scan", "charts/web/values-prod.yaml", "--no-config", "--target", "1.25", "-o", "json")
    # The defaults render once, the prod render adds only what it changes.
    assert chart_findings(prod) == [
        ("charts/web/templates/ingress.yaml", "Ingress", "charts/web/values-prod.yaml"),
        ("charts/web/templates/pdb.yaml", "PodDisruptionBudget", None)]
    assert [n["message"] for n in prod.json()["notices"]] == [
        "a values file of the Helm chart charts/web: the chart is rendered with it"]
    text = cli("scan", "charts/web/values-prod.yaml", "--no-config", "--target", "1.25").stdout
    assert "charts/web/templates/ingress.yaml:2:13 [with charts/web/values-prod.yaml]: removed:" in text


def test_the_configuration_names_a_charts_values_files(cli: Cli, tree: Path, sdk: None) -> None:
    write(tree, {**CHART_FILES, "envs/prod.yaml": "ingress: true\n",
                 ".kdeprecate.yaml": "charts:\n  charts/web: [values.yaml, [values.yaml, ../../envs/prod.yaml]]\n"})
    result = cli("scan", "charts/web", "--target", "1.25", "-o", "json")
    assert chart_findings(result) == [
        ("charts/web/templates/ingress.yaml", "Ingress", "charts/web/values.yaml, envs/prod.yaml"),
        ("charts/web/templates/pdb.yaml", "PodDisruptionBudget", "charts/web/values.yaml")]
    # A template change handed in by pre-commit renders the configured sets too.
    assert chart_findings(cli("scan", "charts/web/templates/pdb.yaml", "--target", "1.25", "-o", "json")) == \
        chart_findings(result)
    write(tree, {".kdeprecate.yaml": "charts:\n  charts/web: [values-staging.yaml]\n"})
    missing = cli("scan", "charts/web", "--target", "1.25")
    assert missing.code == 2
    assert "charts: charts/web: values-staging.yaml: no such values file (charts/web/values-staging.yaml)" in \
        missing.stderr
    write(tree, {".kdeprecate.yaml": "charts:\n  charts: [values.yaml]\n"})
    assert "charts: charts: not a chart" in cli("scan", "charts/web", "--target", "1.25").stderr


def test_fix_skips_what_is_no_manifest_and_reports_templates(cli: Cli, tree: Path) -> None:
    write(tree, {**NOT_MANIFESTS, "deploy/ingress.yaml": TEMPLATED_INGRESS})
    nothing = cli("fix", *NOT_MANIFESTS, "--no-config", "--target", "1.25", "--check")
    assert (nothing.code, nothing.stderr) == (0, "")
    template = cli("fix", "deploy/ingress.yaml", "--no-config", "--target", "1.25")
    assert template.code == 1  # something to change, by hand: the file is a template
    assert "deploy/ingress.yaml:1: Ingress/<unnamed>: a template, not rewritten: change extensions/v1beta1 → " \
           "networking.k8s.io/v1" in template.stderr
    assert (tree / "deploy/ingress.yaml").read_text() == TEMPLATED_INGRESS
