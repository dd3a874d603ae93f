"""Validation of users' data files (extra tables, a skew policy) against our JSON Schemas.

jsonschema is imported only here and only when a user's file is checked: a plain scan never pays
for it (the shipped files are validated by the test-suite).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def first_schema_problem(data: Any, schema: Mapping[str, Any], *, separator: str = "/") -> str | None:
    """'where: message (and N more)' for the first violation of ``schema`` (Draft 2020-12), or None."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        return None
    first = errors[0]
    where = separator.join(str(part) for part in first.absolute_path) or "(top level)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first.message}{more}"
