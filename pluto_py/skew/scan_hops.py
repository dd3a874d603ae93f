"""``skew --scan PATH``: which manifests must be migrated before which control-plane hop.

Each hop is a full `kdeprecate scan` at that hop's version (charts are rendered for it, cluster
dumps and suppressions read as by `scan`); a finding is attached to the first hop at which its API
is removed (or, for deprecations, deprecated).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pluto_py.core.versions import KubeVersion, VersionError, parse_version


@dataclass
class HopScan:
    removed: dict[KubeVersion, list[object]] = field(default_factory=dict)
    deprecated: dict[KubeVersion, list[object]] = field(default_factory=dict)
    errors: list[object] = field(default_factory=list)  # pluto_py.core.model.ScanError
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
    """Scan ``paths`` at every hop. Raises pluto_py.core.table.TableError if the API table is unusable,
    pluto_py.pipeline.run.ScanRequestError for a request that cannot run."""
    from pluto_py.core.table import load_table
    from pluto_py.pipeline.judge import Targets
    from pluto_py.pipeline.run import ScanRequest, run_scan

    result = HopScan()
    if not hops:
        return result
    table = load_table([])
    ordered = sorted(set(hops))
    seen: set[tuple[str, int | None, int, str, str]] = set()
    for hop in ordered:
        scanned = run_scan(ScanRequest(paths=list(paths), targets=Targets(hop), from_version=current), table).result
        findings = [f for f in scanned.findings if not f.suppressed]
        if hop == ordered[0]:
            result.errors.extend(scanned.errors)
            result.files, result.documents = scanned.files, scanned.documents
        for finding in findings:
            identity = (finding.path, finding.line, finding.document, finding.api_version, finding.status)
            if identity in seen or finding.component != "k8s":
                continue
            if finding.status == "unsupported":  # an add-on (kube-proxy, cluster-autoscaler, ...) to upgrade first
                seen.add(identity)
                result.removed.setdefault(hop, []).append(finding)
            elif finding.status == "removed":
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
