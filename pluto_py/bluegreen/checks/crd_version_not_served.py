"""`crd-version-not-served`: blue applies a custom resource at a version green's CRD does not serve."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.bluegreen.checks.base import Check, CheckContext
from pluto_py.bluegreen.checks.crd_missing import crds_known, custom_objects, green_has_kind, install_order
from pluto_py.bluegreen.model import BLOCKER, BLUE, CheckResult

ID = "crd-version-not-served"


def _run(context: CheckContext) -> Iterator[CheckResult]:
    blue, green = context.blue, context.green
    for (group, kind), objects in sorted(custom_objects(context).items()):
        if not green_has_kind(context, group, kind):
            continue  # crd-missing
        crd = green.crd_for(group, kind)
        for obj in objects:
            if obj.applied is None:
                continue  # created by other means: its apiVersion is only what the client asked for
            api_version = obj.api_version
            if green.served(api_version, kind) is not False:
                continue
            served = (list(crd.served_versions) if crd is not None else
                      sorted(gv.rpartition("/")[2] for gv, kinds in green.discovered.items()
                             if gv.startswith(group + "/") and kind in kinds))
            best = (crd.storage_version if crd is not None and crd.storage_version else served[-1] if served else None)
            named = f"green's CRD {crd.name}" if crd is not None else f"green ({group})"
            blue_crd = blue.crd_for(group, kind)
            both = (blue_crd is not None and best is not None and best in blue_crd.served_versions)
            if best:
                origin = "storage version" if crd is not None and crd.storage_version else "served version"
                fix = f"rewrite it as {group}/{best} (green's {origin})"
                if both:
                    fix += f"; blue serves {group}/{best} too, so migrate and re-apply it on blue first"
            else:
                fix = "rewrite it at a version green serves"
            if crd is not None:
                fix += f". {install_order(crd.name)}"
            yield CheckResult(
                ID, BLOCKER, obj.ref,
                f"{obj.ref} is applied on blue as {api_version}; {named} serves only "
                f"{', '.join(served) if served else 'other versions'}, so applying it on green fails",
                fix, side=BLUE, where=obj.where)


CHECK = Check(id=ID, severity=BLOCKER, run=_run, cannot_run=lambda context: crds_known(context.green))
