"""`kdeprecate skew` on the command line: exit codes, JSON shape, one-line errors, the README commands."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pluto_py.cli import main
from tests.conftest import readme_section

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "skew"

# The commands of the README's "Version skew" section , with the exit
# status each must give.
README_COMMANDS: list[tuple[str, int]] = [
    ("kdeprecate skew --nodes fixtures/skew/kubeadm/nodes.json --version-info fixtures/skew/kubeadm/version.json", 0),
    ("kdeprecate skew --nodes fixtures/skew/eks/nodes.json --version-info fixtures/skew/eks/version.json", 1),
    ("kdeprecate skew --apiserver 1.28 --apiserver 1.27 --kubelet 1.28 --kubectl 1.29", 1),
    ("kdeprecate skew --nodes fixtures/skew/kubeadm-1.17/nodes.json "
     "--version-info fixtures/skew/kubeadm-1.17/version.json --target 1.20", 0),
    ("kdeprecate skew --apiserver 1.21 --kubelet 1.21 --target 1.25 --scan fixtures/shop", 0),
    ("kdeprecate skew --nodes fixtures/skew/gke/nodes.yaml --version-info fixtures/skew/gke/version.json "
     "--target 1.30 -o json", 0),
]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`kdeprecate skew ARGS...` through the console entry point."""
    with pytest.raises(SystemExit) as exited:
        main(["skew", *args])
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else (0 if code is None else 1)), out, err


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code, out, _ = run([*args, "-o", "json"], capsys)
    return code, json.loads(out)


def skew_readme_section() -> str:
    return readme_section("Version skew")


def test_readme_section_lists_exactly_the_tested_commands() -> None:
    """Same commands, and the README's `# exit N` convention states the expected status where it is not 0."""
    blocks = re.findall(r"```sh\n(.*?)```", skew_readme_section(), re.S)
    found: list[tuple[str, int]] = []
    for line in (line.strip() for block in blocks for line in block.splitlines() if line.strip()):
        command, _, comment = line.partition("  # exit ")
        found.append((command.strip(), int(comment) if comment else 0))
    assert found == README_COMMANDS


