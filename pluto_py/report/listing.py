"""`kdeprecate list-versions`: the table, for people and for scripts."""

from __future__ import annotations

import json
from typing import Any

from pluto_py.core.escape import printable
from pluto_py.core.table import Table
from pluto_py.core.versions import format_version


def listing_entries(table: Table) -> list[dict[str, Any]]:
    return [
        {
            "api_version": row.api_version,
            "kind": row.kind,
            "deprecated_in": format_version(row.deprecated_in),
            "removed_in": format_version(row.removed_in),
            "replacement": row.replacement,
            "replacement_available_in": format_version(row.replacement_available_in),
            "component": row.component,
            "notes": row.notes,
        }
        for row in table.rows
    ]


def render_listing(table: Table, output: str) -> str:
    entries = listing_entries(table)
    if output == "json":
        return json.dumps({"schema_version": 1, "entries": entries}, indent=2) + "\n"
    if output != "text":
        raise ValueError(f"--output: list-versions supports text or json, not {output!r}")
    headers = ["API VERSION", "KIND", "DEPRECATED", "REMOVED", "REPLACEMENT", "AVAILABLE", "COMPONENT"]
    rows = [[printable(str(cell)) for cell in (  # (extra tables are users' files: their text is escaped)
        e["api_version"], e["kind"], e["deprecated_in"] or "-", e["removed_in"] or "-", e["replacement"] or "-",
        e["replacement_available_in"] or "-", e["component"])] for e in entries]
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in [headers, *rows]]
    return "\n".join(lines) + "\n"
