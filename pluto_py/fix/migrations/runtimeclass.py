"""RuntimeClass node.k8s.io/v1alpha1 and v1beta1 → node.k8s.io/v1."""

from __future__ import annotations

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    if ctx.source != "node.k8s.io/v1alpha1":
        return
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        ctx.human("spec.runtimeHandler is missing (v1 requires handler)")
        return
    rebuilt = {}
    for key, value in obj.items():
        if key != "spec":
            rebuilt[key] = value
            continue
        for field, item in spec.items():
            rebuilt["handler" if field == "runtimeHandler" else field] = item
    obj.clear()
    obj.update(rebuilt)
    ctx.change("spec.runtimeHandler → handler; spec.overhead and spec.scheduling moved to the top level")


MIGRATION = Migration(
    family="runtimeclass",
    changes="v1alpha1: spec.runtimeHandler → handler, spec.overhead/scheduling to the top level; v1beta1: "
            "apiVersion only",
    undecided="nothing",
    migrate=migrate,
)
