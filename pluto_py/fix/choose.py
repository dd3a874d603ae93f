"""Which apiVersion an object moves to: the table's replacement, or, when that is not served where
the object must apply (the --target, and with --from the cluster before the upgrade), the newest
version the migration can write that is served at both."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pluto_py.table import ApiRow, Table, TableError, builtin_data_path
from pluto_py.versions import KubeVersion, parse_version

SERVED_FILE = "served_apis.yaml"


@dataclass(frozen=True)
class ServedApis:
    """Releases serving each (apiVersion, kind), from data/served_apis.yaml."""

    ranges: Mapping[tuple[str, str], tuple[tuple[KubeVersion, KubeVersion | None], ...]]
    first: KubeVersion
    last: KubeVersion

    def served(self, api_version: str, kind: str, release: KubeVersion) -> bool | None:
        """Whether ``release`` serves it; None when the data does not reach back to ``release``."""
        if release < self.first:
            return None
        for first, last in self.ranges.get((api_version, kind), ()):
            if first <= release and (last is None or release <= last):
                return True
        return False

    def first_served(self, api_version: str, kind: str) -> KubeVersion | None:
        spans = self.ranges.get((api_version, kind), ())
        return min((first for first, _ in spans), default=None)


def served_from_data(data: Any, origin: str) -> ServedApis:
    if not isinstance(data, dict) or not isinstance(data.get("apis"), list):
        raise TableError(f"{origin}: not a served-API list")
    ranges: dict[tuple[str, str], list[tuple[KubeVersion, KubeVersion | None]]] = {}
    for row in data["apis"]:
        last = row.get("last")
        ranges.setdefault((str(row["api_version"]), str(row["kind"])), []).append(
            (parse_version(str(row["first"])), parse_version(str(last)) if last is not None else None))
    releases = data.get("releases") or {}
    return ServedApis({key: tuple(value) for key, value in ranges.items()},
                      parse_version(str(releases.get("first", "1.9"))), parse_version(str(releases.get("last", "1.9"))))


@cache
def load_served() -> ServedApis | None:
    """The shipped served-API data; None when this installation has none."""
    from ruamel.yaml import YAML

    try:
        path = builtin_data_path(SERVED_FILE)
    except TableError:
        return None
    return served_from_data(YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8")), str(path))


_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def version_priority(api_version: str) -> tuple[int, int, int]:
    """Kubernetes' ordering of versions: v1 > v1beta2 > v1beta1 > v1alpha1."""
    match = _VERSION.match(api_version.rpartition("/")[2])
    if not match:
        return (-1, 0, 0)
    stage = {"alpha": 0, "beta": 1, None: 2}[match.group(2)]
    return (stage, int(match.group(1)), int(match.group(3) or 0))


@dataclass(frozen=True)
class Choice:
    api_version: str | None
    reason: str = ""  # why there is none


def choose(row: ApiRow, candidates: tuple[str, ...], table: Table, target: KubeVersion,
           from_version: KubeVersion | None, served: ServedApis | None) -> Choice:
    """The apiVersion to write for an object of ``row`` (None, with the reason, when there is none)."""
    kind = row.replacement_kind or row.kind
    replacement = row.replacement
    if replacement is None:
        return Choice(None, "the API has no replacement")
    available = row.replacement_available_in
    if from_version is None and available is not None and available <= target:
        return Choice(replacement)
    if served is None:
        if available is not None and available <= target and (from_version is None or available <= from_version):
            return Choice(replacement)
        return Choice(None, f"{replacement} is served from {available}; no data on older versions to fall back on")
    usable: list[tuple[tuple[int, ...], str]] = []
    for candidate in candidates:
        if candidate == row.api_version:
            continue
        if not served.served(candidate, kind, target):
            continue
        if from_version is not None and not served.served(candidate, kind, from_version):
            continue
        candidate_row = table.lookup(candidate, kind)
        status = candidate_row.status_at(target) if candidate_row else None
        if status == "removed":
            continue
        usable.append(((status is None, *version_priority(candidate)), candidate))
    if usable:
        return Choice(max(usable)[1])
    first = served.first_served(replacement, kind) or available
    if from_version is not None:
        return Choice(None, f"no version of {kind} is served by both {from_version} (--from) and {target} "
                            f"(--target): {replacement} is served from {first}; migrate after upgrading "
                            f"to {first}, or upgrade in steps")
    return Choice(None, f"{replacement} is only served from {first}, after {target}")
