"""Validating/MutatingAdmissionPolicy and their bindings → admissionregistration.k8s.io/v1."""

from __future__ import annotations

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj, mapping_at, sources

_GROUP = "admissionregistration.k8s.io/"


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    if ctx.kind != "ValidatingAdmissionPolicyBinding":
        return
    spec = mapping_at(obj, "spec")
    if spec is not None and not spec.get("validationActions"):
        spec["validationActions"] = ["Deny"]
        ctx.change("spec.validationActions: [Deny] written (what a v1alpha1 binding without it did; v1 requires it)")


MIGRATION = Migration(
    family="admission-policies",
    sources={
        **sources(("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"),
                  (_GROUP + "v1alpha1", _GROUP + "v1beta1"), (_GROUP + "v1",)),
        **sources(("MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"),
                  (_GROUP + "v1alpha1", _GROUP + "v1beta1"), (_GROUP + "v1",)),
    },
    changes="apiVersion; a binding without validationActions gets [Deny], the behaviour it had",
    undecided="nothing",
    migrate=migrate,
)
