"""`-o json` (design.md section 4, schema_version 1), and the same data as yaml and csv.

Top level exactly ``schema_version, blue, green, checks, summary``; each check entry exactly ``id, severity,
object {api_version, kind, name, namespace}, message, fix``. ``blue``/``green`` describe each side: version,
what described it, counts, ``errors`` (inputs that could not be read) and, for green, ``not_checked``
(checks the descriptions given cannot answer, with the reason).
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pluto_py.bluegreen import Readiness

SCHEMA_VERSION = 1
CSV_COLUMNS = ("id", "severity", "api_version", "kind", "name", "namespace", "message", "fix", "side", "path", "line")


def report_dict(readiness: Readiness) -> dict[str, Any]:
    green = readiness.green.summary()
    green["not_checked"] = [entry.to_dict() for entry in readiness.not_checked]
    return {
        "schema_version": SCHEMA_VERSION,
        "blue": readiness.blue.summary(),
        "green": green,
        "checks": [result.to_dict() for result in readiness.results],
        "summary": {"blockers": readiness.blockers, "warnings": readiness.warning_count},
    }


def render(readiness: Readiness, tool_version: str, color: bool = False) -> str:
    return json.dumps(report_dict(readiness), indent=2, ensure_ascii=False) + "\n"


def render_yaml(readiness: Readiness, tool_version: str, color: bool = False) -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]  # keep the JSON order
    yaml.width = 4096
    buffer = io.StringIO()
    yaml.dump(report_dict(readiness), buffer)
    return buffer.getvalue()


def render_csv(readiness: Readiness, tool_version: str, color: bool = False) -> str:
    """One row per check result (a header row first); input errors go to stderr, not rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for result in readiness.results:
        ref, where = result.object, result.where
        writer.writerow([_neutral(value) for value in (
            result.id, result.severity, ref.api_version, ref.kind, ref.name or "", ref.namespace or "",
            result.message, result.fix, result.side, where.path if where else "",
            "" if where is None or where.line is None else str(where.line))])
    return buffer.getvalue()


def _neutral(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (names from inputs may start with = + - @)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
