"""`stateful-data`: a workload on blue keeps data in PersistentVolumeClaims; a manifest move does not move it."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.bluegreen.checks.base import Check, CheckContext, pod_spec, workloads
from pluto_py.bluegreen.model import BLUE, WARNING, CheckResult, ClusterObject, mapping, sequence, text

ID = "stateful-data"


def claims(obj: ClusterObject) -> list[str]:
    """The PersistentVolumeClaims a workload uses (a StatefulSet's per-replica claims by their names)."""
    found: list[str] = []
    if obj.kind == "StatefulSet":
        replicas = obj.spec.get("replicas")
        count = replicas if isinstance(replicas, int) and not isinstance(replicas, bool) else 1
        for template in sequence(obj.spec.get("volumeClaimTemplates")):
            name = text(mapping(mapping(template).get("metadata")).get("name"))
            if name:
                found.extend(f"{name}-{obj.name}-{index}" for index in range(count))
    for volume in sequence(pod_spec(obj).get("volumes")):
        claim = text(mapping(mapping(volume).get("persistentVolumeClaim")).get("claimName"))
        if claim:
            found.append(claim)
    return found


def _run(context: CheckContext) -> Iterator[CheckResult]:
    for obj in workloads(context.blue):
        used = claims(obj)
        if not used:
            continue
        shown = ", ".join(used[:4]) + (f" and {len(used) - 4} more" if len(used) > 4 else "")
        yield CheckResult(
            ID, WARNING, obj.ref,
            f"{obj.ref} keeps data in PersistentVolumeClaims ({shown}); applying its manifests on green creates "
            "empty volumes",
            "move the data before switching: restore a backup or volume snapshot into green's claims (Velero, CSI "
            "VolumeSnapshots), or replicate (a replica on green, promoted at the switch); stop writes on blue for "
            "the final sync",
            side=BLUE, where=obj.where)


CHECK = Check(id=ID, severity=WARNING, run=_run)
