"""``skew --scan PATH``: which manifests must be migrated before which control-plane hop.

The documents are read once and judged at every hop's version with the scanner; a finding is
attached to the first hop at which its API is removed (or, for deprecations, deprecated).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pluto_py.versions import KubeVersion, VersionError, parse_version


@dataclass
class HopScan:
    removed: dict[KubeVersion, list[object]] = field(default_factory=dict)
    deprecated: dict[KubeVersion, list[object]] = field(default_factory=dict)
    errors: list[object] = field(default_factory=list)  # pluto_py.model.ScanError
    files: int = 0
    documents: int = 0


def _first_hop(since: str | None, hops: Sequence[KubeVersion]) -> KubeVersion | None:
    if since is None:
        return None
    try:
        version = parse_version(since)
    except VersionError:
        return None
    for hop in hops:
        if version <= hop:
            return hop
    return None


def scan_for_hops(paths: Sequence[str], hops: Sequence[KubeVersion], current: KubeVersion) -> HopScan:
    """Scan ``paths`` at every hop; raises pluto_py.table.TableError if the API table is unusable."""
    from pluto_py.scan import Targets, scan_stream
    from pluto_py.sources import InputStats, SourceOptions, iter_documents
    from pluto_py.table import load_table

    result = HopScan()
    if not hops:
        return result
    table = load_table([])
    stats = InputStats()
    items = list(iter_documents(list(paths), SourceOptions(target=str(hops[-1])), stats))
    result.files, result.documents = stats.files, stats.documents
    ordered = sorted(set(hops))
    seen: set[tuple[str, int, int, str, str]] = set()
    for hop in ordered:
        findings, errors = scan_stream(items, table, Targets(hop), from_version=current)
        if hop == ordered[0]:
            result.errors.extend(errors)
        for finding in findings:
            identity = (finding.path, finding.line, finding.document, finding.api_version, finding.status)
            if identity in seen or finding.component != "k8s":
                continue
            if finding.status == "removed":
                when = _first_hop(finding.removed_in, ordered)
                if when == hop:
                    seen.add(identity)
                    result.removed.setdefault(hop, []).append(finding)
            elif finding.status == "deprecated":
                when = _first_hop(finding.deprecated_in, ordered)
                if when == hop:
                    seen.add(identity)
                    result.deprecated.setdefault(hop, []).append(finding)
    return result
