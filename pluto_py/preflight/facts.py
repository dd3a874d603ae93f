"""The facts preflight judges with, read from data/preflight/*.yaml and validated by their schema.

Each file holds one kind of fact, every row with its source and the date it was read:
end-of-life dates, node runtime requirements, removed flags, removed feature gates.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from pluto_py.core.versions import KubeVersion, parse_version

FACTS_DIR = "preflight"
SCHEMA_FILE = f"{FACTS_DIR}/preflight_facts.schema.json"
FACT_FILES = ("end_of_life.yaml", "node_runtime.yaml", "removed_flags.yaml", "removed_feature_gates.yaml")


class FactsError(ValueError):
    """A shipped facts file that is missing or does not match its schema: the installation is broken."""


@dataclass(frozen=True, slots=True)
class EndOfLife:
    release: KubeVersion
    date: date
    final: bool  # False: the planned date of a release still maintained when read
    source: str


@dataclass(frozen=True, slots=True)
class RemovedFlag:
    component: str
    flag: str
    removed_in: KubeVersion
    source: str


@dataclass(frozen=True, slots=True)
class RemovedGate:
    gate: str
    removed_in: KubeVersion
    source: str


@dataclass(frozen=True, slots=True)
class CgroupV1Image:
    pattern: re.Pattern[str]
    name: str
    source: str


@dataclass(frozen=True, slots=True)
class ContainerdMinimum:
    first_release: KubeVersion
    minimum: tuple[int, int]
    source: str


@dataclass(frozen=True, slots=True)
class NodeRuntimeFacts:
    dockershim_removed_in: KubeVersion
    dockershim_source: str
    containerd: tuple[ContainerdMinimum, ...]
    cgroup_v1_maintenance_from: KubeVersion
    cgroup_v1_maintenance_source: str
    cgroup_v1_refused_from: KubeVersion
    cgroup_v1_refused_source: str
    cgroup_v1_images: tuple[CgroupV1Image, ...]


@dataclass(frozen=True, slots=True)
class Facts:
    end_of_life: tuple[EndOfLife, ...]
    node_runtime: NodeRuntimeFacts
    removed_flags: tuple[RemovedFlag, ...]
    removed_gates: tuple[RemovedGate, ...]

    def end_of_life_of(self, release: KubeVersion) -> EndOfLife | None:
        return next((row for row in self.end_of_life if row.release == release), None)

    def flags_removed_by(self, component: str, target: KubeVersion) -> dict[str, RemovedFlag]:
        return {row.flag: row for row in self.removed_flags if row.component == component and row.removed_in <= target}

    def gates_removed_by(self, target: KubeVersion) -> dict[str, RemovedGate]:
        return {row.gate: row for row in self.removed_gates if row.removed_in <= target}


def _read(name: str, validator: Any) -> dict[str, Any]:
    from pluto_py.core.table import TableError, builtin_data_path
    from pluto_py.core.userfiles import UserFileError, parse_user_yaml

    try:
        path = builtin_data_path(f"{FACTS_DIR}/{name}")
        data = parse_user_yaml(path.read_text(encoding="utf-8"), str(path))
    except (TableError, UserFileError, OSError) as exc:
        raise FactsError(str(exc)) from None
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "(top level)"
        raise FactsError(f"{path}: {where}: {errors[0].message}")
    loaded: dict[str, Any] = data
    return loaded


def facts_from_data(documents: dict[str, Any]) -> Facts:
    """Facts from the parsed (and schema-valid) files' contents, keyed by their top-level key."""
    eol = tuple(EndOfLife(parse_version(row["release"]), date.fromisoformat(row["date"]), row["status"] == "final",
                          row["source"]) for row in documents["end_of_life"])
    runtime = documents["node_runtime"]
    cgroup = runtime["cgroup_v1"]
    node_runtime = NodeRuntimeFacts(
        dockershim_removed_in=parse_version(runtime["dockershim"]["removed_in"]),
        dockershim_source=runtime["dockershim"]["source"],
        containerd=tuple(ContainerdMinimum(parse_version(row["first_release"]),
                                           _major_minor(row["minimum_version"]), row["source"])
                         for row in runtime["containerd"]),
        cgroup_v1_maintenance_from=parse_version(cgroup["maintenance_from"]),
        cgroup_v1_maintenance_source=cgroup["maintenance_source"],
        cgroup_v1_refused_from=parse_version(cgroup["kubelet_refuses_from"]),
        cgroup_v1_refused_source=cgroup["refuses_source"],
        cgroup_v1_images=tuple(CgroupV1Image(re.compile(row["pattern"]), row["name"], row["source"])
                               for row in cgroup["os_images"]),
    )
    flags = tuple(RemovedFlag(row["component"], row["flag"], parse_version(row["removed_in"]), row["source"])
                  for row in documents["removed_flags"])
    gates: list[RemovedGate] = []
    for row in documents["removed_feature_gates"]:
        removed_in, last = parse_version(row["removed_in"]), parse_version(row["last_release"])
        if removed_in != last.bump(1):
            raise FactsError(f"feature gate {row['gate']}: removed_in {removed_in} must follow last_release {last}")
        gates.append(RemovedGate(row["gate"], removed_in, row["source"]))
    return Facts(eol, node_runtime, flags, tuple(gates))


def _major_minor(text: str) -> tuple[int, int]:
    major, _, minor = text.partition(".")
    return int(major), int(minor)


@cache
def load_facts() -> Facts:
    """The shipped facts. Raises FactsError when a file is missing or invalid."""
    import jsonschema

    from pluto_py.core.table import builtin_data_path

    schema = json.loads(builtin_data_path(SCHEMA_FILE).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    documents: dict[str, Any] = {}
    for name in FACT_FILES:
        documents.update(_read(name, validator))
    try:
        return facts_from_data(documents)
    except (KeyError, ValueError, re.error) as exc:
        if isinstance(exc, FactsError):
            raise
        raise FactsError(f"data/{FACTS_DIR}: {exc}") from None
