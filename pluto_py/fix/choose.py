"""Which apiVersion an object moves to: the table's replacement, or, when that is not served where
the object must apply (the --target, and with --from the cluster before the upgrade), the newest
version the migration can write that is served at both."""

from __future__ import annotations

from dataclasses import dataclass

from pluto_py.core.served import ServedApis, version_priority
from pluto_py.core.table import ApiRow, Table
from pluto_py.core.versions import KubeVersion


@dataclass(frozen=True, slots=True)
class Choice:
    api_version: str | None
    reason: str = ""  # why there is none


def choose(row: ApiRow, candidates: tuple[str, ...], table: Table, target: KubeVersion,
           from_version: KubeVersion | None, served: ServedApis | None) -> Choice:
    """The apiVersion to write for an object of ``row`` (None, with the reason, when there is none)."""
    kind = row.replacement_kind or row.kind
    replacement = row.replacement
    if replacement is None and not [c for c in candidates if c != row.api_version]:
        return Choice(None, "the API has no replacement")
    available = row.replacement_available_in
    if replacement is not None and from_version is None and available is not None and available <= target:
        return Choice(replacement)
    if replacement is None and served is None:
        return Choice(None, "the API has no replacement (no data on which older versions are served)")
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
    if replacement is None:
        return Choice(None, f"the API has no replacement, and no version of {kind} is served at {target}")
    first = served.first_served(replacement, kind) or available
    if from_version is not None:
        return Choice(None, f"no version of {kind} is served by both {from_version} (--from) and {target} "
                            f"(--target): {replacement} is served from {first}; migrate after upgrading "
                            f"to {first}, or upgrade in steps")
    return Choice(None, f"{replacement} is only served from {first}, after {target}")
