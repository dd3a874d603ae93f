"""DRA (resource.k8s.io) migrations to v1 write only objects strict validation accepts at the target, or
leave the object to a human: every field of every older version, built from the release's own schema."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from pluto_py.fix import MIGRATED, NEEDS_HUMAN
from tests.test_fix_helpers import fix, objects_of, validate_strict

GROUP = "resource.k8s.io/"
KINDS = ("DeviceClass", "ResourceClaim", "ResourceClaimTemplate", "ResourceSlice", "DeviceTaintRule")
# (release whose schema writes the source, its version): each migrated at the first release serving v1
# for it (a later target may drop fields of alpha features the source release had).
SOURCES = [("1.31", "v1alpha3"), ("1.32", "v1alpha3"), ("1.33", "v1alpha3"), ("1.32", "v1beta1"),
           ("1.33", "v1beta1"), ("1.33", "v1beta2"), ("1.36", "v1beta1"), ("1.36", "v1beta2"), ("1.37", "v1alpha3")]


@cache
def _definitions(release: str) -> dict[str, Any]:
    import kubernetes_validate

    root = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / f"v{release}.0-local-strict"
    data = json.loads((root / "_definitions.json").read_text())
    return dict(data.get("$defs") or data["definitions"])


def _instance(release: str, schema: dict[str, Any], request: str) -> Any:
    """A value with every field the schema allows (one of each list and map), valid for the schema."""
    defs = _definitions(release)
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        special = {"Quantity": "2", "RawExtension": {"a": 1}, "Time": "2024-01-01T00:00:00Z",
                   "ObjectMeta": {"name": "x"}}
        for suffix, value in special.items():
            if name.endswith("." + suffix):
                return value
        return _instance(release, defs[name], request)
    if "allOf" in schema:
        return _instance(release, schema["allOf"][0], request)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next(k for k in kind if k != "null")
    if "properties" in schema:
        props = schema["properties"]
        out = {key: _instance(release, value, request) for key, value in props.items() if key != "status"}
        if "firstAvailable" in props and "deviceClassName" in props:
            # A request is exact or a list of alternatives, never both (validation).
            keep_first = request == "firstAvailable"
            out = {k: v for k, v in out.items()
                   if k == "name" or (k == "firstAvailable") == keep_first}
        return out
    if kind == "object":
        extra = schema.get("additionalProperties")
        return {"example.com/k": _instance(release, extra, request)} if isinstance(extra, dict) else {}
    if kind == "array":
        return [_instance(release, schema.get("items", {}), request)]
    return {"string": schema.get("enum", ["x"])[0], "integer": 1, "number": 1, "boolean": True}.get(str(kind), "x")


def _source(release: str, version: str, kind: str, request: str = "exact") -> dict[str, Any] | None:
    name = f"io.k8s.api.resource.{version}.{kind}"
    if name not in _definitions(release):
        return None
    obj = _instance(release, _definitions(release)[name], request)
    obj.update(apiVersion=GROUP + version, kind=kind)
    return dict(obj)


def _dump(obj: dict[str, Any]) -> str:
    stream = io.StringIO()
    YAML(typ="safe", pure=True).dump(obj, stream)
    return stream.getvalue()


def _target(release: str, version: str, kind: str) -> str:
    return max(release, "1.37" if kind == "DeviceTaintRule" else "1.34")


CASES = [(release, version, kind, request) for release, version in SOURCES for kind in KINDS
         for request in (("exact", "firstAvailable") if kind.startswith("ResourceClaim") else ("exact",))]


@pytest.mark.parametrize(("release", "version", "kind", "request_shape"), CASES,
                         ids=[f"{r}-{v}-{k}-{q}" for r, v, k, q in CASES])
def test_every_field_of_every_version_migrates_to_a_valid_object_or_to_a_human(
        release: str, version: str, kind: str, request_shape: str) -> None:
    obj = _source(release, version, kind, request_shape)
    if obj is None:
        return  # the release does not have that kind in that version
    import kubernetes_validate

    kubernetes_validate.validate(obj, release, strict=True)  # the source is valid where it was written
    target = _target(release, version, kind)
    result = fix(_dump(obj), target, include_deprecated=True)
    assert not result.errors
    for outcome in result.objects:
        assert outcome.outcome in (MIGRATED, NEEDS_HUMAN), outcome
        if outcome.outcome == NEEDS_HUMAN:
            assert outcome.problems and result.fixed == result.original
    if any(o.outcome == MIGRATED for o in result.objects):
        (after,) = objects_of(result.fixed)
        assert after["apiVersion"] == GROUP + "v1"
        validate_strict(after, target)


def _outcome(obj: dict[str, Any], target: str = "1.34") -> tuple[str, tuple[str, ...], dict[str, Any]]:
    result = fix(_dump(obj), target)
    (only,) = result.objects
    (after,) = objects_of(result.fixed)
    return only.outcome, only.problems, after


def test_v1alpha3_capacity_quantities_become_device_capacity() -> None:
    obj = _source("1.31", "v1alpha3", "ResourceSlice")
    assert obj is not None
    outcome, _problems, after = _outcome(obj)
    assert outcome == MIGRATED
    assert after["spec"]["devices"][0]["capacity"] == {"example.com/k": {"value": "2"}}
    validate_strict(after, "1.34")


def test_suitable_nodes_and_a_claim_controller_are_left_for_a_human() -> None:
    device_class = _source("1.31", "v1alpha3", "DeviceClass")
    claim = _source("1.31", "v1alpha3", "ResourceClaim")
    assert device_class is not None and claim is not None
    outcome, problems, _ = _outcome(device_class)
    assert outcome == NEEDS_HUMAN and "suitableNodes" in problems[0]
    outcome, problems, _ = _outcome(claim)
    assert outcome == NEEDS_HUMAN and "controller" in problems[0]
    claim["spec"]["controller"] = ""  # an empty controller means none: dropped
    outcome, _problems, after = _outcome(claim)
    assert outcome == MIGRATED and "controller" not in after["spec"]
    validate_strict(after, "1.34")
