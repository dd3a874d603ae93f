"""autoscaling/v2beta1 HPA metrics → v2 as the API server converts them (pkg/apis/autoscaling/v2beta1/
conversion.go), every metric type and every combination of target fields; what v2 validation would
reject is left to a human, never written."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from ruamel.yaml import YAML

from pluto_py.fix import MIGRATED, NEEDS_HUMAN
from tests.test_fix_helpers import fix, objects_of, validate_strict

REF = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "name": "web"}
SELECTOR = {"matchLabels": {"q": "orders"}}


def _hpa(metric: dict[str, Any], annotations: dict[str, str] | None = None) -> str:
    import io

    obj: dict[str, Any] = {
        "apiVersion": "autoscaling/v2beta1", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h", **({"annotations": annotations} if annotations else {})},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                 "maxReplicas": 5, "metrics": [metric]}}
    stream = io.StringIO()
    YAML(typ="safe", pure=True).dump(obj, stream)
    return stream.getvalue()


def _converted(metric: dict[str, Any]) -> tuple[str, Any]:
    result = fix(_hpa(metric), "1.25")
    (obj,) = result.objects
    if obj.outcome != MIGRATED:
        assert obj.outcome == NEEDS_HUMAN and obj.problems and result.fixed == result.original
        return "human", obj.problems
    (after,) = objects_of(result.fixed)
    validate_strict(after, "1.25")
    return "migrated", after["spec"]["metrics"][0]


# Target fields each v2beta1 source type has (types.go), with a valid value for each.
VALUES = {"targetAverageUtilization": 70, "targetAverageValue": "100m", "targetValue": "2k", "averageValue": "10"}
FIELDS = {
    "Resource": ("targetAverageUtilization", "targetAverageValue"),
    "ContainerResource": ("targetAverageUtilization", "targetAverageValue"),
    "Pods": ("targetAverageValue",),
    "Object": ("targetValue", "averageValue"),
    "External": ("targetValue", "targetAverageValue"),
}
BASE: dict[str, tuple[str, dict[str, Any]]] = {
    "Resource": ("resource", {"name": "cpu"}),
    "ContainerResource": ("containerResource", {"name": "cpu", "container": "app"}),
    "Pods": ("pods", {"metricName": "rps", "selector": SELECTOR}),
    "Object": ("object", {"metricName": "hits", "target": REF, "selector": SELECTOR}),
    "External": ("external", {"metricName": "depth", "metricSelector": SELECTOR}),
}


def _expected_target(kind: str, given: dict[str, Any]) -> dict[str, Any] | None:
    """The upstream conversion of the target fields, or None when v2 validation rejects the result."""
    util, avg = given.get("targetAverageUtilization"), given.get("targetAverageValue")
    if kind in ("Resource", "ContainerResource"):
        if (util is None) == (avg is None):
            return None  # both: forbidden; neither: required
        return {"type": "Utilization", "averageUtilization": util} if util is not None else \
            {"type": "AverageValue", "averageValue": avg}
    if kind == "Pods":
        return None if avg is None else {"type": "AverageValue", "averageValue": avg}
    if kind == "Object":
        value, per_pod = given.get("targetValue"), given.get("averageValue")
        if value is None:
            return None  # converted to a zero value: "must be positive"
        return {"type": "Value", "value": value} if per_pod is None else \
            {"type": "AverageValue", "value": value, "averageValue": per_pod}
    value = given.get("targetValue")
    if (value is None) == (avg is None):
        return None
    return {"type": "Value", "value": value} if value is not None else {"type": "AverageValue", "averageValue": avg}


CASES = [(kind, combo) for kind, fields in FIELDS.items()
         for size in range(len(fields) + 1) for combo in itertools.combinations(fields, size)]


@pytest.mark.parametrize(("kind", "combo"), CASES, ids=[f"{k}-{'+'.join(c) or 'none'}" for k, c in CASES])
def test_every_target_combination_converts_as_the_api_server_does(kind: str, combo: tuple[str, ...]) -> None:
    key, base = BASE[kind]
    given = {name: VALUES[name] for name in combo}
    outcome, converted = _converted({"type": kind, key: {**base, **given}})
    expected = _expected_target(kind, given)
    if expected is None:
        assert outcome == "human", converted
        return
    assert outcome == "migrated"
    assert converted["type"] == kind and set(converted) == {"type", key}
    assert converted[key]["target"] == expected
    if kind in ("Resource", "ContainerResource"):
        assert {k: v for k, v in converted[key].items() if k != "target"} == \
            {k: v for k, v in base.items()}
    else:
        selector_key = "metricSelector" if kind == "External" else "selector"
        assert converted[key]["metric"] == {"name": base["metricName"], "selector": base[selector_key]}
        if kind == "Object":
            assert converted[key]["describedObject"] == REF


def test_object_with_target_value_and_average_value_is_average_value() -> None:
    """The issue's example: type AverageValue, averageValue kept (the server's conversion)."""
    outcome, converted = _converted({"type": "Object", "object": {
        "metricName": "hits", "target": REF, "targetValue": "2k", "averageValue": "10"}})
    assert outcome == "migrated"
    assert converted["object"]["target"] == {"type": "AverageValue", "value": "2k", "averageValue": "10"}


@pytest.mark.parametrize("metric", [
    {"type": "Pods", "pods": {"metricName": "rps", "targetAverageUtilization": 50}},  # not a Pods field
    {"type": "Resource", "pods": {"metricName": "rps", "targetAverageValue": "1"}},  # type without its block
    {"type": "Resource", "resource": {"name": "cpu", "targetAverageUtilization": 50},
     "pods": {"metricName": "rps", "targetAverageValue": "1"}},  # two blocks
    {"type": "Bogus", "bogus": {}},
    {"type": "External", "external": {"metricName": "d", "targetValue": "1", "selector": SELECTOR}},
])
def test_shapes_v2beta1_does_not_have_are_left_for_a_human(metric: dict[str, Any]) -> None:
    outcome, problems = _converted(metric)
    assert outcome == "human" and problems


def test_behavior_annotation_is_left_for_a_human() -> None:
    text = _hpa({"type": "Resource", "resource": {"name": "cpu", "targetAverageUtilization": 50}},
                {"autoscaling.alpha.kubernetes.io/behavior": '{"ScaleUp":null}'})
    (obj,) = fix(text, "1.25").objects
    assert obj.outcome == NEEDS_HUMAN and "spec.behavior" in obj.problems[0]
