"""CertificateSigningRequest certificates.k8s.io/v1beta1 → v1."""

from __future__ import annotations

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj, insert_after, mapping_at

_SIGNERS = ("kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet",
            "kubernetes.io/kubelet-serving")
_OLD_USAGES = ["digital signature", "key encipherment"]


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    spec = mapping_at(obj, "spec")
    if spec is None:
        ctx.human("spec is missing")
        return
    signer = spec.get("signerName")
    if not signer or signer == "kubernetes.io/legacy-unknown":
        shown = signer if signer else "unset"
        ctx.human(f"spec.signerName is {shown}; v1 requires a signer that will actually sign it. Pick the one that "
                  f"matches what the certificate is for: {', '.join(_SIGNERS)}, or your own signer's name")
        return
    if "usages" not in spec:
        insert_after(spec, "signerName", "usages", list(_OLD_USAGES))
        ctx.change("spec.usages: [digital signature, key encipherment] written (the v1beta1 default; v1 "
                   "requires it)")
    status = obj.get("status")
    if isinstance(status, dict) and any(isinstance(c, dict) and "status" not in c
                                        for c in status.get("conditions") or []):
        for condition in status["conditions"]:
            if isinstance(condition, dict) and "status" not in condition:
                condition["status"] = "True"
        ctx.change("status.conditions[].status: \"True\" written (v1 requires it; v1beta1 conditions were "
                   "true by being present)")


MIGRATION = Migration(
    family="certificatesigningrequest",
    changes="usages: the old default written when unset; status conditions get status: \"True\"",
    undecided="spec.signerName when unset or kubernetes.io/legacy-unknown (which signer should sign it)",
    migrate=migrate,
)
