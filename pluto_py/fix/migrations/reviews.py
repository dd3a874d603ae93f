"""Access and token reviews (authorization.k8s.io, authentication.k8s.io) → v1."""

from __future__ import annotations

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj, mapping_at


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    spec = mapping_at(obj, "spec")
    if spec is not None and "group" in spec and ctx.kind in ("SubjectAccessReview", "LocalSubjectAccessReview"):
        ctx.rename(spec, "group", "groups", spec["group"])
        ctx.change("spec.group → spec.groups")


_AUTHZ = "authorization.k8s.io/"
MIGRATION = Migration(
    family="reviews",
    sources={
        **{(_AUTHZ + "v1beta1", kind): (_AUTHZ + "v1",) for kind in (
            "SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview")},
        ("authentication.k8s.io/v1beta1", "TokenReview"): ("authentication.k8s.io/v1",),
        ("authentication.k8s.io/v1alpha1", "SelfSubjectReview"): ("authentication.k8s.io/v1",),
        ("authentication.k8s.io/v1beta1", "SelfSubjectReview"): ("authentication.k8s.io/v1",),
    },
    changes="SubjectAccessReview/LocalSubjectAccessReview: spec.group → spec.groups; the others: apiVersion only",
    undecided="nothing",
    migrate=migrate,
)
