"""Every table row with a replacement is handled by exactly one migration, which can write it."""

from __future__ import annotations

from pluto_py.core.table import load_builtin_table
from pluto_py.fix.migrations import MIGRATIONS, find_migration


def test_every_row_with_a_replacement_has_a_migration() -> None:
    missing = []
    for row in load_builtin_table():
        if row.replacement is None or row.component != "k8s":
            continue
        owners = [m.family for m in MIGRATIONS if m.handles(row.api_version, row.kind)]
        if len(owners) != 1:
            missing.append((row.api_version, row.kind, owners))
            continue
        migration = find_migration(row.api_version, row.kind)
        assert migration is not None
        if row.replacement not in migration.targets(row.api_version, row.kind):
            missing.append((row.api_version, row.kind, f"cannot write {row.replacement}"))
    assert not missing


def test_migrations_declare_what_they_change_and_leave() -> None:
    families = [m.family for m in MIGRATIONS]
    assert len(families) == len(set(families))
    for migration in MIGRATIONS:
        assert migration.changes and migration.undecided and migration.sources


def test_no_replacement_rows_are_reported_with_advice() -> None:
    psp = find_migration("policy/v1beta1", "PodSecurityPolicy")
    assert psp is not None and psp.advise is not None
    advice = " ".join(psp.advise({"spec": {"privileged": True}}))
    assert "pod-security.kubernetes.io/enforce: privileged" in advice
