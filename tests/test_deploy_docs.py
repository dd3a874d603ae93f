"""The Fleets documentation stays true: its helm commands render, its example output is real output.

`helm install` needs a cluster, so tests/test_readme.py does not run it; here each one shown (in the
README's Fleets section and in deploy/README.md) is rendered with Helm's engine and the same --set values.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

import pytest

from pluto_py.core.model import ScanResult
from pluto_py.core.versions import parse_version
from pluto_py.report import ReportContext
from pluto_py.report.prometheus import PrometheusReporter
from pluto_py.sources.helm import RenderRequest, render_with_sdk, served_apis
from tests.conftest import FIXTURES, REPO_ROOT, CliResult, readme_section

Cli = Callable[..., CliResult]
FLEETS = readme_section("Fleets: a scheduled in-cluster scan")
DEPLOY_README = (REPO_ROOT / "deploy" / "README.md").read_text(encoding="utf-8")


def helm_installs(markdown: str) -> list[list[str]]:
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", markdown, flags=re.DOTALL):
        joined = re.sub(r"\\\n\s*", " ", block)
        commands += [shlex.split(line) for line in joined.splitlines() if line.startswith("helm install ")]
    return commands


HELM_INSTALLS = helm_installs(FLEETS) + helm_installs(DEPLOY_README)


def test_both_documents_show_helm_installs() -> None:
    assert len(helm_installs(FLEETS)) == 1 and len(helm_installs(DEPLOY_README)) == 2


@pytest.mark.parametrize("command", HELM_INSTALLS, ids=lambda command: " ".join(command[7:]))
def test_documented_helm_install_renders(command: list[str]) -> None:
    assert command[:4] == ["helm", "install", "kdeprecate", "deploy/chart/kdeprecate"]
    namespace, sets, rest = "default", [], iter(command[4:])
    for flag in rest:
        if flag == "--namespace":
            namespace = next(rest)
        elif flag == "--set":
            sets.append(next(rest))
        else:
            assert flag == "--create-namespace", flag
    assert sets
    request = RenderRequest(REPO_ROOT / "deploy" / "chart" / "kdeprecate", "v1.31.0",
                            served_apis(parse_version("1.31")).api_versions, set_values=tuple(sets),
                            release_name="kdeprecate", namespace=namespace)
    rendered = render_with_sdk(request)
    cronjob = rendered.manifests["kdeprecate/templates/cronjob.yaml"]
    assert "registry.example.com/platform/kdeprecate:0.1.0" in cronjob and '- "1.31"' in cronjob


def test_readme_example_output_is_what_the_shown_command_prints(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "kdeprecate scan manifests/ --target 1.25 -o prometheus > kdeprecate.prom  # exit 1" in FLEETS
    [example] = re.findall(r"```text\n(.*?)```", FLEETS, flags=re.DOTALL)
    monkeypatch.chdir(FIXTURES)  # the README's manifests/ is a copy of fixtures/shop
    result = cli("scan", "shop", "--no-config", "--target", "1.25", "-o", "prometheus")
    assert result.code == 1
    printed = set(result.stdout.splitlines())
    assert example.splitlines() and set(example.splitlines()) <= printed


def test_deploy_readme_lists_every_metric() -> None:
    report = PrometheusReporter().render(ScanResult((), (), 0, 0, {"k8s": "1.31"}), ReportContext("0", "removed"))
    names = {line.split()[2] for line in report.splitlines() if line.startswith("# TYPE ")}
    assert len(names) == 8
    table = DEPLOY_README[DEPLOY_README.index("## Metrics"):]
    assert all(f"`{name}`" in table for name in names), sorted(n for n in names if f"`{n}`" not in table)
    assert all(f"`{name}`" in FLEETS or name.removeprefix("kdeprecate_scan") in FLEETS for name in names)
