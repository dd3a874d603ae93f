"""FlowSchema and PriorityLevelConfiguration (API Priority and Fairness) → flowcontrol.apiserver.k8s.io/v1."""

from __future__ import annotations

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj, mapping_at

_DEFAULT_SHARES = 30


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    if ctx.kind != "PriorityLevelConfiguration":
        return
    limited = mapping_at(obj, "spec", "limited")
    if limited is None:
        return
    source = ctx.source.rpartition("/")[2]
    target = ctx.target_version
    if target in ("v1beta3", "v1") and "assuredConcurrencyShares" in limited:
        ctx.rename(limited, "assuredConcurrencyShares", "nominalConcurrencyShares",
                    limited["assuredConcurrencyShares"])
        ctx.change("spec.limited.assuredConcurrencyShares → nominalConcurrencyShares")
    if target == "v1" and source != "v1" and limited.get("nominalConcurrencyShares") == 0:
        limited["nominalConcurrencyShares"] = _DEFAULT_SHARES
        ctx.change(f"spec.limited.nominalConcurrencyShares: 0 → {_DEFAULT_SHARES}")
        ctx.note(f"an explicit 0 meant 'use the default ({_DEFAULT_SHARES})' before v1; in v1 it means zero "
                 f"nominal seats (the level only runs on borrowed seats). {_DEFAULT_SHARES} keeps the old behaviour; "
                 "write 0 back only if that is what you want")


MIGRATION = Migration(
    family="flowcontrol",
    changes="PriorityLevelConfiguration: spec.limited.assuredConcurrencyShares → nominalConcurrencyShares (for "
            "v1beta3 and v1); an explicit 0 becomes 30 for v1 (the value it stood for); FlowSchema: apiVersion only",
    undecided="nothing silent: the 0 → 30 rewrite is reported",
    migrate=migrate,
)
