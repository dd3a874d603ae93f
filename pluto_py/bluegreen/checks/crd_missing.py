"""`crd-missing`: blue uses a custom resource whose CustomResourceDefinition green lacks."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.bluegreen.checks.base import Check, CheckContext, describe_objects, is_custom, plural, user_objects
from pluto_py.bluegreen.model import (
    BLOCKER,
    BLUE,
    CRD_KIND,
    WARNING,
    CheckResult,
    ClusterObject,
    ClusterView,
    ObjectRef,
    group_of,
)

ID = "crd-missing"
CRD_API_VERSION = "apiextensions.k8s.io/v1"


def install_order(crd: str | None) -> str:
    """CRDs before their objects, said once for every check that needs it."""
    return (f"CRDs first: apply it and wait until it is Established (kubectl wait --for condition=established "
            f"crd/{crd or 'NAME'}) before applying its objects; Helm installs a chart's crds/ before the rest")


def crds_known(view: ClusterView) -> str | None:
    if not view.knows_crds:
        return "needs green's CRDs: --green with a dump of its CRDs, --green-api-resources, or --green-context"
    return None


def custom_objects(context: CheckContext) -> dict[tuple[str, str], list[ClusterObject]]:
    """Blue's custom resources someone applied or created, by (group, kind)."""
    found: dict[tuple[str, str], list[ClusterObject]] = {}
    for obj in user_objects(context.blue):
        if obj.kind != CRD_KIND and is_custom(obj.api_version, context):
            found.setdefault((group_of(obj.api_version), obj.kind), []).append(obj)
    return found


def green_has_kind(context: CheckContext, group: str, kind: str) -> bool:
    green = context.green
    return green.crd_for(group, kind) is not None or any(
        group_of(gv) == group and kind in kinds for gv, kinds in green.discovered.items())


def _run(context: CheckContext) -> Iterator[CheckResult]:
    blue = context.blue
    used = custom_objects(context)
    for (group, kind), objects in sorted(used.items()):
        if green_has_kind(context, group, kind):
            continue
        crd = blue.crd_for(group, kind)
        name = crd.name if crd is not None else None
        ref = ObjectRef(CRD_API_VERSION, CRD_KIND, name, None) if crd is not None else objects[0].ref
        what = f"CRD {name}" if name else f"a CRD for {kind} ({group})"
        yield CheckResult(
            ID, BLOCKER, ref,
            f"blue has {plural(len(objects), kind + ' object')} ({describe_objects(objects)}) and green has no "
            f"{what}: applying {'it' if len(objects) == 1 else 'them'} on green fails with \"no matches for kind "
            f"{kind}\"",
            f"install {what} on green (with the operator or chart that owns it). {install_order(name)}",
            side=BLUE, where=crd.obj.where if crd is not None else objects[0].where)
    for _key, crd in sorted(blue.crds.items()):
        if (crd.group, crd.kind) in used or green_has_kind(context, crd.group, crd.kind):
            continue
        yield CheckResult(
            ID, WARNING, ObjectRef(CRD_API_VERSION, CRD_KIND, crd.name, None),
            f"CRD {crd.name} is on blue but not on green (no {crd.kind} objects in blue's input: an operator may "
            "create them at run time)",
            f"install it on green with the component that owns it if that component moves too. "
            f"{install_order(crd.name)}",
            side=BLUE, where=crd.obj.where)


CHECK = Check(id=ID, severity=BLOCKER, run=_run, cannot_run=lambda context: crds_known(context.green))
