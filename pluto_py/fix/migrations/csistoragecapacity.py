"""CSIStorageCapacity storage.k8s.io/v1alpha1 and v1beta1 → storage.k8s.io/v1."""

from __future__ import annotations

from pluto_py.fix.migrations.base import Migration

MIGRATION = Migration(
    family="csistoragecapacity",
    changes="apiVersion only (same fields); these objects are published by CSI drivers, which must be upgraded",
    undecided="nothing",
)
