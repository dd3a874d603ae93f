"""HorizontalPodAutoscaler autoscaling/v2beta1 and v2beta2 → autoscaling/v2."""

from __future__ import annotations

from typing import Any

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj, mapping_at


def _target(source: dict[str, Any], where: str, ctx: MigrationContext) -> dict[str, Any] | None:
    if "targetAverageUtilization" in source:
        return {"type": "Utilization", "averageUtilization": source["targetAverageUtilization"]}
    if "targetAverageValue" in source:
        return {"type": "AverageValue", "averageValue": source["targetAverageValue"]}
    if "targetValue" in source:
        return {"type": "Value", "value": source["targetValue"]}
    if "averageValue" in source:
        return {"type": "AverageValue", "averageValue": source["averageValue"]}
    ctx.human(f"{where}: no target value (targetAverageUtilization, targetAverageValue or targetValue)")
    return None


def _metric(metric: Any, where: str, ctx: MigrationContext) -> Any:
    if not isinstance(metric, dict):
        return metric
    kind = metric.get("type")
    source_key = {"Resource": "resource", "Pods": "pods", "Object": "object", "External": "external",
                  "ContainerResource": "containerResource"}.get(str(kind))
    if source_key is None or not isinstance(metric.get(source_key), dict):
        return metric
    old = metric[source_key]
    new: dict[str, Any] = {}
    target = _target(old, f"{where}.{source_key}", ctx)
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
    if target is not None:
        new["target"] = target
        old_target = next((k for k in ("targetAverageUtilization", "targetAverageValue", "targetValue",
                                       "averageValue") if k in old), None)
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
    undecided="a metric without any target value",
    migrate=migrate,
)
