"""The README stays true: its test command is what CI runs, and every kdeprecate command in it runs.

Each command line in a ```sh block (and each `$ ` line of a ```console block) is run in a scratch
copy of the repository (some commands rewrite files), where the user's own files that examples
name — `manifests/` and `ingress.yaml` — are copies of the fixtures. Commands that need a live
cluster or the helm binary (`kubectl ...`, `helm ...`) are shown with a runnable twin reading a
fixture instead, and are not run; `--cluster` commands run against a local API server in
tests/test_live_cluster.py. A trailing `# exit N` comment states the exit code the command must give;
otherwise it must succeed or report findings (0 or 1), never a usage error or a traceback.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
TEST_COMMAND = "python3 -m pip install -e '.[test]' && python3 -m pytest"
INSTALL_PREFIX = re.compile(r"^python3 -m pip install [^&]+&&\s*")


def shell_lines(markdown: str) -> list[str]:
    lines: list[str] = []
    for language, block in re.findall(r"```(sh|shell|bash|console)\n(.*?)```", markdown, flags=re.DOTALL):
        pending = ""
        for raw in block.splitlines():
            if language == "console" and not raw.startswith("$ "):
                continue  # output shown after a prompt
            line = raw.rstrip()
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            line = (pending + line).strip()
            pending = ""
            if line and not line.startswith("#"):
                lines.append(line.removeprefix("$ "))
    return lines


def runnable(line: str) -> bool:
    if line.startswith(("kubectl ", "helm ")) or any(flag in line for flag in ("--cluster", "--blue-context",
                                                                               "--green-context")):
        return False  # they run against local API servers: tests/test_live_cluster.py, test_bluegreen_live.py
    return "kdeprecate " in line or line.startswith(("python3 -m pluto_py", "pre-commit"))


def test_ci_runs_the_readme_test_command() -> None:
    assert TEST_COMMAND in shell_lines(README)
    ci_lines = [line.strip() for line in (REPO_ROOT / ".ci" / "run").read_text().splitlines()]
    assert TEST_COMMAND in ci_lines


def test_readme_main_command_installs_and_scans_fixtures() -> None:
    assert "python3 -m pip install . && kdeprecate scan fixtures/ --target 1.22" in shell_lines(README)


COMMANDS = [line for line in shell_lines(README) if runnable(line) and "benchmarks/" not in line]


def console_output(markdown: str) -> dict[str, list[str]]:
    """The output lines the README shows after each `$ command` of a ```console block ('...' elides)."""
    shown: dict[str, list[str]] = {}
    for block in re.findall(r"```console\n(.*?)```", markdown, flags=re.DOTALL):
        command: str | None = None
        for raw in block.splitlines():
            if raw.startswith("$ "):
                command = raw[2:].rstrip()
                shown.setdefault(command, [])
            elif command is not None and raw.strip():
                shown[command].append(raw.rstrip())
    return shown


def shown_in_order(shown: list[str], output: str) -> str | None:
    """None when every line shown (but '...') is a line of ``output``, in the same order; else the first
    line that is not."""
    printed = iter(line.rstrip() for line in output.splitlines())
    for line in shown:
        if line.strip() == "...":
            continue
        if not any(candidate == line for candidate in printed):
            return line
    return None


SHOWN = console_output(README)
# What the commands of ```sh blocks (which show no output) must print, at least: one line each
# (or, for a command that writes a file with '>', a line of that file). A new README command adds its line here.
EXPECTED_LINES = {
    "kdeprecate scan fixtures/ --target 1.22":
        "100 files, 167 documents: 32 removed, 30 deprecated, 6 unsupported, 0 errors",
    "kdeprecate scan fixtures/shop --target 1.22": "6 files, 11 documents: 4 removed, 2 deprecated, 0 errors",
    "cat fixtures/helm/shop-1.18.yaml | kdeprecate scan - -t 1.25": "1 file, 11 documents: 6 removed, 1 deprecated",
    "kdeprecate scan fixtures/shop --target 1.25 --from 1.20 -o json": '"schema_version": 1',
    "kdeprecate scan fixtures/current --target 1.29": "1 file, 3 documents: 0 removed, 0 deprecated, 0 errors",
    "kdeprecate skew --nodes fixtures/skew/kubeadm/nodes.json --version-info fixtures/skew/kubeadm/version.json":
        "All components are within the version skew policy.",
    "kdeprecate skew --nodes fixtures/skew/eks/nodes.json --version-info fixtures/skew/eks/version.json":
        "x kube-proxy 1.24 on node ip-10-0-1-208.eu-west-1.compute.internal is 3 minor versions older",
    "kdeprecate skew --apiserver 1.28 --apiserver 1.27 --kubelet 1.28 --kubectl 1.29":
        "x kubectl 1.29 is 2 minor versions newer than kube-apiserver 1.27",
    "kdeprecate skew --nodes fixtures/skew/kubeadm-1.17/nodes.json --version-info "
    "fixtures/skew/kubeadm-1.17/version.json --target 1.20": "kube-scheduler 1.19 -> 1.20",
    "kdeprecate skew --apiserver 1.21 --kubelet 1.21 --target 1.25 --scan fixtures/shop":
        "scanned 6 file(s), 11 document(s); 0 could not be read",
    "kdeprecate skew --nodes fixtures/skew/gke/nodes.yaml --version-info fixtures/skew/gke/version.json "
    "--target 1.30 -o json": '"schema_version": 1',
    "kdeprecate scan manifests/ --target 1.29 --target cert-manager=1.6 --target istio=1.6":
        "6 files, 11 documents: 7 removed, 0 deprecated, 0 errors (target k8s 1.29, cert-manager 1.6, istio 1.6)",
    "kdeprecate fix ingress.yaml --target 1.22": "ingress.yaml:40: Ingress/web (namespace shop): extensions/v1beta1 → "
                                                 "networking.k8s.io/v1",
    "kdeprecate list-versions": "extensions/v1beta1                     DaemonSet",
    "kdeprecate scan fixtures/ --target 1.22 --shard 1/2 -o json --fail-on none > shard-1.json": '"schema_version": 1',
    "kdeprecate scan fixtures/ --target 1.22 --shard 2/2 -o json --fail-on none > shard-2.json": '"schema_version": 1',
    "kdeprecate merge-reports shard-1.json shard-2.json": '"schema_version": 1',
    "kdeprecate scan fixtures/addons --target 1.28":
        "1 file, 7 documents: 0 removed, 0 deprecated, 3 unsupported, 0 errors (target k8s 1.28)",
    "kdeprecate list-versions --addons":
        "cluster-autoscaler            *                        same minor as the cluster",
    "kdeprecate scan manifests/ --target 1.25 -o prometheus > kdeprecate.prom": "kdeprecate_scan_errors 0",
    "kdeprecate bluegreen fixtures/bluegreen/blue-1.24 --green fixtures/bluegreen/green-1.29 -o markdown "
    "--output-file change-ticket.md": "NOT READY: 17 blockers, 7 warnings",
    "kdeprecate bluegreen fixtures/bluegreen/blue-1.24 --green fixtures/bluegreen/green-1.29 -o json":
        '"schema_version": 1',
    "kdeprecate bluegreen fixtures/bluegreen/blue-1.24 fixtures/nope --green-version 1.29":
        "kdeprecate: error: fixtures/nope: no such file or directory",
    "kdeprecate skew --apiserver 1.27 --target 1.28 --scan fixtures/addons":
        "runs cluster-autoscaler 1.20.0, which does not support 1.28: upgrade it first",
    "cat fixtures/podsecurity/blue-1.24.yaml | kdeprecate podsecurity - --target 1.29 -o json > podsecurity.json":
        '"schema_version": 1',
    "kdeprecate podsecurity fixtures/podsecurity/blue-1.24.yaml --target 1.24 -o markdown":
        "## Pod security at Kubernetes 1.24",
    "kdeprecate podsecurity fixtures/charts/shop --target 1.29 --namespace shop":
        "1 namespace (0 privileged, 1 baseline, 0 restricted), 4 workloads: 1 losing enforcement",
    "kdeprecate podsecurity fixtures/podsecurity/ --target 1.29 --diff":
        "fixtures/podsecurity/namespaces/namespaces.yaml:5: Would label namespace shop: enforce=baseline",
    "kdeprecate podsecurity fixtures/podsecurity/blue-1.24.yaml --target 1.29 --print-commands > label-namespaces.sh":
        "kubectl label namespace kube-system --overwrite pod-security.kubernetes.io/enforce=privileged",
    "kdeprecate podsecurity fixtures/podsecurity/ --target 1.29 --fix":
        "fixtures/podsecurity/namespaces/namespaces.yaml:5: Labelling namespace shop: enforce=baseline",
    "kdeprecate podsecurity fixtures/podsecurity/ --target 1.29":
        "9 workloads: 0 losing enforcement, 0 refusing pods, 2 warnings, 0 errors (target 1.29)",
    "kdeprecate scan --audit-log fixtures/usage/gke-export.jsonl --target 1.25":
        "1 file, 0 documents: 2 removed, 0 deprecated, 0 errors (target k8s 1.25)",
    "zcat fixtures/usage/audit/*.gz | kdeprecate scan --audit-log - --target 1.29 --include-system-clients":
        "client system:serviceaccount:kube-system:generic-garbage-collector (user agent kube-controller-manager",
    "kdeprecate scan manifests/ --audit-log fixtures/usage/audit/ --metrics fixtures/usage/metrics.txt --target 1.25 "
    "-o json": '"source": "audit-log"',
    # preflight's warnings and info depend on the day (end of life): its blockers do not
    "kdeprecate preflight fixtures/preflight/eks-1.23 --from 1.23 --target 1.30":
        "Upgrade preflight 1.23 -> 1.30: BLOCKED (26 blockers,",
    "kdeprecate preflight fixtures/preflight/eks-1.23 --from 1.23 --target 1.30 -o html --output-file preflight.html":
        "Upgrade preflight 1.23 -> 1.30: BLOCKED (26 blockers,",
    "kdeprecate preflight fixtures/preflight/eks-1.23 --from 1.23 --target 1.30 -o json --output-file "
    "preflight-baseline.json": "Upgrade preflight 1.23 -> 1.30: BLOCKED (26 blockers,",
    "kdeprecate preflight fixtures/preflight/eks-1.23 --from 1.23 --target 1.30 --baseline preflight-baseline.json":
        "0 new since the baseline)",
    "kdeprecate preflight fixtures/preflight/eks-1.23 --from 1.23 --target 1.30 --config "
    "fixtures/preflight/waivers.kdeprecate.yaml": "1 waived)",
}
# The exit code of the commands the README shows without an `# exit N` comment (the opening example, fix's).
# (Other tests parse those two lines, so they carry no comment.)
UNANNOTATED_EXIT = {"kdeprecate scan fixtures/ --target 1.22": 1, "kdeprecate fix ingress.yaml --target 1.22": 1}
_EXIT_COMMENT = re.compile(r"\s*#\s*exit\s+(\d+)\s*$")


