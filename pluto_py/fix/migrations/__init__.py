"""The migrations, one module per API family, registered in ONE explicit list.

Each declares which (apiVersion, kind) it handles, the apiVersions it can write for them, what it
changes and what it leaves to a human. ``tests/test_fix_coverage.py`` checks that every table row
with a replacement is handled by exactly one of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from pluto_py.fix.migrations import (
    admissionpolicy,
    alpha,
    configfiles,
    crd,
    cronjob,
    csistoragecapacity,
    csr,
    dra,
    endpoints,
    endpointslice,
    events,
    flowcontrol,
    hpa,
    ingress,
    pdb,
    psp,
    rbac,
    renames,
    reviews,
    runtimeclass,
    webhooks,
    workloads,
)
from pluto_py.fix.migrations.base import Migration, MigrationContext

MIGRATIONS: tuple[Migration, ...] = (
    workloads.MIGRATION,
    ingress.MIGRATION,
    crd.MIGRATION,
    webhooks.MIGRATION,
    hpa.MIGRATION,
    pdb.MIGRATION,
    cronjob.MIGRATION,
    endpointslice.MIGRATION,
    events.MIGRATION,
    runtimeclass.MIGRATION,
    csistoragecapacity.MIGRATION,
    flowcontrol.MIGRATION,
    reviews.MIGRATION,
    rbac.MIGRATION,
    renames.MIGRATION,
    admissionpolicy.MIGRATION,
    dra.MIGRATION,
    alpha.MIGRATION,
    endpoints.MIGRATION,
    psp.MIGRATION,
    csr.MIGRATION,
    configfiles.MIGRATION,
)


def find_migration(api_version: str, kind: str, migrations: Sequence[Migration] = MIGRATIONS) -> Migration | None:
    for migration in migrations:
        if migration.handles(api_version, kind):
            return migration
    return None


__all__ = ["MIGRATIONS", "Migration", "MigrationContext", "find_migration"]
