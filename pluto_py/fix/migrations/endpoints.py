"""Endpoints (v1) → EndpointSlice: a different object, not a new version of the same one."""

from __future__ import annotations

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    ctx.human("Endpoints becomes one EndpointSlice per address family (addressType), with the "
              "kubernetes.io/service-name label, endpoints[] and ports[]; a Service with a selector gets its "
              "slices from the control plane, so usually the manifest can simply be deleted")


MIGRATION = Migration(
    family="endpoints",
    changes="nothing automatically",
    undecided="everything: the conversion splits one object into several",
    migrate=migrate,
)
