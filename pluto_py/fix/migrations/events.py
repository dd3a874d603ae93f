"""Event events.k8s.io/v1beta1 → events.k8s.io/v1."""

from __future__ import annotations

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    kind = obj.get("type")
    if kind is not None and kind not in ("Normal", "Warning"):
        ctx.human(f"type {kind!r}: events.k8s.io/v1 only accepts Normal or Warning")
    for field in ("reportingController", "reportingInstance", "action", "reason"):
        if not obj.get(field):
            ctx.note(f"{field} is unset; the v1 API server requires it for new events")


MIGRATION = Migration(
    family="events",
    changes="apiVersion only (same fields)",
    undecided="a type other than Normal/Warning",
    migrate=migrate,
)
