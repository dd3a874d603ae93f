"""Configuration files kept in repositories (kubeadm, kube-scheduler, the audit policy) and the 1.8
ExternalAdmissionHookConfiguration: what `fix` may rewrite, and what it leaves to the component's own tool."""

from __future__ import annotations

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    group = ctx.source.rpartition("/")[0]
    if group == "audit.k8s.io":
        return  # the v1 Policy has the fields of v1alpha1/v1beta1: only the apiVersion changes
    if group == "kubeadm.k8s.io":
        ctx.human("kubeadm reshaped its configuration between versions (extraArgs became a list in v1beta4, "
                  "timeouts moved): run `kubeadm config migrate --old-config FILE --new-config NEW` with a kubeadm "
                  "that still reads this version, then review the result")
    elif group == "kubescheduler.config.k8s.io":
        ctx.human("plugins and their args changed between scheduler configuration versions: rewrite the profiles "
                  "against the kubescheduler.config.k8s.io/v1 reference")
    elif ctx.kind == "ExternalAdmissionHookConfiguration":
        ctx.human("rewrite as a ValidatingWebhookConfiguration: externalAdmissionHooks[] become webhooks[], which "
                  "need admissionReviewVersions and sideEffects")


MIGRATION = Migration(
    family="configuration-files",
    changes="audit Policy: apiVersion only",
    undecided="kubeadm and kube-scheduler configuration (use `kubeadm config migrate` / the v1 reference), "
              "ExternalAdmissionHookConfiguration (rewrite as a ValidatingWebhookConfiguration)",
    migrate=migrate,
)
