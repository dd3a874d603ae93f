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


LISTING_FORMATS = ("text", "json", "yaml", "csv", "markdown")
COLUMNS = ("api_version", "kind", "deprecated_in", "removed_in", "replacement", "replacement_available_in",
           "component", "notes")


def render_listing(table: Table, output: str) -> str:
    """The table in one of LISTING_FORMATS; ValueError for another."""
    entries = listing_entries(table)
    if output == "json":
        return json.dumps(_document(entries), indent=2) + "\n"
    if output == "yaml":
        return _yaml(_document(entries))
    if output == "csv":
        return _csv(entries)
    if output == "markdown":
        return _markdown(entries)
    if output != "text":
        raise ValueError(f"--output: list-versions supports {', '.join(LISTING_FORMATS)}, not {output!r}")
    headers = ["API VERSION", "KIND", "DEPRECATED", "REMOVED", "REPLACEMENT", "AVAILABLE", "COMPONENT"]
    rows = [[printable(str(cell)) for cell in (  # (extra tables are users' files: their text is escaped)
        e["api_version"], e["kind"], e["deprecated_in"] or "-", e["removed_in"] or "-", e["replacement"] or "-",
        e["replacement_available_in"] or "-", e["component"])] for e in entries]
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in [headers, *rows]]
    return "\n".join(lines) + "\n"


def _document(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"schema_version": 1, "entries": entries}


def _yaml(data: dict[str, Any]) -> str:
    """The JSON document's data as YAML (same keys, as `scan -o yaml` is to `-o json`)."""
    from pluto_py.report.yaml_report import yaml_text

    return yaml_text(data)


def _csv(entries: list[dict[str, Any]]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        writer.writerow(["" if entry[column] is None else str(entry[column]) for column in COLUMNS])
    return buffer.getvalue()


def _markdown(entries: list[dict[str, Any]]) -> str:
    from pluto_py.report.markdown import cell, code

    lines = ["| API version | Kind | Deprecated in | Removed in | Replacement | Available in | Component |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for entry in entries:
        lines.append(f"| {code(entry['api_version'])} | {cell(entry['kind'])} | {cell(entry['deprecated_in'] or '-')} "
                     f"| {cell(entry['removed_in'] or '-')} | {code(entry['replacement']) or '-'} "
                     f"| {cell(entry['replacement_available_in'] or '-')} | {cell(entry['component'])} |")
    return "\n".join(lines) + "\n"
