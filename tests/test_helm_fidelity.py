"""The chart renderer agrees with Helm at the target (issue 11): missing dependencies and an
incompatible kubeVersion are refused as Helm refuses them, Helm 2 crd-install hooks are dropped as
Helm 3/4 drop them. Helm's own engine (helm-python-sdk) is the reference."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pluto_py.sources.helm_checks import ConstraintError, constraint_allows, kube_version_refusal
from tests.conftest import CliResult

Cli = Callable[..., CliResult]
ENGINES = ("helm-python-sdk", "static")
PDB = ("apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: {name}\n{extra}"
       "spec:\n  minAvailable: 1\n")


def _chart(root: Path, chart_yaml: str = "", templates: dict[str, str] | None = None) -> Path:
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text(f"apiVersion: v2\nname: {root.name}\nversion: 0.1.0\n{chart_yaml}")
    for name, text in (templates or {"pdb.yaml": PDB.format(name="web", extra="")}).items():
        (root / "templates" / name).write_text(text)
    return root


def _sdk_semver(constraints: list[str], kube_version: str) -> list[bool]:
    """Helm's own Masterminds semver (semverCompare in a template), one render for many constraints."""
    import helm_python
    from helm_python import _native

    body = "".join(f'c{i}: {{{{ semverCompare {json.dumps(c)} .Capabilities.KubeVersion.Version | quote }}}}\n'
                   for i, c in enumerate(constraints))
    options = {"name": "r", "namespace": "d", "is_install": True, "kube_version": kube_version, "api_versions": []}
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        chart = _chart(Path(scratch) / "probe", templates={"cm.yaml": body})
        with helm_python.Chart.load(chart) as loaded:
            out = json.loads(_native.call_string("helm_render", loaded._raw(), "{}", json.dumps(options)))
    rendered = out["probe/templates/cm.yaml"]
    values = dict(line.split(": ", 1) for line in rendered.splitlines())
    return [values[f"c{i}"] == '"true"' for i in range(len(constraints))]


_part = st.sampled_from(["0", "1", "2", "15", "16", "19", "20", "25", "26", "30", "x", "*", "X"])
_version = st.builds(lambda v, a, b, c, pre: f"{v}{a}" + (f".{b}" if b else "") + (f".{c}" if b and c else "") + pre,
                     st.sampled_from(["", "v"]), st.sampled_from(["0", "1", "2", "x", "*"]),
                     st.one_of(st.none(), _part), st.one_of(st.none(), _part), st.sampled_from(["", "-0", "-rc.1"]))
_one = st.builds(lambda op, space, v: f"{op}{space}{v}",
                 st.sampled_from(["", "=", "!=", ">", "<", ">=", "=>", "<=", "=<", "~", "~>", "^"]),
                 st.sampled_from(["", " "]), _version)
_group = st.lists(_one, min_size=1, max_size=3).flatmap(
    lambda parts: st.sampled_from([", ", " ", ","]).map(lambda sep: sep.join(parts)))
_hyphen = st.builds(lambda a, b: f"{a} - {b}", _version, _version)
constraints = st.lists(st.one_of(_group, _hyphen), min_size=1, max_size=2).map(" || ".join)


@settings(max_examples=12, deadline=None)
@given(st.lists(constraints, min_size=20, max_size=40), st.sampled_from(["v1.16.0", "v1.25.0", "v1.30.0", "v2.0.0"]))
def test_kube_version_constraints_agree_with_helms_semver(batch: list[str], kube_version: str) -> None:
    assert [constraint_allows(c, kube_version) for c in batch] == _sdk_semver(batch, kube_version)


@pytest.mark.parametrize(("constraint", "allowed_at_1_25"), [
    (">=1.19.0-0", True), (">= 1.16.0-0 < 1.25.0-0", False), ("^1.20.0-0", True), ("~1.25", True),
    ("<1.22", False), ("1.25.x", True), ("1.24 - 1.26", True), (">=1.26.0-0 || <1.20", False), ("", True),
])
def test_common_chart_constraints(constraint: str, allowed_at_1_25: bool) -> None:
    assert constraint_allows(constraint, "v1.25.0") is allowed_at_1_25
    assert _sdk_semver([constraint] if constraint else ["*"], "v1.25.0") == [allowed_at_1_25]


def test_an_unparsable_constraint_is_incompatible_as_in_helm(tmp_path: Path) -> None:
    with pytest.raises(ConstraintError):
        constraint_allows(">= one", "v1.25.0")
    chart = _chart(tmp_path / "c", 'kubeVersion: ">= one"\n')
    assert kube_version_refusal(chart, "v1.25.0") == \
        "chart requires kubeVersion: >= one which is incompatible with Kubernetes v1.25.0"


