"""The usage record: who called an API and how often (audit logs, API server metrics).

A Document that stands for requests (sources/audit.py, sources/metrics.py) carries one, and the judge
copies it onto each of its findings (the JSON report's ``usage`` object, docs/json-report.md). It is
defined here, not in core/model.py, so that a scan of files never pays for it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Usage:
    """``subresource`` is None for requests to the resource itself, else the subresources called,
    comma-separated; a metric knows no user, user agent, verbs, count nor times (None / empty).
    Times are RFC 3339 in UTC."""

    resource: str
    subresource: str | None
    user: str | None
    user_agent: str | None
    verbs: tuple[str, ...]
    count: int | None
    first_seen: str | None
    last_seen: str | None

    def to_dict(self) -> dict[str, Any]:
        record = asdict(self)
        record["verbs"] = list(self.verbs)
        return record
