"""`kdeprecate preflight` end to end on the EKS-like 1.23 fixtures: verdict, JSON contract, reports,
baseline, waivers, exit codes."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pluto_py.preflight.facts import FactsError, facts_from_data, load_facts
from pluto_py.preflight.registry import RULES
from tests.conftest import FIXTURES, REPO_ROOT, CliResult, readme_section

Cli = Callable[..., CliResult]
EKS = FIXTURES / "preflight" / "eks-1.23"
SARIF_SCHEMA = json.loads((REPO_ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
REPORT_SCHEMA = json.loads((REPO_ROOT / "docs" / "preflight-report.schema.json").read_text())


@pytest.fixture(autouse=True)
def _setup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.setenv("KDEPRECATE_TODAY", "2026-11-29")
    monkeypatch.setenv("KDEPRECATE_CONFIG", "none")


def preflight(cli: Cli, *args: str, target: str = "1.30") -> CliResult:
    return cli("preflight", str(EKS.relative_to(REPO_ROOT)), "--from", "1.23", "--target", target, *args)


def test_eks_1_23_to_1_30_is_blocked_with_every_check(cli: Cli) -> None:
    result = preflight(cli, "-o", "json")
    assert result.code == 1, result.stderr
    report = result.json()
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["schema_version"] == 1 and report["target"] == "1.30" and report["from"] == "1.23"
    assert report["verdict"] == "blocked" and report["errors"] == []
    ids = {check["id"] for check in report["checks"]}
    assert ids == {"api-removed", "api-deprecated", "skew-violation", "node-runtime-unsupported",
                   "control-plane-flag-removed", "kubelet-flag-removed", "feature-gate-removed",
                   "webhook-fail-closed-no-endpoints", "pdb-blocks-drain", "pod-without-controller",
                   "pod-local-storage", "version-eol"}
    for check in report["checks"]:
        assert set(check) >= {"id", "severity", "object", "message", "fix", "evidence", "fingerprint"}
    severities = [check["severity"] for check in report["checks"]]
    assert severities == sorted(severities, key=["blocker", "warning", "info"].index)  # worklist order
    assert report["summary"]["blockers"] == sum(s == "blocker" for s in severities)
    pdbs = {c["object"]["name"]: c["evidence"]["basis"] for c in report["checks"] if c["id"] == "pdb-blocks-drain"}
    assert pdbs == {"ledger": "status", "checkout-strict": "computed", "redis": "computed"}  # not checkout-budget
    bare = [c["object"]["name"] for c in report["checks"] if c["id"] == "pod-without-controller"]
    assert bare == ["debug-shell"]  # not the DaemonSet pod, the mirror pod, the finished pod or static pods
    runtimes = {c["object"]["name"].split(".")[0] for c in report["checks"] if c["id"] == "node-runtime-unsupported"}
    assert runtimes == {"ip-10-0-1-11", "ip-10-0-4-44"}  # docker through dockershim
    hooks = {c["object"]["name"] for c in report["checks"] if c["id"] == "webhook-fail-closed-no-endpoints"}
    assert hooks == {"gatekeeper-validating-webhook-configuration", "istio-sidecar-injector"}


def test_text_groups_by_owner_most_urgent_first(cli: Cli) -> None:
    result = preflight(cli)
    assert result.code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Upgrade preflight 1.23 -> 1.30: BLOCKED (")
    groups = [line for line in lines if line and not line.startswith(" ") and line != lines[0]]
    assert groups[:4] == ["Cluster", "Namespace kube-system", "Namespace payments", "Namespace shop"]


def test_the_target_decides_what_is_due(cli: Cli) -> None:
    at_1_24 = preflight(cli, "-o", "json", target="1.24").json()
    ids_1_24 = {c["id"] for c in at_1_24["checks"]}
    assert "node-runtime-unsupported" in ids_1_24 and "kubelet-flag-removed" in ids_1_24
    gates = {c["evidence"]["gate"] for c in at_1_24["checks"] if c["id"] == "feature-gate-removed"}
    assert gates == set()  # TTLAfterFinished goes in 1.25, the others in 1.27 and 1.29
    at_1_36 = preflight(cli, "-o", "json", target="1.36").json()
    reasons = {c["evidence"]["reason"] for c in at_1_36["checks"] if c["id"] == "node-runtime-unsupported"}
    assert reasons == {"dockershim-removed", "containerd-too-old", "cgroup-v1"}


def test_ready_exit_0_risky_exit_1_only_with_fail_on_warning(cli: Cli, tmp_path: Path) -> None:
    clean = tmp_path / "app.yaml"
    clean.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n"
                     "  replicas: 2\n  template:\n    metadata:\n      labels: {app: web}\n")
    ready = cli("preflight", str(clean), "--target", "1.36", "-o", "json")
    assert ready.code == 0 and ready.json()["verdict"] == "ready", ready.stdout
    risky_file = tmp_path / "risky.yaml"
    risky_file.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: bare\n  namespace: shop\n  uid: u1\n"
                          "spec:\n  containers: [{name: c, image: i}]\n")
    risky = cli("preflight", str(risky_file), "--target", "1.36")
    assert risky.code == 0 and "RISKY" in risky.stdout
    assert cli("preflight", str(risky_file), "--target", "1.36", "--fail-on", "warning").code == 1


def test_unreadable_input_is_an_error_line_and_the_rest_is_checked(cli: Cli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n")
    result = cli("preflight", str(broken), str(EKS / "cluster.yaml"), "--target", "1.30", "-o", "json")
    assert result.code == 2
    assert str(broken) in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count(str(broken)) == 1  # read once, for objects and APIs alike: reported once
    report = result.json()
    assert report["errors"] and any(c["id"] == "pdb-blocks-drain" for c in report["checks"])


@pytest.mark.parametrize("args", [["--context", "prod"], ["-", "-"], ["--fail-on", "maybe"], ["-o", "pdf"]])
def test_usage_errors_exit_2(cli: Cli, args: list[str]) -> None:
    result = cli("preflight", *args, "--target", "1.30")
    assert result.code == 2 and "error:" in result.stderr and "Traceback" not in result.stderr


def test_baseline_fails_only_on_new_checks(cli: Cli, tmp_path: Path) -> None:
    first = preflight(cli, "-o", "json")
    baseline = tmp_path / "baseline.json"
    baseline.write_text(first.stdout)
    again = preflight(cli, "--baseline", str(baseline), "-o", "json")
    assert again.code == 0, again.stdout
    assert again.json()["verdict"] == "blocked"  # the truth is unchanged; only the gate is relaxed
    assert all(check["baseline"] for check in again.json()["checks"])
    tree = tmp_path / "eks"
    shutil.copytree(EKS, tree)
    extra = tree / "manifests" / "new.yaml"
    extra.write_text("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: pinned\n  namespace: shop\n"
                     "spec:\n  maxUnavailable: 0\n  selector:\n    matchLabels: {app: checkout}\n")
    # same objects from another directory: fingerprints do not depend on paths or lines
    changed = cli("preflight", str(tree), "--from", "1.23", "--target", "1.30", "--baseline", str(baseline),
                  "-o", "json")
    assert changed.code == 1
    new = [c for c in changed.json()["checks"] if not c["baseline"]]
    assert [(c["id"], c["object"]["name"]) for c in new] == [("pdb-blocks-drain", "pinned")]
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 2}')
    assert preflight(cli, "--baseline", str(bad)).code == 2


def write_config(tmp_path: Path, waivers: str) -> Path:
    config = tmp_path / "kdeprecate.yaml"
    config.write_text("preflight:\n  waivers:\n" + waivers)
    return config


def test_waivers_expire_and_cannot_silence_removed_apis(cli: Cli, tmp_path: Path) -> None:
    config = write_config(tmp_path, """\
    - {id: pod-without-controller, object: Pod/shop/debug-*, owner: team-shop, reason: tooling,
       expires: 2027-01-31}
    - {id: pdb-blocks-drain, object: PodDisruptionBudget/payments/ledger, owner: payments, reason: single writer,
       expires: "2026-10-01"}
    - {id: api-removed, object: "CronJob/payments/*", owner: payments, reason: later, expires: 2027-06-30}
    - {id: pod-local-storage, object: Deployment/gone/*, owner: nobody, reason: stale, expires: 2027-06-30}
""")
    report = preflight(cli, "--config", str(config), "-o", "json").json()
    jsonschema.validate(report, REPORT_SCHEMA)
    by_id: dict[str, list[Any]] = {}
    for check in report["checks"]:
        by_id.setdefault(check["id"], []).append(check)
    bare = by_id["pod-without-controller"][0]
    assert bare["waived"]["owner"] == "team-shop" and report["summary"]["waived"] == 1
    ledger = next(c for c in by_id["pdb-blocks-drain"] if c["object"]["name"] == "ledger")
    assert ledger["waived"] is None  # expired
    assert [c["severity"] for c in by_id["waiver-expired"]] == ["warning"]
    cronjob = next(c for c in by_id["api-removed"] if c["object"]["kind"] == "CronJob")
    assert cronjob["waived"] is None
    assert len(by_id["waiver-not-allowed"]) == 1 and len(by_id["waiver-unused"]) == 1


def test_waivers_are_validated_by_the_config_schema(cli: Cli, tmp_path: Path) -> None:
    config = write_config(tmp_path, "    - {id: pdb-blocks-drain, object: x, owner: me, expires: 2027-01-01}\n")
    result = preflight(cli, "--config", str(config))
    assert result.code == 2 and "reason" in result.stderr and str(config) in result.stderr
    config = write_config(tmp_path, "    - {id: a, object: b, owner: c, reason: d, expires: 2027-02-30}\n")
    assert preflight(cli, "--config", str(config)).code == 2


class StrictHtml(HTMLParser):
    """Checks nesting, and collects attribute values and text."""

    VOID = frozenset({"meta", "br", "input", "link", "img", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_report_is_self_contained_and_escapes_hostile_names(cli: Cli, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text('apiVersion: v1\nkind: Pod\nmetadata:\n  name: "<script>alert(1)</script>"\n'
                       '  namespace: "x\\" onmouseover=\\"alert(2)"\n  uid: u\n'
                       "spec:\n  volumes: [{name: '<img src=http://evil.example/x>', emptyDir: {}}]\n")
    out = tmp_path / "report.html"
    result = cli("preflight", str(hostile), str(EKS), "--from", "1.23", "--target", "1.30", "-o", "html",
                 "--output-file", str(out))
    assert result.code == 1 and result.stdout.startswith("Upgrade preflight")
    page = out.read_text(encoding="utf-8")
    parser = StrictHtml()
    parser.feed(page)
    parser.close()
    assert parser.stack == []
    assert "<script>alert(1)</script>" not in page and "<img src=http://evil" not in page
    assert any("<script>alert(1)</script>" in text for text in parser.text)  # shown, as text
    assert "script" in parser.tags and parser.tags.count("script") == 1  # ours only
    for tag, name, value in parser.attributes:
        assert not name.startswith("on"), (tag, name)
        assert "://" not in value or name == "content", (tag, name, value)
    assert not {"link", "img", "iframe", "object", "embed"} & set(parser.tags)
    assert ("meta", "http-equiv", "Content-Security-Policy") in parser.attributes
    for element in ("f-severity", "f-namespace", "f-check"):
        assert ("select", "id", element) in parser.attributes
    assert "By namespace" in page and "Namespace payments" in page


def test_markdown_sarif_and_junit(cli: Cli) -> None:
    markdown = preflight(cli, "-o", "markdown")
    assert markdown.code == 1 and markdown.stdout.startswith("### ❌ Upgrade preflight 1.23 -> 1.30: BLOCKED")
    assert "| **blocker** | `pdb-blocks-drain` | `PodDisruptionBudget/payments/ledger` |" in markdown.stdout
    sarif = preflight(cli, "-o", "sarif")
    log = json.loads(sarif.stdout)
    jsonschema.validate(log, SARIF_SCHEMA)
    rules = [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
    assert rules == [rule.id for rule in RULES]
    assert {r["level"] for r in log["runs"][0]["results"]} == {"error", "warning", "note"}
    junit = ET.fromstring(preflight(cli, "-o", "junit").stdout)
    assert int(junit.get("failures", "0")) == sum(1 for c in preflight(cli, "-o", "json").json()["checks"]
                                                  if c["severity"] == "blocker")


def test_control_characters_never_reach_the_terminal(cli: Cli, tmp_path: Path) -> None:
    hostile = tmp_path / "ansi.yaml"
    hostile.write_text('apiVersion: v1\nkind: Pod\nmetadata:\n  name: "evil\\e[2Jpod"\n  namespace: shop\n  uid: u\n'
                       "spec: {}\n")
    result = cli("preflight", str(hostile), "--target", "1.30")
    assert "\x1b" not in result.stdout and "evil\\x1b[2Jpod" in result.stdout


def test_facts_are_cited_and_checked() -> None:
    facts = load_facts()
    assert facts.end_of_life_of(facts.end_of_life[0].release) is not None
    assert all(row.source.startswith("https://") for row in facts.removed_flags + facts.removed_gates)
    assert {row.flag for row in facts.removed_flags if row.component == "kubelet"} >= {"network-plugin"}
    with pytest.raises(FactsError):
        facts_from_data({"end_of_life": [], "removed_flags": [],
                         "node_runtime": {"dockershim": {"removed_in": "1.24", "source": "https://x"},
                                          "containerd": [], "cgroup_v1": {
                                              "maintenance_from": "1.31", "maintenance_source": "https://x",
                                              "kubelet_refuses_from": "1.35", "refuses_source": "https://x",
                                              "os_images": []}},
                         "removed_feature_gates": [{"gate": "Foo", "last_release": "1.25", "removed_in": "1.27",
                                                    "source": "https://x"}]})


def test_readme_shows_what_the_command_prints(cli: Cli) -> None:
    section = readme_section("Upgrade preflight")
    output = preflight(cli).stdout.splitlines()
    assert output[0] in section  # the headline, counts included
    shown = [line for line in section.splitlines() if line.startswith("  BLOCKER ")]
    assert shown and all(line in output for line in shown)
    for rule in RULES:
        if not rule.id.startswith("waiver-"):
            assert f"`{rule.id}`" in section, rule.id


def test_nodes_file_and_versions_on_the_command_line(cli: Cli) -> None:
    result = cli("preflight", str(EKS / "cluster.yaml"), "--nodes", str(EKS / "nodes.json"), "--target", "1.24",
                 "-o", "json")
    assert {c["id"] for c in result.json()["checks"]} >= {"node-runtime-unsupported"}
    backwards = cli("preflight", str(EKS / "cluster.yaml"), "--from", "1.30", "--target", "1.24")
    assert backwards.code == 2 and "--target" in backwards.stderr
