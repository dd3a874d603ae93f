"""`kdeprecate podsecurity` end to end: the blue 1.24 cluster dump, PodSecurityPolicies and their RBAC
grants, namespace labels, the verdict and its exit codes, the report formats, the sources."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pluto_py.core.model import Document, Notice, ScanError
from pluto_py.core.parse import parse_text
from pluto_py.core.versions import parse_version
from pluto_py.podsecurity.analyze import analyze
from pluto_py.podsecurity.model import ENFORCEMENT_LOST, INVALID_LABEL, PODS_REFUSED, Level, NamespaceReport
from pluto_py.podsecurity.psp import psp_level
from pluto_py.podsecurity.standards import load_standards
from pluto_py.sources import InputStats, SourceRequest
from tests.conftest import FIXTURES, REPO_ROOT, CliResult

BLUE = FIXTURES / "podsecurity" / "blue-1.24.yaml"
NAMESPACES = FIXTURES / "podsecurity" / "namespaces"
Cli = Callable[..., CliResult]


def documents(text: str) -> list[Document]:
    return [item for item in parse_text(text, "input.yaml", "file", json_file=False) if isinstance(item, Document)]


def by_name(reports: tuple[NamespaceReport, ...]) -> dict[str, NamespaceReport]:
    return {report.namespace: report for report in reports}


def finding_ids(report: NamespaceReport) -> list[str]:
    return [finding.id for finding in report.findings]


@pytest.fixture(scope="module")
def blue_at_1_29() -> dict[str, Any]:
    from pluto_py.podsecurity.inputs import SourceDocuments
    from pluto_py.podsecurity.report import report_dict
    from pluto_py.podsecurity.run import build_report

    report = build_report(SourceDocuments([str(BLUE)], "1.29"), parse_version("1.29"))
    return report_dict(report, "test")


def test_blue_dump_at_1_29_levels_and_verdicts(blue_at_1_29: dict[str, Any]) -> None:
    namespaces = {ns["namespace"]: ns for ns in blue_at_1_29["namespaces"]}
    assert {name: ns["level"] for name, ns in namespaces.items()} == {
        "kube-system": "privileged", "legacy": "privileged", "monitoring": "privileged",
        "payments": "baseline", "shop": "baseline", "windows": "restricted"}
    verdicts = {name: [f["id"] for f in ns["findings"]] for name, ns in namespaces.items()}
    assert verdicts == {"kube-system": [], "legacy": [PODS_REFUSED], "monitoring": [ENFORCEMENT_LOST],
                        "payments": [PODS_REFUSED], "shop": [ENFORCEMENT_LOST], "windows": [ENFORCEMENT_LOST]}
    assert blue_at_1_29["summary"] == {"files": 0, "documents": 0, "namespaces": 6, "workloads": 9,
                                       "privileged": 3, "baseline": 2, "restricted": 1, "enforcement_lost": 3,
                                       "pods_refused": 2, "warnings": 0, "errors": 0}
    assert blue_at_1_29["schema_version"] == 1 and blue_at_1_29["target"] == "1.29"


def test_report_matches_its_json_schema(blue_at_1_29: dict[str, Any]) -> None:
    import jsonschema

    schema = json.loads((REPO_ROOT / "docs" / "podsecurity-report.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(blue_at_1_29, schema)


def test_violations_name_control_object_field_and_line(blue_at_1_29: dict[str, Any]) -> None:
    shop = next(ns for ns in blue_at_1_29["namespaces"] if ns["namespace"] == "shop")
    # The CronJob's template has none of what the restricted PSP added to its pods: that blocks restricted.
    assert {(v["kind"], v["name"]) for v in shop["violations"]} == {("CronJob", "sales-report")}
    assert {v["control"] for v in shop["violations"]} == {
        "allowPrivilegeEscalation", "runAsNonRoot", "seccompProfile_restricted", "capabilities_restricted"}
    lines = BLUE.read_text(encoding="utf-8").splitlines()
    for violation in shop["violations"]:
        assert violation["level"] == "restricted" and violation["path"] == str(BLUE)
        assert violation["field"].startswith("spec.jobTemplate.spec.template.spec.containers[0]")
        assert lines[violation["line"] - 1].strip() == "- args: [--since=24h]"  # the container, as nothing is set
    assert shop["suggested_labels"] == {
        "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "v1.29",
        "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/audit-version": "v1.29",
        "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/warn-version": "v1.29"}


def test_psps_and_their_grants(blue_at_1_29: dict[str, Any]) -> None:
    namespaces = {ns["namespace"]: ns for ns in blue_at_1_29["namespaces"]}
    shop = namespaces["shop"]["psps"]
    assert [(p["name"], p["level"], p["unrestricted"]) for p in shop] == [("restricted", "restricted", False)]
    assert shop[0]["granted_via"] == ["ClusterRoleBinding/psp:restricted:all-service-accounts -> "
                                      "ClusterRole/psp:restricted (group system:serviceaccounts)"]
    legacy = {p["name"]: p for p in namespaces["legacy"]["psps"]}
    assert legacy["legacy-logs"]["level"] == "privileged"
    assert legacy["legacy-logs"]["gaps"] == ["volumes allows hostPath"]
    assert legacy["legacy-logs"]["granted_via"] == [
        "RoleBinding/legacy/psp:legacy-logs -> Role/legacy/psp:legacy-logs (service account legacy/default)"]
    # kube-system may use an unrestricted policy: nothing was enforced there, nothing is lost.
    kube_system = namespaces["kube-system"]
    assert {p["name"] for p in kube_system["psps"]} == {"privileged", "restricted"}
    assert kube_system["psp_constrained"] is False
    # monitoring: node-exporter may use the privileged policy, but the default service account was restricted.
    assert namespaces["monitoring"]["psp_constrained"] is True


def test_blue_dump_at_1_24_psp_still_enforces(cli: Cli) -> None:
    result = cli("podsecurity", str(BLUE), "--target", "1.24", "-o", "json")
    assert result.code == 1
    report = result.json()
    verdicts = {ns["namespace"]: [f["id"] for f in ns["findings"]] for ns in report["namespaces"]}
    # Before 1.25 PodSecurityPolicy still admits pods: no enforcement is lost yet; the labelled
    # namespaces are judged by their labels (payments' seccomp annotations are still copied at 1.24).
    assert verdicts == {"kube-system": [], "legacy": [PODS_REFUSED], "monitoring": [], "payments": [], "shop": [],
                        "windows": []}
    assert any("label the namespaces before the upgrade to 1.25" in note for note in report["notes"])
    assert (report["summary"]["files"], report["summary"]["documents"]) == (1, 1)


def test_payments_label_pinned_to_1_24_refuses_pods_on_1_29() -> None:
    reports = by_name(analyze(documents(BLUE.read_text(encoding="utf-8")), parse_version("1.29")))
    payments = reports["payments"]
    assert payments.labels == {"pod-security.kubernetes.io/enforce": "restricted",
                               "pod-security.kubernetes.io/enforce-version": "v1.24"}
    refused = payments.findings[0]
    assert refused.id == PODS_REFUSED and refused.fails
    assert "policy v1.24" in refused.message and "Deployment/api (baseline)" in refused.message


def test_text_report_grouped_by_namespace(cli: Cli) -> None:
    result = cli("podsecurity", str(BLUE), "--target", "1.29")
    assert result.code == 1
    out = result.stdout
    assert out.index("namespace kube-system:") < out.index("namespace legacy:") < out.index("namespace shop:")
    assert "error: pods here were admitted by PodSecurityPolicy restricted (maps to restricted)" in out
    assert "[podsecurity-enforcement-lost]" in out and "[podsecurity-pods-refused]" in out
    assert out.rstrip().endswith("6 namespaces (3 privileged, 2 baseline, 1 restricted), 9 workloads: "
                                 "3 losing enforcement, 2 refusing pods, 0 warnings, 0 errors (target 1.29)")


@pytest.mark.parametrize("output", ["markdown", "yaml", "github"])
def test_other_formats(cli: Cli, output: str) -> None:
    result = cli("podsecurity", str(BLUE), "--target", "1.29", "-o", output)
    assert result.code == 1
    if output == "yaml":
        from ruamel.yaml import YAML

        assert YAML(typ="safe", pure=True).load(result.stdout)["summary"]["enforcement_lost"] == 3
    elif output == "markdown":
        assert "| shop | baseline | 3 | restricted (maps to restricted) | none | **podsecurity-enforcement-lost** |" \
            in result.stdout
    else:
        assert (f"::error file={BLUE},line=52,title=kdeprecate podsecurity-enforcement-lost::pods here were admitted"
                in result.stdout)


def test_labelled_namespaces_pass(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app\n  labels:\n"
        "    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/enforce-version: latest\n"
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: app}\n"
        "spec:\n  template:\n    spec:\n      containers: [{name: web, image: nginx}]\n", encoding="utf-8")
    result = cli("podsecurity", str(tmp_path), "--target", "1.29", "-o", "json")
    assert result.code == 0, result.stdout
    namespace = result.json()["namespaces"][0]
    assert namespace["level"] == "baseline" and namespace["findings"] == []


def test_input_errors_exit_2_and_the_rest_is_reported(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: [\n", encoding="utf-8")
    (tmp_path / "ok.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\n"
                                      "spec: {hostNetwork: true, containers: [{name: c, image: i}]}\n",
                                      encoding="utf-8")
    result = cli("podsecurity", str(tmp_path), "--target", "1.29", "-o", "json")
    assert result.code == 2
    assert "broken.yaml:" in result.stderr and "Traceback" not in result.stderr
    report = result.json()
    assert report["namespaces"][0]["level"] == "privileged" and len(report["errors"]) == 1


def test_usage_errors(cli: Cli) -> None:
    assert cli("podsecurity", str(BLUE), "-o", "sarif").code == 2
    assert cli("podsecurity", str(BLUE), "--target", "one.twenty").code == 2
    both = cli("podsecurity", str(BLUE), "--fix", "--print-commands")
    assert both.code == 2 and "exclude each other" in both.stderr


def test_control_characters_never_reach_the_terminal(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "evil.yaml").write_text(
        'apiVersion: v1\nkind: Pod\nmetadata: {name: "p\\e[31mred", namespace: "ns\\e]0;title\\a"}\n'
        'spec: {hostPID: true, containers: [{name: "c\\e[2J", image: i}]}\n', encoding="utf-8")
    result = cli("podsecurity", str(tmp_path), "--target", "1.29")
    assert result.code == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b[31m" in result.stdout


def test_invalid_enforce_label_fails_closed() -> None:
    text = ("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app\n  labels:\n"
            "    pod-security.kubernetes.io/enforce: strict\n    pod-security.kubernetes.io/enforce-version: 1.29\n"
            "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: app}\n"
            "spec: {containers: [{name: c, image: i}]}\n")
    report = by_name(analyze(documents(text), parse_version("1.29")))["app"]
    ids = finding_ids(report)
    # PodSecurity admission reads an unknown level as restricted, an unknown version as latest.
    assert ids.count(INVALID_LABEL) == 2 and PODS_REFUSED in ids
    assert "PodSecurity admission enforces restricted instead" in report.findings[0].message
    assert "enforce=restricted (policy v1.29)" in next(f.message for f in report.findings if f.id == PODS_REFUSED)


def test_label_versions_are_read_as_psa_reads_them() -> None:
    def refused(version_label: str) -> list[str]:
        text = ("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app\n  labels:\n"
                "    pod-security.kubernetes.io/enforce: restricted\n"
                f"    pod-security.kubernetes.io/enforce-version: {version_label}\n"
                "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: app}\n"
                "spec:\n  securityContext: {runAsNonRoot: true, runAsUser: 0, seccompProfile: {type: RuntimeDefault}}\n"
                "  containers:\n  - name: c\n    image: i\n"
                "    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n")
        report = by_name(analyze(documents(text), parse_version("1.29")))["app"]
        return [f.message for f in report.findings if f.id == PODS_REFUSED]

    assert refused("v1.22") == []  # runAsUser joined the standard in 1.23
    assert refused("v1.31") == ["pod-security.kubernetes.io/enforce=restricted (policy v1.29) refuses the pods of "
                                "Pod/p (baseline)"]  # a version past the server's is its latest
    assert refused("latest") == refused("v1.31")


# ---- PodSecurityPolicy mapping and RBAC grants

DOCS_RESTRICTED_PSP = """\
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: restricted
  annotations:
    seccomp.security.alpha.kubernetes.io/allowedProfileNames: 'docker/default,runtime/default'
    apparmor.security.beta.kubernetes.io/allowedProfileNames: 'runtime/default'
