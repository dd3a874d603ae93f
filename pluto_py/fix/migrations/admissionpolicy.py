"""Validating/MutatingAdmissionPolicy and their bindings → admissionregistration.k8s.io/v1."""

from __future__ import annotations

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj, mapping_at


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    if ctx.kind != "ValidatingAdmissionPolicyBinding":
        return
    spec = mapping_at(obj, "spec")
    if spec is not None and not spec.get("validationActions"):
        spec["validationActions"] = ["Deny"]
        ctx.change("spec.validationActions: [Deny] written (what a v1alpha1 binding without it did; v1 requires it)")


MIGRATION = Migration(
    family="admission-policies",
    changes="apiVersion; a binding without validationActions gets [Deny], the behaviour it had",
    undecided="nothing",
    migrate=migrate,
)
