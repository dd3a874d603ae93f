"""CronJob batch/v1beta1 and batch/v2alpha1 → batch/v1."""

from __future__ import annotations

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj, mapping_at


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    spec = mapping_at(obj, "spec")
    if spec is None:
        return
    schedule = spec.get("schedule")
    if isinstance(schedule, str) and ("TZ=" in schedule or "CRON_TZ=" in schedule):
        ctx.note("the schedule sets a time zone with TZ=/CRON_TZ=, which batch/v1 rejects from 1.27; use "
                 "spec.timeZone instead")


MIGRATION = Migration(
    family="cronjob",
    changes="apiVersion only (same fields and defaults)",
    undecided="a TZ= prefix in the schedule (reported; spec.timeZone replaces it)",
    migrate=migrate,
)