@pytest.mark.parametrize("command, expected", README_COMMANDS)
def test_readme_commands(command: str, expected: int, capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, err = run(shlex.split(command)[2:], capsys)
    assert code == expected, err
    assert "Traceback" not in out + err
    if "--target 1.20" in command:
        # The plan says when the 1.17 kubelets must move: right before kube-apiserver goes to 1.20.
        lines = out.splitlines()
        kubelet = next(i for i, line in enumerate(lines) if re.search(r"\d+\. kubelet 1\.17 -> 1\.19", line))
        assert "before kube-apiserver moves to 1.20" in lines[kubelet + 1]
        assert re.search(r"\d+\. kube-apiserver 1\.19 -> 1\.20", lines[kubelet + 2])
        assert "master-1, node-1, node-2" in lines[kubelet]
    if "--scan" in command:
        assert "migrate before this hop" in out
    if "-o json" in command:
        assert json.loads(out)["schema_version"] == 1


def test_readme_plan_excerpt_matches_the_real_output(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = run(shlex.split(README_COMMANDS[3][0])[2:], capsys)
    excerpt = re.search(r"```\n(Upgrade plan .*?)```", skew_readme_section(), re.S)
    assert excerpt is not None
    real = out.splitlines()
    for line in excerpt.group(1).splitlines():
        shown = line.rstrip().removesuffix("...").rstrip()
        assert any(r.startswith(shown) for r in real), line


def test_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_json(["--nodes", str(FIXTURES / "eks" / "nodes.json"),
                             "--version-info", str(FIXTURES / "eks" / "version.json"), "--target", "1.29"], capsys)
    assert code == 1
    assert report["schema_version"] == 1
    assert report["within_policy"] is False
    for violation in report["violations"]:
        assert {"component", "node", "version", "allowed", "rule", "message", "source"} <= set(violation)
        assert violation["source"].startswith("https://")
    assert [(v["component"], v["version"]) for v in report["violations"]] == [("kubelet", "1.24"),
                                                                              ("kube-proxy", "1.24")]
    assert report["plan"]
    for number, step in enumerate(report["plan"], 1):
        assert {"step", "component", "from", "to", "nodes", "note"} <= set(step)
        assert step["step"] == number
        assert isinstance(step["nodes"], list)
    assert report["plan_summary"]["hops"] == ["1.28", "1.29"]
    assert report["cluster"]["distribution"] == "eks"


def test_json_without_target_has_an_empty_plan(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_json(["--apiserver", "1.28", "--kubelet", "1.25"], capsys)
    assert code == 0
    assert report["violations"] == [] and report["plan"] == [] and report["within_policy"] is True


def test_scan_findings_are_attached_to_hops(capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, report = run_json(["--apiserver", "1.21", "--target", "1.25", "--scan", "fixtures/shop"], capsys)
    assert code == 0
    by_hop = {s["hop"]: s for s in report["plan"] if s["action"] == "control-plane"}
    assert set(by_hop) == {"1.22", "1.23", "1.24", "1.25"}
    for hop, step in by_hop.items():
        for finding in step["findings"]:
            assert finding["removed_in"] == hop
    assert report["scan"]["errors"] == []


def test_unreadable_scan_input_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("apiVersion: v1\nkind: [unclosed\n")
    code, out, err = run(["--apiserver", "1.21", "--target", "1.22", "--scan", str(bad)], capsys)
    assert code == 2
    assert "broken.yaml" in err and "Upgrade plan" in out


@pytest.mark.parametrize("args, message", [
    (["--apiserver", "1.28", "--kubelet", "banana"], "--kubelet: not a Kubernetes version"),
    (["--apiserver", "1.28", "--target", "latest"], "--target"),
    (["--kubelet", "1.28"], "no kube-apiserver version"),
    ([], "no versions given"),
    (["--apiserver", "1.28", "--target", "1.27"], "downgrades are not planned"),
    (["--apiserver", "1.28", "--scan", "x"], "--scan needs --target"),
    (["--apiserver", "1.28", "-o", "xml"], "--output"),
    (["--apiserver", "1.28", "--nodes", "does-not-exist.json"], "does-not-exist.json: cannot read"),
    (["--apiserver", "1.28", "--version-info", "does-not-exist.json"], "does-not-exist.json: cannot read"),
    (["--apiserver", "1.28", "--policy", "nope.yaml"], "nope.yaml: cannot read"),
    (["--apiserver", "1.28", "--nodes", "-", "--version-info", "-"], "only one of"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(args, capsys)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_invalid_nodes_file_names_the_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "nodes.json"
    path.write_text('{"apiVersion": "v1", "kind": "List", "items": [{"kind": "Node"}]}')
    code, _, err = run(["--apiserver", "1.28", "--nodes", str(path)], capsys)
    assert code == 2
    assert err.startswith("kdeprecate: error: ") and str(path) in err and len(err.splitlines()) == 1


def test_nodes_from_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    data = (FIXTURES / "k3s" / "nodes.json").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, report = run_json(["--nodes", "-", "--apiserver", "1.27"], capsys)
    assert code == 0
    assert len([c for c in report["components"] if c["component"] == "kubelet"]) == 3


def test_blocked_plan_exits_1_and_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--apiserver", "1.27", "--kubelet", "1.28", "--target", "1.29"], capsys)
    assert code == 1
    assert "No plan to 1.29" in out


def test_no_colour_unless_a_terminal(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    _, out, _ = run(["--apiserver", "1.28", "--kubelet", "1.29"], capsys)
    assert "\033[" not in out
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    _, out, _ = run(["--apiserver", "1.28", "--kubelet", "1.29"], capsys)
    assert "\033[31m" in out


def test_python_dash_m_runs_skew() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pluto_py", "skew", "--nodes", "fixtures/skew/eks/nodes.json",
         "--version-info", "fixtures/skew/eks/version.json", "-o", "json"],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["violations"]


def test_help_lists_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    for option in ("--apiserver", "--kubelet", "--kube-proxy", "--nodes", "--version-info", "--target",
                   "--scan", "--nodes-to-target"):
        assert option in out


def test_scan_per_hop_renders_charts_for_each_hop(capsys: pytest.CaptureFixture[str]) -> None:
    """`skew --scan` runs the same scan as `kdeprecate scan` at each hop: a chart is rendered for the
    hop's version, so a template that picks policy/v1 from 1.21 on is only reported where it matters."""
    code, report = run_json(["--apiserver", "1.21", "--kubelet", "1.21", "--target", "1.25",
                             "--scan", str(ROOT / "fixtures" / "charts" / "shop")], capsys)
    assert code == 0
    hops = {step["to"]: step.get("findings", []) for step in report["plan"]
            if step["component"] == "kube-apiserver"}
    assert {(f["kind"], f["template"]) for f in hops["1.25"]} == {
        ("PodDisruptionBudget", "shop/charts/redis/templates/pdb.yaml"),
        ("PodSecurityPolicy", "shop/templates/hooks/migrate.yaml")}
    assert all(f["source"] == "helm-template" for step in hops.values() for f in step)