spec:
  privileged: false
  allowPrivilegeEscalation: false
  requiredDropCapabilities: [ALL]
  volumes: [configMap, emptyDir, projected, secret, downwardAPI, csi, persistentVolumeClaim, ephemeral]
  hostNetwork: false
  hostIPC: false
  hostPID: false
  runAsUser: {rule: MustRunAsNonRoot}
  seLinux: {rule: RunAsAny}
  supplementalGroups: {rule: MustRunAs, ranges: [{min: 1, max: 65535}]}
  fsGroup: {rule: MustRunAs, ranges: [{min: 1, max: 65535}]}
  readOnlyRootFilesystem: false
"""


def test_psp_mapping_follows_the_documented_table() -> None:
    facts = load_standards().psp
    psp = documents(DOCS_RESTRICTED_PSP)[0].data
    # The kubernetes.io example "restricted" PSP leaves SELinux open: PSA baseline forbids custom types.
    assert psp_level(psp, facts) == (Level.PRIVILEGED, ("seLinux.rule is RunAsAny, not MustRunAs",))
    psp["spec"]["seLinux"] = {"rule": "MustRunAs", "seLinuxOptions": {"type": "container_t"}}
    assert psp_level(psp, facts) == (Level.RESTRICTED, ())
    psp["spec"]["allowPrivilegeEscalation"] = True
    psp["spec"]["allowedCapabilities"] = ["CHOWN"]
    assert psp_level(psp, facts) == (Level.BASELINE, ("allowedCapabilities allows CHOWN",
                                                      "allowPrivilegeEscalation is not false"))
    psp["metadata"]["annotations"]["seccomp.security.alpha.kubernetes.io/allowedProfileNames"] = "runtime/default,"
    assert "annotation seccomp.security.alpha.kubernetes.io/allowedProfileNames allows no profile (a trailing " \
           "comma)" in psp_level(psp, facts)[1]
    del psp["metadata"]["annotations"]["apparmor.security.beta.kubernetes.io/allowedProfileNames"]
    assert psp_level(psp, facts)[0] == Level.PRIVILEGED


RBAC = """\
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: baseline}
spec: {privileged: false, seLinux: {rule: RunAsAny}}
---
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: anything}
spec: {privileged: true}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: psp-all}
rules:
- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: psp-baseline}
rules:
- {apiGroups: [extensions], resources: [podsecuritypolicies], verbs: [use], resourceNames: [baseline]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: team-a, namespace: team-a}
roleRef: {kind: ClusterRole, name: psp-baseline, apiGroup: rbac.authorization.k8s.io}
subjects:
- {kind: User, name: "system:serviceaccount:team-a:builder"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: elsewhere, namespace: team-b}
roleRef: {kind: ClusterRole, name: psp-all, apiGroup: rbac.authorization.k8s.io}
subjects:
- {kind: ServiceAccount, name: builder, namespace: team-a}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: build, namespace: team-a}
spec:
  template:
    spec:
      serviceAccountName: builder
      containers: [{name: b, image: i}]
