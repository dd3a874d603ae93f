"""Which (apiVersion, kind) each Kubernetes release serves: data/served_apis.yaml.

Two users: chart rendering (`.Capabilities.APIVersions` of the target) and `fix --from` (a
replacement served by both the current cluster and the target). One loader, one record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pluto_py.core.table import ApiRow, Table, TableError, builtin_data_path
from pluto_py.core.versions import KubeVersion, VersionError, parse_version

SERVED_FILE = "served_apis.yaml"

Span = tuple[KubeVersion, KubeVersion | None]  # first and last release serving it (None: still served)


@dataclass(frozen=True, slots=True)
class ServedApis:
    """Releases serving each (apiVersion, kind), for the releases ``first`` to ``last``."""

    ranges: Mapping[tuple[str, str], tuple[Span, ...]]
    first: KubeVersion
    last: KubeVersion
    missing: frozenset[KubeVersion] = frozenset()  # releases within the range with no data

    def served(self, api_version: str, kind: str, release: KubeVersion) -> bool | None:
        """Whether ``release`` serves it; None when the data does not cover ``release``."""
        if release < self.first or release in self.missing:
            return None
        for first, last in self.ranges.get((api_version, kind), ()):
            if first <= release and (last is None or release <= last):
                return True
        return False

    def first_served(self, api_version: str, kind: str) -> KubeVersion | None:
        return min((first for first, _ in self.ranges.get((api_version, kind), ())), default=None)

    def covered_release(self, target: KubeVersion) -> tuple[KubeVersion, str | None]:
        """The release whose data stands for ``target``, and a note when it is not ``target`` itself."""
        if target > self.last:
            return self.last, f"served-API data ends at {self.last}; using the APIs {self.last} serves"
        if target < self.first:
            return self.first, f"served-API data starts at {self.first}; using the APIs {self.first} serves"
        release = target
        while release in self.missing and release > self.first:
            release = release.bump(-1)
        if release != target:
            return release, f"no served-API data for {target}; using the APIs {release} serves"
        return release, None

    def api_versions_at(self, release: KubeVersion) -> tuple[str, ...]:
        """Group/versions and group/version/kinds ``release`` serves, sorted (helm's APIVersions)."""
        versions: set[str] = set()
        for (api_version, kind), spans in self.ranges.items():
            if any(first <= release and (last is None or release <= last) for first, last in spans):
                versions.add(api_version)
                versions.add(f"{api_version}/{kind}")
        return tuple(sorted(versions))


def served_from_data(data: Any, origin: str) -> ServedApis:
    """Build ServedApis from the parsed file; TableError when it is not one."""
    if not isinstance(data, Mapping) or not isinstance(data.get("apis"), list):
        raise TableError(f"{origin}: not a served-API list (no 'apis' list)")
    try:
        ranges: dict[tuple[str, str], list[Span]] = {}
        for row in data["apis"]:
            last = row.get("last")
            ranges.setdefault((str(row["api_version"]), str(row["kind"])), []).append(
                (parse_version(str(row["first"])), None if last is None else parse_version(str(last))))
        firsts = [span[0] for spans in ranges.values() for span in spans]
        releases = data.get("releases") or {}
        first = parse_version(str(releases["first"])) if releases.get("first") else min(firsts)
        last_release = parse_version(str(releases["last"])) if releases.get("last") else max(firsts)
        missing = frozenset(parse_version(str(m)) for m in data.get("missing_releases") or [])
    except (KeyError, TypeError, AttributeError, ValueError, VersionError) as exc:
        raise TableError(f"{origin}: broken served-API list: {exc}") from None
    return ServedApis({key: tuple(spans) for key, spans in ranges.items()}, first, last_release, missing)


@cache
def load_served() -> ServedApis | None:
    """The shipped served-API data; None when this installation has none. TableError when broken."""
    from pluto_py.core.parse import DocumentError, compose_yaml

    try:
        path = builtin_data_path(SERVED_FILE)
    except TableError:
        return None
    try:
        data, _ = compose_yaml(path.read_text(encoding="utf-8"), 1)
    except DocumentError as exc:
        raise TableError(f"{path}: {exc.message}") from None
    return served_from_data(data, str(path))


_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def version_priority(api_version: str) -> tuple[int, int, int]:
    """Kubernetes' ordering of versions: v1 > v1beta2 > v1beta1 > v1alpha1."""
    match = _VERSION.match(api_version.rpartition("/")[2])
    if not match:
        return (-1, 0, 0)
    stage = {"alpha": 0, "beta": 1, None: 2}[match.group(2)]
    return (stage, int(match.group(1)), int(match.group(3) or 0))


def interim_version(row: ApiRow, from_version: KubeVersion | None, target: KubeVersion,
                    table: Table) -> tuple[str, KubeVersion] | None:
    """What to move to when the table's replacement is not served at ``target`` (or, with --from, not
    yet at ``from_version``), and the first release serving it.

    The candidates are the versions `kdeprecate fix` can write for the object (its migration's
    targets), so scan's advice and fix's rewrite agree. Among those served at ``target`` and not
    removed there: one already served at ``from_version`` if any (migrate before the upgrade), else
    the one served earliest (migrate once the cluster is there). E.g. flowcontrol v1beta1 at target
    1.26: v1beta3; with --from 1.23: v1beta2; an extensions Ingress at 1.18: networking v1beta1.
    None when there is none, or no data.
    """
    if row.component != "k8s":
        return None
    from pluto_py.core.successors import successors

    candidates = successors(row.api_version, row.kind)
    try:
        served = load_served()
    except TableError:
        return None
    if not candidates or served is None:
        return None
    kind = row.replacement_kind or row.kind
    ready: list[tuple[tuple[bool, int, int, int], str, KubeVersion]] = []
    later: list[tuple[KubeVersion, tuple[int, ...], str]] = []
    for candidate in candidates:
        since = served.first_served(candidate, kind)
        if candidate == row.api_version or since is None or not served.served(candidate, kind, target):
            continue
        candidate_row = table.lookup(candidate, kind)
        status = candidate_row.status_at(target) if candidate_row is not None else None
        if status == "removed":
            continue
        rank = (status is None, *version_priority(candidate))
        if from_version is None or served.served(candidate, kind, from_version):
            ready.append((rank, candidate, since))
        else:
            later.append((since, tuple(-part for part in rank), candidate))  # earliest, then best
    if ready:
        _, version, since = max(ready)
        return version, since
    if later:
        since, _, version = min(later)
        return version, since
    return None
