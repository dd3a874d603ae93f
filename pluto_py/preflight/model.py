"""The records of an upgrade preflight: the object a check is about, the check, the rule behind it.

A check is an immutable record with a stable rule id, a severity (blocker, warning, info), the
object, a message, what to do, and evidence (plain values). ``key`` names the evidence that makes
two checks "the same" across runs: the fingerprint that baselines match on is id + object + key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pluto_py.core.rules import Rule as RegisteredRule
    from pluto_py.preflight.context import PreflightContext

BLOCKER = "blocker"
WARNING = "warning"
INFO = "info"
SEVERITIES: tuple[str, ...] = (BLOCKER, WARNING, INFO)  # most urgent first
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}

VERDICT_READY = "ready"
VERDICT_RISKY = "risky"
VERDICT_BLOCKED = "blocked"

EvidenceValue = str | int | bool | None


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """The object a check is about, and where it was read (path and line, when from a file)."""

    kind: str
    name: str
    namespace: str | None = None
    api_version: str | None = None
    path: str | None = None
    line: int | None = None

    @property
    def ref(self) -> str:
        """kind/namespace/name, or kind/name for cluster-scoped objects (what waivers match)."""
        return f"{self.kind}/{self.namespace}/{self.name}" if self.namespace else f"{self.kind}/{self.name}"

    @property
    def owner(self) -> str:
        """Who fixes it: its namespace, or the cluster's operators for cluster-scoped objects."""
        return self.namespace or ""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "namespace": self.namespace, "name": self.name, "api_version": self.api_version}

    def location(self) -> dict[str, Any] | None:
        if self.path is None:
            return None
        return {"path": self.path, "line": self.line}


@dataclass(frozen=True, slots=True)
class Waiver:
    """An accepted risk from the configuration: which checks, who owns it, why, until when."""

    id: str
    object: str  # kind/namespace/name, or a glob over it
    owner: str
    reason: str
    expires: str  # YYYY-MM-DD
    origin: str  # "<config file>: preflight/waivers/<index>"

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "object": self.object, "owner": self.owner, "reason": self.reason,
                "expires": self.expires}


@dataclass(frozen=True, slots=True)
class Check:
    """One thing to fix (or know) before the upgrade."""

    id: str
    severity: str
    object: ObjectRef
    message: str
    fix: str
    evidence: Mapping[str, EvidenceValue] = field(default_factory=dict)
    key: tuple[str, ...] = ()  # evidence names that identify the check beside id and object
    waived_by: Waiver | None = None
    in_baseline: bool = False

    @property
    def fingerprint(self) -> str:
        """Stable across runs: id, object and key evidence (not messages, lines or paths)."""
        from pluto_py.report.sarif import fingerprint

        parts = [self.id, self.object.kind, self.object.namespace or "", self.object.name]
        parts += [f"{name}={self.evidence.get(name)}" for name in self.key]
        return fingerprint(*parts)[:24]

    @property
    def active(self) -> bool:
        """Counts toward the verdict: not waived."""
        return self.waived_by is None

    def with_waiver(self, waiver: Waiver) -> Check:
        return replace(self, waived_by=waiver)

    def in_the_baseline(self) -> Check:
        return replace(self, in_baseline=True)

    def to_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "id": self.id,
            "severity": self.severity,
            "object": self.object.to_dict(),
            "message": self.message,
            "fix": self.fix,
            "evidence": dict(self.evidence),
            "location": self.object.location(),
            "fingerprint": self.fingerprint,
            "waived": self.waived_by.to_dict() if self.waived_by is not None else None,
            "baseline": self.in_baseline,
        }
        return record


RuleRunner = Callable[["PreflightContext"], Iterable[Check]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A registered check: its stable id, its default severity, and what runs it.

    The id is a code of the rule registry (pluto_py/core/rules.py), which holds its short text and
    help (and docs/rules.md its section): SARIF, JUnit and the docs read them from there.
    """

    id: str
    severity: str
    run: RuleRunner | None = None  # None: produced by another rule's runner (one pass makes both ids)

    @property
    def registered(self) -> RegisteredRule:
        """Its entry in the rule registry (raises UnknownRuleError when it has none: a bug)."""
        from pluto_py.core.rules import rule

        return rule(self.id)


def verdict_of(checks: Iterable[Check]) -> str:
    severities = {check.severity for check in checks if check.active}
    if BLOCKER in severities:
        return VERDICT_BLOCKED
    if WARNING in severities:
        return VERDICT_RISKY
    return VERDICT_READY
