"""Plain renames: the replacement has the same fields, only apiVersion changes."""

from __future__ import annotations

from pluto_py.fix.migrations.base import Migration, sources

MIGRATION = Migration(
    family="renames",
    sources={
        ("extensions/v1beta1", "NetworkPolicy"): ("networking.k8s.io/v1",),
        ("apiregistration.k8s.io/v1beta1", "APIService"): ("apiregistration.k8s.io/v1",),
        ("coordination.k8s.io/v1beta1", "Lease"): ("coordination.k8s.io/v1",),
        ("coordination.k8s.io/v1alpha2", "LeaseCandidate"): ("coordination.k8s.io/v1beta1",),
        **sources(("PriorityClass",), ("scheduling.k8s.io/v1alpha1", "scheduling.k8s.io/v1beta1"),
                  ("scheduling.k8s.io/v1",)),
        **sources(("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"), ("storage.k8s.io/v1beta1",),
                  ("storage.k8s.io/v1",)),
        ("storage.k8s.io/v1alpha1", "VolumeAttachment"): ("storage.k8s.io/v1",),
        **sources(("VolumeAttributesClass",), ("storage.k8s.io/v1alpha1", "storage.k8s.io/v1beta1"),
                  ("storage.k8s.io/v1",)),
        **sources(("IPAddress", "ServiceCIDR"), ("networking.k8s.io/v1alpha1", "networking.k8s.io/v1beta1"),
                  ("networking.k8s.io/v1",)),
        **sources(("ClusterTrustBundle",), ("certificates.k8s.io/v1alpha1", "certificates.k8s.io/v1beta1"),
                  ("certificates.k8s.io/v1",)),
    },
    changes="apiVersion only",
    undecided="nothing",
)
