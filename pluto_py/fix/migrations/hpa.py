"""HorizontalPodAutoscaler autoscaling/v2beta1 and v2beta2 → autoscaling/v2."""

from __future__ import annotations

from typing import Any

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj, mapping_at

_BEHAVIOR_ANNOTATION = "autoscaling.alpha.kubernetes.io/behavior"


# The fields of each v2beta1 metric source (k8s.io/api autoscaling/v2beta1 types), and how the API
# server's own conversion (pkg/apis/autoscaling/v2beta1/conversion.go) turns its target fields into
# a v2 MetricTarget. A field a source does not have, or a combination the API server rejects once
# converted (v2 validation), is left to a human: the object was never valid as written.
_SOURCE_FIELDS = {
    "resource": ("name", "targetAverageUtilization", "targetAverageValue"),
    "containerResource": ("name", "container", "targetAverageUtilization", "targetAverageValue"),
    "pods": ("metricName", "targetAverageValue", "selector"),
    "object": ("target", "metricName", "targetValue", "selector", "averageValue"),
    "external": ("metricName", "metricSelector", "targetValue", "targetAverageValue"),
}
_SOURCE_KEYS = {"Resource": "resource", "Pods": "pods", "Object": "object", "External": "external",
                "ContainerResource": "containerResource"}
_TARGET_FIELDS = ("targetAverageUtilization", "targetAverageValue", "targetValue", "averageValue")


# Target field of a v2beta1 source -> (v2 target type, v2 field).
_AS_V2 = {"targetAverageUtilization": ("Utilization", "averageUtilization"),
          "targetAverageValue": ("AverageValue", "averageValue"), "targetValue": ("Value", "value")}


def _exactly_one(source: dict[str, Any], fields: tuple[str, ...], where: str,
                 ctx: MigrationContext) -> dict[str, Any] | None:
    """The v2 target of a source that must set exactly one of ``fields`` (v2 validation requires one and
    forbids two); None, and a blocker, otherwise."""
    given = [name for name in fields if source.get(name) is not None]
    if len(given) != 1:
        problem = "both are set; the API server accepts only one of them: keep one" if given else "neither is set"
        ctx.human(f"{where}: {' or '.join(fields)}: {problem}")
        return None
    kind, field = _AS_V2[given[0]]
    return {"type": kind, field: source[given[0]]}


def _target(source: dict[str, Any], source_key: str, where: str, ctx: MigrationContext) -> dict[str, Any] | None:
    """The v2 target of one v2beta1 metric source, as the API server converts it; None (and a
    blocker) when the converted target would not pass v2 validation."""
    if source_key in ("resource", "containerResource"):
        # Utilization when a utilization is given, else AverageValue; both given is forbidden.
        return _exactly_one(source, ("targetAverageUtilization", "targetAverageValue"), where, ctx)
    if source_key == "pods":
        return _exactly_one(source, ("targetAverageValue",), where, ctx)
    if source_key == "object":
        # AverageValue when averageValue is set, else Value; the value (required in v2beta1) is kept.
        value, per_pod = source.get("targetValue"), source.get("averageValue")
        if value is None:
            ctx.human(f"{where}: no targetValue (required for an Object metric in v2beta1; the API server "
                      "rejects the object as written)")
            return None
        if per_pod is None:
            return {"type": "Value", "value": value}
        return {"type": "AverageValue", "value": value, "averageValue": per_pod}
    # external: Value when targetValue is set, else AverageValue; both is forbidden.
    return _exactly_one(source, ("targetValue", "targetAverageValue"), where, ctx)


def _metric(metric: Any, where: str, ctx: MigrationContext) -> Any:
    if not isinstance(metric, dict):
        ctx.human(f"{where}: not a metric mapping")
        return metric
    kind = metric.get("type")
    source_key = _SOURCE_KEYS.get(str(kind))
    if source_key is None:
        ctx.human(f"{where}: unknown metric type {kind!r}")
        return metric
    populated = [key for key in _SOURCE_FIELDS if key in metric]
    if populated != [source_key] or not isinstance(metric.get(source_key), dict):
        ctx.human(f"{where}: type {kind} must have exactly its own {source_key!r} block (found "
                  f"{', '.join(populated) or 'none'})")
        return metric
    old = metric[source_key]
    unknown = sorted(set(old) - set(_SOURCE_FIELDS[source_key]))
    if unknown:
        ctx.human(f"{where}.{source_key}: {', '.join(unknown)} not a field of a v2beta1 {kind} metric")
        return metric
    new: dict[str, Any] = {}
    target = _target(old, source_key, f"{where}.{source_key}", ctx)
    if target is None:
        return metric
    if source_key in ("resource", "containerResource"):
        new["name"] = old.get("name")
        if "container" in old:
            new["container"] = old["container"]
    else:
        if source_key == "object":
            new["describedObject"] = old.get("target")
        identifier: dict[str, Any] = {"name": old.get("metricName")}
        selector = old.get("metricSelector" if source_key == "external" else "selector")
        if selector is not None:
            identifier["selector"] = selector
        new["metric"] = identifier
    new["target"] = target
    old_target = next((k for k in _TARGET_FIELDS if k in old), None)
    if old_target is not None and source_key != "object":
        ctx.origins.renamed(new, old_target, "target")
    if "metric" in new:
        ctx.origins.renamed(new, "metricName", "metric")
    if "describedObject" in new:
        ctx.origins.renamed(new, "target", "describedObject")
    metric[source_key] = new
    return metric


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    if ctx.source != "autoscaling/v2beta1":
        return
    annotations = mapping_at(obj, "metadata", "annotations")
    if annotations and _BEHAVIOR_ANNOTATION in annotations:
        # The API server turns this annotation into spec.behavior (its own serialization): not guessed.
        ctx.human(f"metadata.annotations[{_BEHAVIOR_ANNOTATION}]: the API server converts it into spec.behavior; "
                  "write spec.behavior by hand and remove the annotation")
    spec = mapping_at(obj, "spec")
    metrics = spec.get("metrics") if spec else None
    if isinstance(metrics, list):
        for index, metric in enumerate(metrics):
            metrics[index] = _metric(metric, f"spec.metrics[{index}]", ctx)
        if metrics:
            ctx.change("spec.metrics[]: targetAverageUtilization/targetAverageValue/targetValue → "
                       "target.{type, averageUtilization|averageValue|value}; metricName/selector → "
                       "metric.{name, selector}; object target → describedObject")
    if "status" in obj:
        del obj["status"]
        ctx.change("status removed (written by the controller; its v2beta1 shape is not valid in v2)")


MIGRATION = Migration(
    family="hpa",
    changes="v2beta1 metrics rewritten into v2 metric/target blocks (same meaning); v2beta2: apiVersion only",
    undecided="a metric the API server would reject once converted (no target, two targets where v2 allows "
              "one, a field its source type does not have, a type without its own block)",
    migrate=migrate,
)
