"""Alpha APIs whose successor reshaped fields: StorageVersionMigration, LeaseCandidate, Workload/PodGroup,
PodCertificateRequest."""

from __future__ import annotations

from pluto_py.fix.migrations.base import Migration, MigrationContext, Obj, mapping_at


def migrate(obj: Obj, ctx: MigrationContext) -> None:
    kind, version = ctx.kind, ctx.source.rpartition("/")[2]
    spec = mapping_at(obj, "spec")
    if kind == "StorageVersionMigration":
        if spec is not None:
            resource = spec.get("resource")
            if isinstance(resource, dict) and "version" in resource:
                del resource["version"]
                ctx.change("spec.resource.version removed (v1 migrates every stored version of group/resource)")
            if isinstance(resource, dict) and "group" not in resource:
                resource["group"] = ""
                ctx.change('spec.resource.group: "" written (the core group; v1 requires it)')
            if "continueToken" in spec:
                del spec["continueToken"]
                ctx.change("spec.continueToken removed (not in v1)")
        status = obj.get("status")
        if isinstance(status, dict) and "resourceVersion" in status:
            del status["resourceVersion"]
            ctx.change("status.resourceVersion removed (not in v1)")
    elif kind == "LeaseCandidate":
        strategies = spec.get("preferredStrategies") if spec else None
        if not isinstance(strategies, list) or len(strategies) != 1:
            ctx.human("spec.preferredStrategies must become a single spec.strategy; choose one")
            return
        assert spec is not None
        ctx.rename(spec, "preferredStrategies", "strategy", strategies[0])
        ctx.change("spec.preferredStrategies[0] → spec.strategy")
        if "binaryVersion" not in spec:
            ctx.human("spec.binaryVersion is required in v1beta1 (written by the component itself)")
    elif kind == "Workload" and version == "v1alpha1":
        ctx.human("v1alpha1 Workload spec.podGroups became separate PodGroup objects: rewrite it by hand")
    elif kind == "PodGroup" and spec is not None and "podGroupTemplateRef" in spec:
        ctx.human("spec.podGroupTemplateRef has no v1beta1 equivalent of the same shape (v1beta1 uses workloadRef)")
    elif kind == "PodCertificateRequest":
        ctx.human("created by the kubelet: v1 replaced pkixPublicKey/proofOfPossession with stubPKCS10Request; "
                  "let the kubelet create new requests instead of migrating these")


MIGRATION = Migration(
    family="alpha-reshaped",
    sources={
        ("storagemigration.k8s.io/v1alpha1", "StorageVersionMigration"): ("storagemigration.k8s.io/v1",),
        ("coordination.k8s.io/v1alpha1", "LeaseCandidate"): ("coordination.k8s.io/v1beta1",),
        ("scheduling.k8s.io/v1alpha1", "Workload"): ("scheduling.k8s.io/v1beta1",),
        ("scheduling.k8s.io/v1alpha2", "Workload"): ("scheduling.k8s.io/v1beta1",),
        ("scheduling.k8s.io/v1alpha2", "PodGroup"): ("scheduling.k8s.io/v1beta1",),
        ("certificates.k8s.io/v1alpha1", "PodCertificateRequest"): ("certificates.k8s.io/v1",),
        ("certificates.k8s.io/v1beta1", "PodCertificateRequest"): ("certificates.k8s.io/v1",),
        ("storagemigration.k8s.io/v1beta1", "StorageVersionMigration"): ("storagemigration.k8s.io/v1",),
    },
    changes="StorageVersionMigration: resource.version and continueToken dropped; LeaseCandidate: the single "
            "preferred strategy becomes strategy; Workload/PodGroup v1alpha2: apiVersion",
    undecided="v1alpha1 Workload pod groups, PodGroup template references, several preferred strategies, "
              "PodCertificateRequests (kubelet-created)",
    migrate=migrate,
)
