"""Mutating/ValidatingWebhookConfiguration admissionregistration.k8s.io/v1beta1 → v1."""

from __future__ import annotations

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj

# v1beta1 defaults that v1 changed: written explicitly so that the webhook behaves as before.
_OLD_DEFAULTS = (("failurePolicy", "Ignore", "Fail"), ("matchPolicy", "Exact", "Equivalent"),
                 ("timeoutSeconds", 30, 10))


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    webhooks = obj.get("webhooks")
    if not isinstance(webhooks, list):
        return
    for index, hook in enumerate(webhooks):
        if not isinstance(hook, dict):
            continue
        name = hook.get("name", f"webhooks[{index}]")
        side_effects = hook.get("sideEffects")
        if side_effects not in ("None", "NoneOnDryRun"):
            shown = "unset (v1beta1 default: Unknown)" if side_effects is None else side_effects
            ctx.human(f"webhook {name}: sideEffects is {shown}; v1 only accepts None or NoneOnDryRun. Only the "
                      "webhook's author knows whether it has side effects on dry-run requests: set None if it has "
                      "none, NoneOnDryRun if it skips them when dryRun is true")
        if "admissionReviewVersions" not in hook:
            hook["admissionReviewVersions"] = ["v1beta1"]
            ctx.change(f"webhook {name}: admissionReviewVersions: [v1beta1] written (the v1beta1 default; v1 "
                       "requires it)")
            ctx.note(f"webhook {name}: it keeps receiving AdmissionReview v1beta1; put v1 first once the webhook "
                     "server understands AdmissionReview v1")
        for field, old, new in _OLD_DEFAULTS:
            if field not in hook:
                hook[field] = old
                ctx.change(f"webhook {name}: {field}: {old} written (the v1beta1 default; v1 would use {new})")


MIGRATION = Migration(
    family="admission-webhooks",
    changes="admissionReviewVersions: [v1beta1] written where unset; the v1beta1 defaults failurePolicy: Ignore, "
            "matchPolicy: Exact and timeoutSeconds: 30 written explicitly so that behaviour is kept",
    undecided="sideEffects when unset, Unknown or Some (v1 requires None or NoneOnDryRun)",
    migrate=migrate,
)