---
apiVersion: v1
kind: Namespace
metadata: {name: team-c}
"""


def test_rbac_grants_reach_the_namespace_of_the_binding_only() -> None:
    reports = by_name(analyze(documents(RBAC), parse_version("1.29")))
    team_a = reports["team-a"]
    assert [(g.name, g.granted_via) for g in team_a.psps] == [
        ("baseline", ("RoleBinding/team-a/team-a -> ClusterRole/psp-baseline "
                      "(user system:serviceaccount:team-a:builder)",))]
    assert ENFORCEMENT_LOST in finding_ids(team_a)
    # team-a's builder may use everything in team-b, which says nothing about pods in team-a;
    # team-b and team-c have no grants at all.
    assert reports["team-c"].psps == () and not reports["team-c"].psp_constrained
    assert "team-b" not in reports


def test_a_grant_to_the_controllers_reaches_every_namespace() -> None:
    controllers = RBAC + """\
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: controllers}
roleRef: {kind: ClusterRole, name: psp-all, apiGroup: rbac.authorization.k8s.io}
subjects:
- {kind: ServiceAccount, name: replicaset-controller, namespace: kube-system}
"""
    reports = by_name(analyze(documents(controllers), parse_version("1.29")))
    # The ReplicaSet controller may use the privileged policy: every Deployment's pods could.
    assert {g.name for g in reports["team-c"].psps} == {"anything", "baseline"}
    assert not reports["team-a"].psp_constrained and ENFORCEMENT_LOST not in finding_ids(reports["team-a"])


def test_psps_without_rbac_in_the_input_all_apply() -> None:
    text = RBAC.split("---\napiVersion: rbac")[0] + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n"
    report = by_name(analyze(documents(text), parse_version("1.29")))["x"]
    assert [g.name for g in report.psps] == ["anything", "baseline"] and report.psp_constrained
    assert finding_ids(report) == [ENFORCEMENT_LOST]


# ---- what runs: live pods and their templates, Helm release records


MESH = """\
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: reviews, namespace: mesh, uid: d1, resourceVersion: "1"}
  spec:
    template:
      spec:
        containers: [{name: reviews, image: reviews:1, securityContext: {allowPrivilegeEscalation: true}}]
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata:
    name: reviews-5d8f
    namespace: mesh
    uid: r1
    resourceVersion: "2"
    ownerReferences: [{kind: Deployment, name: reviews, controller: true, apiVersion: apps/v1, uid: d1}]
  spec:
    template:
      spec:
        containers: [{name: reviews, image: reviews:0, securityContext: {privileged: true}}]
