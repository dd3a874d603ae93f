"""Deployments, DaemonSets, ReplicaSets, StatefulSets and ControllerRevisions → apps/v1."""

from __future__ import annotations

from typing import Any

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj, insert_after, mapping_at

_DEFAULTS_NOTE = "apps/v1 defaults differ for fields this object leaves unset: {changes}. To keep the old " \
                 "behaviour, set them explicitly: {pins} (or run with --pin-defaults)"


def _selector(obj: Obj, ctx: MigrationContext) -> None:
    spec = mapping_at(obj, "spec")
    if spec is None:
        ctx.human("spec is missing: apps/v1 requires spec.selector and spec.template")
        return
    labels = mapping_at(spec, "template", "metadata", "labels")
    selector = spec.get("selector")
    if isinstance(selector, dict) and (selector.get("matchLabels") or selector.get("matchExpressions")):
        match_labels = selector.get("matchLabels")
        if isinstance(match_labels, dict) and isinstance(labels, dict):
            missing = {k: v for k, v in match_labels.items() if labels.get(k) != v}
            if missing:
                ctx.human(f"spec.selector.matchLabels {missing} does not match spec.template.metadata.labels; "
                          "apps/v1 rejects such an object: make the template labels match the selector")
        return
    if not labels:
        ctx.human("spec.selector is required in apps/v1 and the pod template has no labels to derive it "
                  "from: add spec.template.metadata.labels and a spec.selector.matchLabels that matches them")
        return
    derived = {"matchLabels": dict(labels)}
    if "selector" in spec:
        spec["selector"] = derived
    else:
        after = "replicas" if "replicas" in spec else None
        if after is None:
            # Keep it near the top of the spec, where people look for it.
            items = list(spec.items())
            spec.clear()
            spec["selector"] = derived
            spec.update(items)
        else:
            insert_after(spec, after, "selector", derived)
    ctx.change("spec.selector.matchLabels derived from spec.template.metadata.labels (apps/v1 requires it)")
    ctx.note("apps/v1 makes spec.selector immutable: if the live object's selector (defaulted from the labels "
             "it was created with) differs, the apply fails; compare it with `kubectl get -o yaml` first")


def _drop(spec: Obj, field: str, ctx: MigrationContext, why: str) -> None:
    if field in spec:
        del spec[field]
        ctx.change(f"spec.{field} removed ({why})")


def _defaults(obj: Obj, ctx: MigrationContext, defaults: list[tuple[tuple[str, ...], Any, str]]) -> None:
    """``defaults``: (path under spec, old default, description of the change)."""
    spec = mapping_at(obj, "spec")
    if spec is None:
        return
    unset = []
    for path, old, description in defaults:
        owner = spec.get(path[0])
        if len(path) > 1 and isinstance(owner, dict) and owner.get("type") not in (None, "RollingUpdate") \
                and path[-1] != "type":
            continue  # e.g. strategy Recreate: rolling-update defaults do not apply
        parent: Any = spec
        for part in path[:-1]:
            parent = parent.get(part) if isinstance(parent, dict) else None
        if isinstance(parent, dict) and path[-1] in parent:
            continue
        unset.append((path, old, description))
    if not unset:
        return
    if ctx.pin_defaults:
        for path, old, description in unset:
            parent = spec
            for part in path[:-1]:
                child = parent.get(part)
                if not isinstance(child, dict):
                    child = {}
                    parent[part] = child
                parent = child
            parent[path[-1]] = old
            ctx.change(f"spec.{'.'.join(path)}: {old!r} written explicitly (the old default; {description})")
        return
    changes = "; ".join(f"spec.{'.'.join(p)} ({d})" for p, _, d in unset)
    pins = ", ".join(f"spec.{'.'.join(p)}: {o}" for p, o, _ in unset)
    ctx.note(_DEFAULTS_NOTE.format(changes=changes, pins=pins))


_MAXINT = 2147483647


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    kind, source = ctx.kind, ctx.source
    if kind == "ControllerRevision":
        return
    _selector(obj, ctx)
    spec = mapping_at(obj, "spec")
    if spec is None:
        return
    if kind == "Deployment":
        if "rollbackTo" in spec:
            _drop(spec, "rollbackTo", ctx, "apps/v1 has no rollbackTo")
            ctx.note("spec.rollbackTo was dropped: roll back with `kubectl rollout undo deployment/NAME "
                     "--to-revision=N` instead")
        if source == "extensions/v1beta1":
            _defaults(obj, ctx, [
                (("revisionHistoryLimit",), _MAXINT, "was: keep every old ReplicaSet; now 10"),
                (("progressDeadlineSeconds",), _MAXINT, "was: no deadline; now 600"),
                (("strategy", "rollingUpdate", "maxUnavailable"), 1, "was 1; now 25%"),
                (("strategy", "rollingUpdate", "maxSurge"), 1, "was 1; now 25%"),
            ])
        elif source == "apps/v1beta1":
            _defaults(obj, ctx, [(("revisionHistoryLimit",), 2, "was 2; now 10")])
    elif kind == "DaemonSet":
        _drop(spec, "templateGeneration", ctx, "apps/v1 has no templateGeneration")
        if source == "extensions/v1beta1":
            _defaults(obj, ctx, [(("updateStrategy", "type"), "OnDelete", "was OnDelete; now RollingUpdate")])
    elif kind == "StatefulSet" and source == "apps/v1beta1":
        _defaults(obj, ctx, [(("updateStrategy", "type"), "OnDelete", "was OnDelete; now RollingUpdate")])


MIGRATION = Migration(
    family="workloads",
    changes="spec.selector derived from the pod template labels when missing; spec.rollbackTo and "
            "spec.templateGeneration removed; with --pin-defaults, the old defaults written explicitly",
    undecided="a pod template without labels; a selector that does not match the template labels; the changed "
              "defaults (reported with the exact values that keep the old behaviour)",
    migrate=migrate,
)
