"""PodDisruptionBudget policy/v1beta1 → policy/v1."""

from __future__ import annotations

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj, mapping_at


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    spec = mapping_at(obj, "spec")
    if spec is None or "selector" not in spec:
        return
    selector = spec["selector"]
    if selector is None:
        return
    empty = isinstance(selector, dict) and not selector.get("matchLabels") and not selector.get("matchExpressions")
    if empty:
        ctx.human("spec.selector is empty ({}): in policy/v1beta1 that selects no pods, in policy/v1 every pod in "
                  "the namespace. Keeping the object as it is would change what it protects: give the selector "
                  "the labels of the pods it should protect, or delete the PDB if it should protect nothing")


MIGRATION = Migration(
    family="pdb",
    changes="apiVersion only",
    undecided="an empty selector {} (no pods in v1beta1, all pods in v1): left unchanged and reported",
    migrate=migrate,
)
