"""deploy/Containerfile cannot be built here (no container engine): its essentials are checked by reading it."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

import pytest
import yaml

from tests.conftest import REPO_ROOT

CONTAINERFILE = REPO_ROOT / "deploy" / "Containerfile"
CHART = REPO_ROOT / "deploy" / "chart" / "kdeprecate"


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [arguments for instruction, arguments in self.instructions if instruction == keyword]


def instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction: comments dropped, continuation lines joined."""
    found: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, arguments = line.partition(" ")
        found.append((keyword.upper(), " ".join(arguments.split())))
    assert not pending, "the file ends inside a continued line"
    return found


def parse(text: str) -> tuple[dict[str, str], list[Stage]]:
    """Global ARG defaults and the stages, with ${ARG} in FROM resolved."""
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for keyword, arguments in instructions(text):
        if keyword == "ARG" and not stages:
            name, _, default = arguments.partition("=")
            args[name] = default
        elif keyword == "FROM":
            image = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args[m.group(1) or m.group(2)], arguments.split()[0])
            words = arguments.split()
            stages.append(Stage(image, words[2] if len(words) == 3 and words[1].upper() == "AS" else None))
        else:
            assert stages, f"{keyword} before the first FROM"
            stages[-1].instructions.append((keyword, arguments))
    return args, stages


def problems(text: str) -> list[str]:
    """What keeps an image recipe from being acceptable: unpinned bases, root, no kdeprecate entrypoint."""
    _, stages = parse(text)
    found = [] if len(stages) >= 2 else ["not multi-stage"]
    names = [stage.name for stage in stages]
    for stage in stages:
        if stage.image in names:
            continue
        repository, _, digest = stage.image.partition("@")
        last = repository.rsplit("/", 1)[-1]
        if ":" not in last and not digest.startswith("sha256:"):
            found.append(f"{stage.image}: no tag or digest")
        elif last.endswith(":latest"):
            found.append(f"{stage.image}: the latest tag moves")
    final = stages[-1]
    users = final.all("USER")
    uid, _, gid = (users[-1] if users else "").partition(":")
    if not (uid.isdigit() and int(uid) > 0 and (not gid or (gid.isdigit() and int(gid) > 0))):
        found.append(f"final stage user {users[-1] if users else 'root (none set)'}: not a numeric non-root user")
    if final.all("ENTRYPOINT") != ['["kdeprecate"]']:  # the exec form: no shell between signals and the tool
        found.append('ENTRYPOINT is not ["kdeprecate"]')
    return found


TEXT = CONTAINERFILE.read_text(encoding="utf-8")
ARGS, STAGES = parse(TEXT)
FINAL = STAGES[-1]


def test_multi_stage_pinned_bases_non_root_user_kdeprecate_entrypoint() -> None:
    assert problems(TEXT) == []
    assert ARGS["PYTHON_IMAGE"].startswith("docker.io/library/python:3.")


@pytest.mark.parametrize("text, problem", [
    ('FROM python:latest AS a\nFROM a\nUSER 1000\nENTRYPOINT ["kdeprecate"]', "the latest tag moves"),
    ('ARG BASE=python\nFROM ${BASE} AS a\nFROM a\nUSER 1000\nENTRYPOINT ["kdeprecate"]', "no tag or digest"),
    ('FROM python:3.12 AS a\nFROM a\nENTRYPOINT ["kdeprecate"]', "root (none set)"),
    ('FROM python:3.12 AS a\nFROM a\nUSER kdeprecate\nENTRYPOINT ["kdeprecate"]', "not a numeric non-root"),
    ('FROM python:3.12 AS a\nFROM a\nUSER 0:0\nENTRYPOINT ["kdeprecate"]', "not a numeric non-root"),
    ('FROM python:3.12\nUSER 1000\nENTRYPOINT ["kdeprecate"]', "not multi-stage"),
    ("FROM python:3.12 AS a\nFROM a\nUSER 1000\nENTRYPOINT kdeprecate", "ENTRYPOINT"),
])
def test_the_checks_catch_what_they_are_for(text: str, problem: str) -> None:
    found = problems(text)
    assert len(found) == 1 and problem in found[0], found


def test_chart_runs_the_image_as_its_user() -> None:
    uid, _, gid = FINAL.all("USER")[-1].partition(":")
    # The kubelet checks runAsNonRoot against the number; the chart sets the same one explicitly.
    cronjob = (CHART / "templates" / "cronjob.yaml").read_text(encoding="utf-8")
    assert f"runAsUser: {uid}" in cronjob and f"runAsGroup: {gid or uid}" in cronjob


def test_final_stage_has_no_sources_and_a_writable_home_only_under_tmp() -> None:
    copies = FINAL.all("COPY")
    assert copies and all(copy.startswith("--from=") for copy in copies)
    environment = " ".join(FINAL.all("ENV"))
    assert "PATH=/opt/kdeprecate/bin:" in environment and "HOME=/tmp" in environment
    assert "PYTHONDONTWRITEBYTECODE=1" in environment


def test_installs_the_wheel_built_from_this_checkout_with_the_cluster_extra() -> None:
    builders = [stage for stage in STAGES if any("-m build --wheel" in run for run in stage.all("RUN"))]
    assert len(builders) == 1
    [builder] = builders
    copied = {copy.split()[0] for copy in builder.all("COPY")} | {
        word for copy in builder.all("COPY") for word in copy.split()[:-1]}
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = project["tool"]["hatch"]["build"]["targets"]["wheel"]
    needed = {"pyproject.toml", project["project"]["readme"], *wheel["packages"], *wheel.get("force-include", {})}
    assert needed <= copied, f"the wheel stage lacks {sorted(needed - copied)}"
    runs = [run for stage in STAGES for run in stage.all("RUN")]
    installs = [run for run in runs if re.search(r"\bpip install\b", run) and "kdeprecate" in run]
    assert len(installs) == 1
    [install] = installs
    assert 'wheel="$(ls /dist/kdeprecate-*.whl)"' in install and '"${wheel}[cluster]"' in install
    # kdeprecate only ever comes from that wheel, never by name from an index.
    assert not re.search(r"pip install [^&]*(?<![/-])\bkdeprecate\b(?!-)", install.replace("/opt/kdeprecate", ""))
    install_stage = next(stage for stage in STAGES if install in stage.all("RUN"))
    assert f"--from={builder.name} /dist /dist" in install_stage.all("COPY")


def test_chart_app_version_is_the_image_tag_it_pulls() -> None:
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text(encoding="utf-8"))
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert chart["appVersion"] == project["project"]["version"]
