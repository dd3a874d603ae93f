"""Dynamic Resource Allocation (resource.k8s.io) → v1."""

from __future__ import annotations

from typing import Any

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj, mapping_at

_EXACT_FIELDS = ("deviceClassName", "selectors", "allocationMode", "count", "adminAccess", "tolerations",
                 "capacity", "derivedAttributes")


def _requests(spec: Any, where: str, ctx: MigrationContext) -> None:
    requests = mapping_at(spec, "devices") if isinstance(spec, dict) else None
    items = requests.get("requests") if requests else None
    if not isinstance(items, list):
        return
    moved = False
    for index, request in enumerate(items):
        if isinstance(request, dict) and "firstAvailable" in request and any(k in request for k in _EXACT_FIELDS):
            ctx.human(f"{where}.devices.requests[{index}]: firstAvailable together with "
                      f"{', '.join(k for k in _EXACT_FIELDS if k in request)}; a request is one or the other")
            continue
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
        _controller(obj.get("spec"), "spec", ctx)
        _requests(obj.get("spec"), "spec", ctx)
        if "status" in obj:
            del obj["status"]
            ctx.change("status removed (written by the scheduler and drivers; its older shape is not valid in v1)")
    elif kind == "ResourceClaimTemplate":
        _controller(mapping_at(obj, "spec", "spec"), "spec.spec", ctx)
        _requests(mapping_at(obj, "spec", "spec"), "spec.spec", ctx)
    elif kind == "DeviceClass":
        if (mapping_at(obj, "spec") or {}).get("suitableNodes") is not None:
            ctx.human("spec.suitableNodes (v1alpha3 in 1.31, for classic DRA) has no v1 field: restrict the nodes "
                      "through the driver's ResourceSlices (nodeName/nodeSelector) and remove it")
    elif kind == "DeviceTaintRule":
        selector = mapping_at(obj, "spec", "deviceSelector") or {}
        dropped = [key for key in ("deviceClassName", "selectors") if key in selector]
        if dropped:
            ctx.human(f"spec.deviceSelector.{' and '.join(dropped)}: v1 selects the tainted devices by driver, "
                      "pool and device only; rewrite the selector")
    elif kind == "ResourceSlice":
        devices = mapping_at(obj, "spec")
        flattened = wrapped = False
        for device in (devices or {}).get("devices") or []:
            if isinstance(device, dict) and isinstance(device.get("basic"), dict):
                basic = device.pop("basic")
                device.update(basic)
                flattened = True
            capacity = device.get("capacity") if isinstance(device, dict) else None
            if not isinstance(capacity, dict):
                continue
            for name, value in capacity.items():
                if not isinstance(value, dict):  # v1alpha3: a bare quantity; v1beta1 on: {value: quantity}
                    capacity[name] = {"value": value}
                    wrapped = True
        if flattened:
            ctx.change("spec.devices[].basic.* flattened into spec.devices[]")
        if wrapped:
            ctx.change("spec.devices[].capacity.<name>: a quantity → {value: quantity}")
        if flattened or wrapped:
            ctx.note("ResourceSlices are published by the DRA driver: the driver must be upgraded too")


def _controller(spec: Any, where: str, ctx: MigrationContext) -> None:
    """spec.controller (v1alpha3 in 1.31): a control-plane controller allocated the claim (classic DRA)."""
    if not isinstance(spec, dict) or "controller" not in spec:
        return
    if spec["controller"]:
        ctx.human(f"{where}.controller names a control-plane DRA controller (classic DRA, dropped in 1.32): v1 "
                  "claims are allocated by the scheduler from ResourceSlices; remove it once the driver publishes "
                  "them")
        return
    del spec["controller"]
    ctx.change(f"{where}.controller (empty) removed")


MIGRATION = Migration(
    family="dra",
    changes="ResourceClaim/ResourceClaimTemplate: devices.requests[] fields → exactly; ResourceSlice: "
            "devices[].basic flattened, bare capacity quantities → {value}; DeviceClass, DeviceTaintRule, v1beta2: "
            "apiVersion only",
    undecided="classic DRA claims (v1alpha1/v1alpha2: resourceClassName/parametersRef, v1alpha3 "
              "spec.controller), DeviceClass suitableNodes, DeviceTaintRule selectors by class or CEL, and v1alpha2 "
              "ResourceSlices: no automatic translation",
    migrate=migrate,
)