@pytest.fixture(scope="module")
def scratch_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("readme") / "repo"
    shutil.copytree(REPO_ROOT, root, ignore=shutil.ignore_patterns(".git", ".venv", ".ci-venv", "*.egg-info",
                                                                     "__pycache__", ".mypy_cache", ".ruff_cache",
                                                                     ".pytest_cache", ".hypothesis", "dist", "build"))
    shutil.copytree(root / "fixtures" / "shop", root / "manifests")
    shutil.copy(root / "fixtures" / "shop" / "web.yaml", root / "ingress.yaml")
    return root


@pytest.mark.parametrize("line", COMMANDS)
def test_readme_command_runs(line: str, scratch_repo: Path) -> None:
    command = INSTALL_PREFIX.sub("", line)
    expected = re.search(r"#\s*exit\s+(\d+)\s*$", command)
    bare = _EXIT_COMMENT.sub("", command)
    documented_exit = int(expected.group(1)) if expected else UNANNOTATED_EXIT.get(bare)
    assert documented_exit is not None, f"document the exit code in the README: {line}  # exit N"
    shown_lines = SHOWN.get(line) or []
    shown = shown_lines[0] if shown_lines else EXPECTED_LINES.get(bare)
    assert shown, f"a README command needs a line of output to check: show it, or add it to EXPECTED_LINES: {bare}"
    env = dict(os.environ, NO_COLOR="1", PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("GITHUB_ACTIONS", None)
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=scratch_repo, env=env,
                            capture_output=True, text=True, check=False, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    if expected:
        assert result.returncode == int(expected.group(1)), (result.stdout, result.stderr)
    else:
        assert result.returncode in (0, 1), (result.stdout, result.stderr)
    assert result.returncode == documented_exit, (result.stdout, result.stderr)
    written = re.search(r">\s*(\S+)\s*$", bare)
    output = (scratch_repo / written.group(1)).read_text(encoding="utf-8") if written else result.stdout + result.stderr
    assert shown.strip() in output, (shown, output[-2000:])
    # Every line the README shows is what the command prints, in order: an example cannot drift.
    missing = shown_in_order(shown_lines, output)
    assert missing is None, f"the README shows a line the command does not print:\n{missing}\n--- printed:\n{output}"
