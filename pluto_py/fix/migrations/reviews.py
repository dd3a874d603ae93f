"""Access and token reviews (authorization.k8s.io, authentication.k8s.io) → v1."""

from __future__ import annotations

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj, mapping_at


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    spec = mapping_at(obj, "spec")
    if spec is not None and "group" in spec and ctx.kind in ("SubjectAccessReview", "LocalSubjectAccessReview"):
        ctx.rename(spec, "group", "groups", spec["group"])
        ctx.change("spec.group → spec.groups")


MIGRATION = Migration(
    family="reviews",
    changes="SubjectAccessReview/LocalSubjectAccessReview: spec.group → spec.groups; the others: apiVersion only",
    undecided="nothing",
    migrate=migrate,
)
