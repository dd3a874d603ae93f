"""RBAC roles and bindings rbac.authorization.k8s.io/v1alpha1 and v1beta1 → v1."""

from __future__ import annotations

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj

_RBAC = "rbac.authorization.k8s.io"


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    subjects = obj.get("subjects")
    if ctx.source != f"{_RBAC}/v1alpha1" or not isinstance(subjects, list):
        return
    for index, subject in enumerate(subjects):
        if isinstance(subject, dict) and "apiVersion" in subject:
            group = "" if subject.get("kind") == "ServiceAccount" else _RBAC
            ctx.rename(subject, "apiVersion", "apiGroup", group)
            ctx.change(f"subjects[{index}].apiVersion → apiGroup {group!r}")


MIGRATION = Migration(
    family="rbac",
    changes="apiVersion; v1alpha1 bindings: subjects[].apiVersion → subjects[].apiGroup",
    undecided="nothing",
    migrate=migrate,
)