- apiVersion: v1
  kind: Pod
  metadata:
    name: reviews-5d8f-x1
    namespace: mesh
    uid: p1
    resourceVersion: "3"
    ownerReferences: [{kind: ReplicaSet, name: reviews-5d8f, controller: true, apiVersion: apps/v1, uid: r1}]
  spec:
    initContainers:
    - {name: istio-init, image: proxyv2, securityContext: {capabilities: {add: [NET_ADMIN, NET_RAW]}}}
    containers:
    - {name: reviews, image: reviews:1, securityContext: {allowPrivilegeEscalation: true}}
"""


def test_pods_report_only_what_their_template_does_not_show() -> None:
    report = by_name(analyze(documents(MESH), parse_version("1.29")))["mesh"]
    # The old ReplicaSet's template (privileged) no longer runs: not judged. The Pod is: a webhook
    # injected istio-init, which makes the namespace privileged.
    assert report.workloads == 2 and report.level == Level.PRIVILEGED
    assert [(v.kind, v.control, v.field) for v in report.violations] == [
        ("Pod", "capabilities_baseline", "spec.initContainers[0].securityContext.capabilities.add[0]"),
        ("Pod", "capabilities_baseline", "spec.initContainers[0].securityContext.capabilities.add[1]")]


def test_helm_release_records_are_read_and_live_objects_win(cli: Cli, tmp_path: Path) -> None:
    from pluto_py.podsecurity.inputs import SourceDocuments
    from pluto_py.podsecurity.run import build_report

    releases = FIXTURES / "cluster" / "helm-releases.yaml"
    report = build_report(SourceDocuments([str(releases)], "1.29"), parse_version("1.29"))
    shop = by_name(report.namespaces)["shop"]
    assert shop.workloads == 1  # the release's CronJob shop-reports
    assert {v.source for v in shop.violations} == {"helm-release"}
    live = tmp_path / "live.yaml"
    live.write_text("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: shop-reports\n  namespace: shop\n"
                    "  uid: c1\n  resourceVersion: '9'\nspec:\n  jobTemplate:\n    spec:\n      template:\n"
                    "        spec:\n          containers: [{name: r, image: i, securityContext: {privileged: true}}]\n",
                    encoding="utf-8")
    both = build_report(SourceDocuments([str(releases), str(live)], "1.29"), parse_version("1.29"))
    shop = by_name(both.namespaces)["shop"]
    assert shop.workloads == 1 and shop.level == Level.PRIVILEGED
    assert {v.source for v in shop.violations} == {"file"}


def test_chart_is_rendered_for_the_target(cli: Cli) -> None:
    result = cli("podsecurity", str(FIXTURES / "charts" / "shop"), "--target", "1.29", "-o", "json",
                 "--namespace", "shop")
    assert result.code in (0, 1), result.stderr
    report = result.json()
    workloads = sum(ns["workloads"] for ns in report["namespaces"])
    assert workloads >= 2
    sources = {v["source"] for ns in report["namespaces"] for v in ns["violations"]}
    assert sources <= {"helm-template"} and all(v["template"] for ns in report["namespaces"]
                                                for v in ns["violations"])


def test_objects_without_a_namespace_go_to_the_namespace_option(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                                       "spec: {containers: [{name: c, image: i}]}\n", encoding="utf-8")
    result = cli("podsecurity", str(tmp_path), "-t", "1.29", "-n", "team-x", "-o", "json")
    assert [ns["namespace"] for ns in result.json()["namespaces"]] == ["team-x"]


def test_stdin(cli: Cli) -> None:
    result = cli("podsecurity", "-", "-t", "1.29", "-o", "json", stdin=BLUE.read_bytes())
    assert result.code == 1
    assert {v["path"] for ns in result.json()["namespaces"] for v in ns["violations"]} == {"-"}


class SettingsSource:
    """A source registered as any other (a live cluster, say): the documents its settings hold."""

    name = "test-documents"

    def __init__(self, request: SourceRequest) -> None:
        self.warnings: tuple[str, ...] = ()

    def wanted(self, request: SourceRequest) -> bool:
        return self.name in request.settings

    def documents(self, request: SourceRequest, stats: InputStats) -> Iterator[Document | ScanError | Notice]:
        stats.files += 1
        yield Notice("cluster", None, "test-note", "2 resources hidden by RBAC")
        yield from request.settings[self.name]


def test_another_source_plugs_in_beside_the_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A registered source (what `--cluster` will be) is read beside the paths, with no podsecurity change."""
    import io

    from pluto_py.cli.podsecurity import PodSecurityOptions, run
    from pluto_py.sources import SOURCES

    monkeypatch.setitem(SOURCES, SettingsSource.name, f"{__name__}:{SettingsSource.__name__}")
    (tmp_path / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: live}\n", encoding="utf-8")
    pod = documents("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: live, uid: u1}\n"
                    "spec: {hostIPC: true, containers: [{name: c, image: i}]}\n")
    out = io.StringIO()
    code = run(PodSecurityOptions(paths=(str(tmp_path),), target=parse_version("1.29"), output="json",
                                  settings={SettingsSource.name: pod}), "test", out=out)
    assert code == 0
    report = json.loads(out.getvalue())
    namespace = report["namespaces"][0]
    assert (namespace["namespace"], namespace["level"], namespace["workloads"]) == ("live", "privileged", 1)
    assert report["summary"]["files"] == 2  # the paths' file and the other source
    assert "kdeprecate: note: cluster: 2 resources hidden by RBAC" in capsys.readouterr().err


def test_verdict_ids_are_registered_rules_at_their_level() -> None:
    """GitHub annotations title each verdict with its code: core/rules.py (and docs/rules.md) know them."""
    from pluto_py.core.rules import RULES
    from pluto_py.podsecurity.model import ENFORCEMENT_WEAKER, FAILING_FINDINGS

    for code in (ENFORCEMENT_LOST, PODS_REFUSED, ENFORCEMENT_WEAKER, INVALID_LABEL):
        assert RULES[code].level == ("error" if code in FAILING_FINDINGS else "warning"), code
