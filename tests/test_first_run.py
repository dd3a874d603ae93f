"""The first run is the real one: a plain install gets Helm's engine where helm-python-sdk has a wheel,
and where it has none the static reading says once what to install."""

from __future__ import annotations

import tomllib
from collections.abc import Callable

import pytest
from packaging.requirements import Requirement

from pluto_py.sources import helm
from tests.conftest import REPO_ROOT, CliResult

PLATFORMS = [(system, machine) for system in ("linux", "darwin", "win32", "freebsd")
             for machine in ("x86_64", "aarch64", "arm64", "AMD64", "ARM64", "armv7l", "ppc64le", "s390x")]


def _sdk_requirement() -> Requirement:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    [requirement] = [Requirement(d) for d in project["dependencies"] if d.startswith("helm-python-sdk")]
    return requirement


@pytest.mark.parametrize(("system", "machine"), PLATFORMS)
def test_the_sdk_is_a_dependency_exactly_where_it_has_a_wheel(system: str, machine: str) -> None:
    marker = _sdk_requirement().marker
    assert marker is not None
    wanted = marker.evaluate({"sys_platform": system, "platform_machine": machine})
    assert wanted == ((system, machine) in helm.HELM_SDK_WHEEL_PLATFORMS)


def test_static_reading_says_once_what_to_install(cli: Callable[..., CliResult],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(helm.ENGINE_ENV, helm.ENGINE_STATIC)
    charts = REPO_ROOT / "fixtures" / "charts"
    result = cli("scan", str(charts / "shop"), str(charts / "shop" / "templates" / "pdb.yaml"), "--no-config",
                 "--target", "1.25")
    assert result.code == 1
    hints = [line for line in result.stderr.splitlines() if "to render charts with Helm's own engine" in line]
    assert hints == [f"kdeprecate: warning: {helm.static_render_hint()}"]
    assert "kdeprecate[helm]" in hints[0] or "publishes no wheel" in hints[0]


def test_the_hint_names_the_platform_when_no_wheel_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    import platform
    import sys

    monkeypatch.setattr(sys, "platform", "freebsd14")
    monkeypatch.setattr(platform, "machine", lambda: "amd64")
    hint = helm.static_render_hint()
    assert "helm binary on PATH" in hint and "freebsd14/amd64" in hint and "pip install" not in hint