def test_kube_version_refusal_is_worded_as_helm_words_it(tmp_path: Path) -> None:
    import helm_python

    chart = _chart(tmp_path / "c", 'kubeVersion: "<1.20.0-0"\n')
    config = helm_python.Config(storage_driver="memory", kube_apiserver="http://127.0.0.1:1")
    with pytest.raises(helm_python.HelmError) as refused:
        config.install(str(chart), "r", dry_run="client")  # the SDK's client-only install: v1.36.0
    assert kube_version_refusal(chart, "v1.36.0") == str(refused.value).strip()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_chart_refused_at_the_target_fails_the_gate(engine: str, tmp_path: Path, cli: Cli,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KDEPRECATE_HELM_ENGINE", engine)
    chart = _chart(tmp_path / "web", 'kubeVersion: ">=1.26.0-0"\n')
    refused = cli("scan", str(chart), "-t", "1.25", "-o", "json")
    assert refused.code == 2 and refused.json()["findings"] == []
    assert [e["message"] for e in refused.json()["errors"]] == [
        "chart requires kubeVersion: >=1.26.0-0 which is incompatible with Kubernetes v1.25.0"]
    accepted = cli("scan", str(chart), "-t", "1.26", "-o", "json")  # rendered there: its removed PDB is found
    assert accepted.code == 1 and accepted.json()["errors"] == [] and len(accepted.json()["findings"]) == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_dependencies_are_an_error_with_the_hint(engine: str, tmp_path: Path, cli: Cli,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import helm_python

    monkeypatch.setenv("KDEPRECATE_HELM_ENGINE", engine)
    deps = ("dependencies:\n  - {name: redis, version: 1.0.0, repository: https://example.com}\n"
            "  - {name: cache, version: 1.0.0, repository: https://example.com, condition: cache.enabled}\n")
    chart = _chart(tmp_path / "web", deps)
    result = cli("scan", str(chart), "-t", "1.25", "-o", "json")
    assert result.code == 2
    (error,) = result.json()["errors"]
    assert error["message"] == ("chart dependencies are missing: found in Chart.yaml, but missing in charts/ "
                                "directory: redis, cache (run `helm dependency build`)")
    config = helm_python.Config(storage_driver="memory", kube_apiserver="http://127.0.0.1:1")
    with pytest.raises(helm_python.HelmError, match="missing in charts/ directory: redis, cache"):
        config.install(str(chart), "r", dry_run="client")

    # Vendored under another folder name, or packaged: Helm matches the chart's own name.
    _chart(chart / "charts" / "redis-vendored").joinpath("Chart.yaml").write_text(
        "apiVersion: v2\nname: redis\nversion: 1.0.0\n")
    _package(chart / "charts" / "cache-1.0.0.tgz", "cache")
    found = cli("scan", str(chart), "-t", "1.25", "-o", "json")
    assert found.json()["errors"] == [] and found.code == 1
    config.install(str(chart), "r", dry_run="client")  # Helm renders it too


def _package(archive: Path, name: str) -> None:
    with tarfile.open(archive, "w:gz") as tar:
        for member, text in ((f"{name}/Chart.yaml", f"apiVersion: v2\nname: {name}\nversion: 1.0.0\n"),
                             (f"{name}/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")):
            data = text.encode()
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


HOOKS = {
    "crd.yaml": PDB.format(name="crd-hook", extra="  annotations:\n    helm.sh/hook: crd-install\n"),
    "mixed.yaml": PDB.format(name="mixed-hook",
                             extra="  annotations:\n    \"helm.sh/hook\": pre-install, crd-install\n"),
    "test.yaml": PDB.format(name="test-hook", extra="  annotations:\n    helm.sh/hook: test-success\n"),
    "plain.yaml": PDB.format(name="plain", extra=""),
}


@pytest.mark.parametrize("engine", ENGINES)
def test_helm_2_crd_install_hooks_are_dropped_as_helm_3_drops_them(engine: str, tmp_path: Path, cli: Cli,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KDEPRECATE_HELM_ENGINE", engine)
    chart = _chart(tmp_path / "web", templates=HOOKS)
    result = cli("scan", str(chart), "-t", "1.25", "-o", "json")
    assert sorted(f["name"] for f in result.json()["findings"]) == ["plain", "test-hook"]


# ---------------------------------------------------------------- served APIs at 1.16 and 1.17

WORKLOAD_BETAS = [("apps/v1beta1", k) for k in ("Deployment", "StatefulSet")] + \
    [("apps/v1beta2", k) for k in ("DaemonSet", "Deployment", "ReplicaSet", "StatefulSet")] + \
    [("extensions/v1beta1", k) for k in ("DaemonSet", "Deployment", "ReplicaSet", "NetworkPolicy",
                                         "PodSecurityPolicy")]


def test_the_workload_betas_are_not_served_from_1_16() -> None:
    from pluto_py.core.served import load_served
    from pluto_py.core.versions import parse_version

    served = load_served()
    assert served is not None
    for release in ("1.16", "1.17"):
        offered = set(served.api_versions_at(parse_version(release)))
        assert not [f"{a}/{k}" for a, k in WORKLOAD_BETAS if f"{a}/{k}" in offered], release
        assert "extensions/v1beta1/Ingress" in offered and "apps/v1/Deployment" in offered
    assert {f"{a}/{k}" for a, k in WORKLOAD_BETAS} <= set(served.api_versions_at(parse_version("1.15")))


@pytest.mark.parametrize("engine", ["helm-python-sdk", "static"])
def test_a_chart_branching_on_the_served_workload_api_renders_apps_v1_at_1_16(
        engine: str, tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KDEPRECATE_HELM_ENGINE", engine)
    template = ('{{- if .Capabilities.APIVersions.Has "apps/v1beta2/Deployment" }}\napiVersion: apps/v1beta2\n'
                '{{- else }}\napiVersion: apps/v1\n{{- end }}\nkind: Deployment\nmetadata:\n  name: web\n')
    chart = _chart(tmp_path / "web", templates={"deploy.yaml": template})
    result = cli("scan", str(chart), "-t", "1.16", "-o", "json")
    if engine == "static":  # a literal in a branch: found, and marked as maybe not rendered
        assert [f["context"].get("conditional") for f in result.json()["findings"]] == ["true"]
    else:
        assert result.code == 0 and result.json()["findings"] == []


def test_the_generator_drops_what_the_spec_lists_but_the_server_does_not_serve() -> None:
    from tests.test_table import _script

    module = _script("served_apis")
    kinds = frozenset({("apps/v1beta2", "Deployment"), ("apps/v1beta1", "Scale"), ("extensions/v1beta1", "Ingress"),
                       ("extensions/v1beta1", "Deployment")})
    releases = {r: module.ReleaseKinds(r, kinds, "test", False) for r in ((1, 15), (1, 16), (1, 17))}
    kept = module.drop_not_served(releases)
    assert kept[(1, 15)].kinds == kinds
    assert kept[(1, 16)].kinds == kept[(1, 17)].kinds == {("extensions/v1beta1", "Ingress")}
    assert module.render(kept, "test").count("not served from 1.16") == len(module.NOT_SERVED_BY_DEFAULT)


# ---------------------------------------------------------------- lines of chart findings

TWO_PDBS = """\
{{- if .Values.legacy }}
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: legacy-pdb
spec:
  maxUnavailable: 1
{{- end }}
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: {{ .Release.Name }}-pdb
spec:
  minAvailable: 1
"""


@pytest.mark.parametrize(("legacy", "lines"), [("false", [10]), ("true", [2, 10])])
def test_a_line_in_a_branch_not_taken_is_never_the_findings_line(legacy: str, lines: list[int], tmp_path: Path,
                                                                  cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KDEPRECATE_HELM_ENGINE", "helm-python-sdk")
    chart = _chart(tmp_path / "web", templates={"pdb.yaml": TWO_PDBS})
    result = cli("scan", str(chart), "-t", "1.25", "--set", f"legacy={legacy}", "-o", "json")
    found = result.json()["findings"]
    assert [f["line"] for f in found] == lines
    assert {f["context"]["line_in"] for f in found} == {"template"}


def test_rendered_output_lines_are_said_to_be_so_in_text(tmp_path: Path, cli: Cli,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KDEPRECATE_HELM_ENGINE", "helm-python-sdk")
    crd = ("apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nmetadata:\n"
           "  name: widgets.example.com\nspec:\n  group: example.com\n  version: v1\n"
           "  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n")
    chart = _chart(tmp_path / "web", templates={"crd.yaml": '{{ .Files.Get "files/crd.yaml" }}\n'})
    (chart / "files").mkdir()
    (chart / "files" / "crd.yaml").write_text(crd)
    sub = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: sub\nspec:\n  minAvailable: 1\n"
    (chart / "charts").mkdir()
    with tarfile.open(chart / "charts" / "sub-1.0.0.tgz", "w:gz") as tar:
        for member, text in (("sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 1.0.0\n"),
                             ("sub/templates/pdb.yaml", sub)):
            data = text.encode()
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    as_json = cli("scan", str(chart), "-t", "1.25", "-o", "json").json()["findings"]
    assert sorted((f["template"], f["context"]["line_in"]) for f in as_json) == [
        ("web/charts/sub/templates/pdb.yaml", "rendered"), ("web/templates/crd.yaml", "rendered")]
    text = cli("scan", str(chart), "-t", "1.25").stdout
    assert text.count("; line of the rendered output]") == 2, text


def test_a_static_run_marks_conditional_findings_in_text_and_says_so_in_json(tmp_path: Path, cli: Cli,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KDEPRECATE_HELM_ENGINE", "static")
    chart = _chart(tmp_path / "web", templates={"pdb.yaml": TWO_PDBS})
    text = cli("scan", str(chart), "-t", "1.25").stdout
    # The path is the template file itself (issue 12), so only the mark follows it.
    assert f"{chart}/templates/pdb.yaml:2:13 [conditional: may not be rendered at the target]" in text
    assert text.count("conditional: may not be rendered") == 1  # the second PDB is written unconditionally
    report = cli("scan", str(chart), "-t", "1.25", "-o", "json").json()
    assert [(n["path"], n["code"], n["level"]) for n in report["notices"]] == [
        (str(chart), "chart-rendered-statically", "info")]
    monkeypatch.setenv("KDEPRECATE_HELM_ENGINE", "helm-python-sdk")
    assert cli("scan", str(chart), "-t", "1.25", "-o", "json").json()["notices"] == []
