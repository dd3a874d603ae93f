"""Label selectors as the API server evaluates them (matchLabels and matchExpressions)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class SelectorError(ValueError):
    """A selector the API server would reject (unknown operator, values where none belong)."""


def _requirement_matches(requirement: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    key, operator = requirement.get("key"), requirement.get("operator")
    raw_values = requirement.get("values")
    values = [str(v) for v in raw_values] if isinstance(raw_values, list) else []
    if not isinstance(key, str):
        raise SelectorError("matchExpressions entry without a key")
    if operator == "In":
        return key in labels and str(labels[key]) in values
    if operator == "NotIn":
        return key not in labels or str(labels[key]) not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    raise SelectorError(f"unknown selector operator {operator!r}")


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    """Whether a (non-null) LabelSelector selects ``labels``. The empty selector selects everything."""
    match_labels = selector.get("matchLabels")
    if isinstance(match_labels, Mapping):
        for key, value in match_labels.items():
            if key not in labels or str(labels[key]) != str(value):
                return False
    expressions = selector.get("matchExpressions")
    if isinstance(expressions, list):
        for requirement in expressions:
            if isinstance(requirement, Mapping) and not _requirement_matches(requirement, labels):
                return False
    return True


def is_empty(selector: Mapping[str, Any]) -> bool:
    return not selector.get("matchLabels") and not selector.get("matchExpressions")
