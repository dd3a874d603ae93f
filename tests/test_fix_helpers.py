"""Shared helpers for the fix tests: run the fixer, validate objects against a release's schema."""

from __future__ import annotations

from functools import cache
from typing import Any

from pluto_py.core.model import Finding
from pluto_py.core.parse import decode_text, parse_text
from pluto_py.core.table import Table, load_builtin_table
from pluto_py.core.versions import KubeVersion, parse_version
from pluto_py.fix import FileFixer, FixOptions, FixResult
from pluto_py.pipeline.judge import Targets, scan_stream

OLDEST_SCHEMA = parse_version("1.25")  # kubernetes-validate ships 1.25 and later


def fix(data: bytes | str, target: str, *, path: str = "t.yaml", json_file: bool = False,
        from_version: str | None = None, include_deprecated: bool = False) -> FixResult:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    options = FixOptions(parse_version(target), parse_version(from_version) if from_version else None,
                         include_deprecated)
    return FileFixer(load_builtin_table(), options).fix_bytes(raw, path, json_file=json_file)


def objects_of(data: bytes, *, json_file: bool = False) -> list[dict[str, Any]]:
    """The objects of a stream (List items included), as plain data."""
    found: list[dict[str, Any]] = []
    for document in parse_text(decode_text(data), "t", "file", json_file=json_file):
        assert not hasattr(document, "message"), document
        body = getattr(document, "data", None)
        if isinstance(body, dict) and "apiVersion" in body:
            found.append(body)
            if str(body.get("kind", "")).endswith("List"):
                found.extend(item for item in body.get("items") or [] if isinstance(item, dict))
    return found


def findings(data: bytes, target: str, *, json_file: bool = False) -> list[Finding]:
    items = list(parse_text(decode_text(data), "t", "file", json_file=json_file))
    found, errors = scan_stream(items, load_builtin_table(), Targets(parse_version(target)))
    assert not errors, errors
    return found


@cache
def _latest() -> str:
    import kubernetes_validate

    return str(kubernetes_validate.latest_version())


def schema_release(target: KubeVersion) -> str:
    """The oldest shipped release at or after ``target``."""
    return str(max(target, OLDEST_SCHEMA))


def validate_strict(obj: dict[str, Any], target: str) -> None:
    """Strict validation (unknown fields rejected) against the schema of the target release."""
    import kubernetes_validate

    kubernetes_validate.validate(obj, schema_release(parse_version(target)), strict=True)


def removed_at(table: Table, obj: dict[str, Any], target: str) -> bool:
    row = table.lookup(str(obj.get("apiVersion")), str(obj.get("kind")))
    return row is not None and row.status_at(parse_version(target)) == "removed"
