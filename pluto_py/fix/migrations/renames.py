"""Plain renames: the replacement has the same fields, only apiVersion changes."""

from __future__ import annotations

from pluto_py.fix.migrations.base import Migration

MIGRATION = Migration(
    family="renames",
    changes="apiVersion only",
    undecided="nothing",
)
