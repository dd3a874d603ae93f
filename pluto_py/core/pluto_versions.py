"""Pluto's versions file (``versions.yaml``, ``--additional-versions``) read as an extra table.

Users migrating from Pluto keep their custom rows: a file with Pluto's ``deprecated-versions``
(and optionally ``target-versions``) is recognised by its keys, validated against
``data/pluto_versions.schema.json`` and converted row by row to kdeprecate's table data:

=========================== ==============================
Pluto                       kdeprecate
=========================== ==============================
``version``                 ``api_version``
``kind``                    ``kind`` (an empty kind is an error: rows name one kind)
``deprecated-in: v1.16.0``  ``deprecated_in: "1.16"`` (empty: null)
``removed-in``              ``removed_in``
``replacement-api``         ``replacement`` (empty: null)
``replacement-available-in`` ``replacement_available_in`` (absent: unknown, null)
``component``               ``component``
=========================== ==============================

``target-versions`` are not used: targets come from ``--target`` or the configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pluto_py.core.versions import VersionError, parse_version

PLUTO_ROWS_KEY = "deprecated-versions"
PLUTO_KEYS = frozenset({PLUTO_ROWS_KEY, "target-versions"})
SCHEMA_FILE = "pluto_versions.schema.json"


class PlutoVersionsError(ValueError):
    """A Pluto versions file that cannot be converted; the message names the file and the row."""


def is_pluto_versions(data: Any) -> bool:
    """Whether parsed data has the shape of Pluto's versions file (its keys, not ours)."""
    return isinstance(data, Mapping) and PLUTO_ROWS_KEY in data and set(data) <= PLUTO_KEYS


def _version(value: Any, where: str, field: str) -> str | None:
    if value is None or value == "":
        return None
    try:
        parsed = parse_version(str(value))
    except VersionError as exc:
        raise PlutoVersionsError(f"{where}: {field}: {exc}") from None
    return f"{parsed.major}.{parsed.minor}"


def table_data(data: Mapping[str, Any], origin: str) -> dict[str, Any]:
    """Pluto's rows as kdeprecate table data (schema_version 1). Raises PlutoVersionsError.

    ``data`` must have passed data/pluto_versions.schema.json.
    """
    rows: list[dict[str, Any]] = []
    for position, raw in enumerate(data.get(PLUTO_ROWS_KEY) or []):
        where = f"{origin}: {PLUTO_ROWS_KEY}[{position}] ({raw.get('version')} {raw.get('kind') or '<every kind>'})"
        if not raw.get("kind"):
            raise PlutoVersionsError(f"{where}: an empty kind means every kind of {raw.get('version')} to Pluto; "
                                     "kdeprecate rows name one kind each: write one row per kind")
        replacement = raw.get("replacement-api") or None
        rows.append({
            "api_version": raw["version"],
            "kind": raw["kind"],
            "deprecated_in": _version(raw.get("deprecated-in"), where, "deprecated-in"),
            "removed_in": _version(raw.get("removed-in"), where, "removed-in"),
            "replacement": replacement,
            "replacement_available_in": _version(raw.get("replacement-available-in"), where,
                                                 "replacement-available-in") if replacement else None,
            "component": raw["component"],
        })
    return {"schema_version": 1, "apis": rows}
