"""Configuration files kept in repositories (kubeadm, kube-scheduler, the audit policy, kube-proxy, the
kubelet) and the 1.8 ExternalAdmissionHookConfiguration: what `fix` may rewrite, and what it leaves to the
component's own tool."""

from __future__ import annotations

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    group = ctx.source.rpartition("/")[0]
    if group in ("audit.k8s.io", "componentconfig"):
        # the v1 Policy has the fields of v1alpha1/v1beta1, and KubeProxyConfiguration moved to its own group
        # with its fields: only the apiVersion changes
        return
    if group == "kubeletconfig":
        ctx.human("fields were dropped from KubeletConfiguration before it went beta: check the file against the "
                  "kubelet.config.k8s.io/v1beta1 reference")
        return
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
    changes="audit Policy and componentconfig/v1alpha1 KubeProxyConfiguration: apiVersion only",
    undecided="kubeadm, kube-scheduler and kubeletconfig/v1alpha1 kubelet configuration (use `kubeadm config "
              "migrate` / the current reference), "
              "ExternalAdmissionHookConfiguration (rewrite as a ValidatingWebhookConfiguration)",
    migrate=migrate,
)
