"""Dynamic Resource Allocation (resource.k8s.io) → v1."""

from __future__ import annotations

from typing import Any

from pluto_py.fix.migrations.base import Key, Migration, MigrationContext, Obj, mapping_at

_GROUP = "resource.k8s.io/"
_V1 = (_GROUP + "v1",)
_EXACT_FIELDS = ("deviceClassName", "selectors", "allocationMode", "count", "adminAccess", "tolerations",
                 "capacity", "derivedAttributes")


def _requests(spec: Any, where: str, ctx: MigrationContext) -> None:
    requests = mapping_at(spec, "devices") if isinstance(spec, dict) else None
    items = requests.get("requests") if requests else None
    if not isinstance(items, list):
        return
    moved = False
    for request in items:
        if not isinstance(request, dict) or "exactly" in request or "firstAvailable" in request:
            continue
        exact = {key: value for key, value in request.items() if key in _EXACT_FIELDS}
        if not exact:
            continue
        rebuilt: dict[str, Any] = {}
        for key, value in request.items():
            if key in _EXACT_FIELDS:
                if "exactly" not in rebuilt:
                    rebuilt["exactly"] = exact
            else:
                rebuilt[key] = value
        request.clear()
        request.update(rebuilt)
        moved = True
    if moved:
        ctx.change(f"{where}.devices.requests[]: deviceClassName/selectors/allocationMode/count/... → exactly")


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    version = ctx.source.rpartition("/")[2]
    kind = ctx.kind
    if version in ("v1alpha1", "v1alpha2") and kind in ("ResourceClaim", "ResourceClaimTemplate"):
        ctx.human("classic DRA (resourceClassName/parametersRef) has no automatic translation to structured "
                  "parameters: write spec.devices.requests[] with exactly.deviceClassName naming a DeviceClass")
        return
    if version in ("v1alpha2",) and kind == "ResourceSlice":
        ctx.human("ResourceSlices are published by the DRA driver: upgrade the driver; do not keep them in manifests")
        return
    if version == "v1beta2":
        return
    if kind == "ResourceClaim":
        _requests(obj.get("spec"), "spec", ctx)
    elif kind == "ResourceClaimTemplate":
        _requests(mapping_at(obj, "spec", "spec"), "spec.spec", ctx)
    elif kind == "ResourceSlice":
        devices = mapping_at(obj, "spec")
        flattened = False
        for device in (devices or {}).get("devices") or []:
            if isinstance(device, dict) and isinstance(device.get("basic"), dict):
                basic = device.pop("basic")
                device.update(basic)
                flattened = True
        if flattened:
            ctx.change("spec.devices[].basic.* flattened into spec.devices[]")
            ctx.note("ResourceSlices are published by the DRA driver: the driver must be upgraded too")


def _sources() -> dict[Key, tuple[str, ...]]:
    result: dict[Key, tuple[str, ...]] = {}
    for kind in ("ResourceClaim", "ResourceClaimTemplate"):
        for version in ("v1alpha1", "v1alpha2", "v1alpha3", "v1beta1", "v1beta2"):
            result[(_GROUP + version, kind)] = _V1
    for version in ("v1alpha2", "v1alpha3", "v1beta1", "v1beta2"):
        result[(_GROUP + version, "ResourceSlice")] = _V1
    for version in ("v1alpha3", "v1beta1", "v1beta2"):
        result[(_GROUP + version, "DeviceClass")] = _V1
    result[(_GROUP + "v1alpha3", "DeviceTaintRule")] = _V1
    # Classic DRA kinds without a v1 successor: the next alpha while a target still serves it (interim advice).
    result[(_GROUP + "v1alpha1", "ResourceClass")] = (_GROUP + "v1alpha2",)
    result[(_GROUP + "v1alpha2", "PodSchedulingContext")] = (_GROUP + "v1alpha3",)
    return result


MIGRATION = Migration(
    family="dra",
    sources=_sources(),
    changes="ResourceClaim/ResourceClaimTemplate: devices.requests[] fields → exactly; ResourceSlice: "
            "devices[].basic flattened; DeviceClass, DeviceTaintRule, v1beta2: apiVersion only",
    undecided="classic DRA claims (v1alpha1/v1alpha2: resourceClassName/parametersRef) and v1alpha2 "
              "ResourceSlices: no automatic translation",
    migrate=migrate,
)
