"""The records of `kdeprecate podsecurity`: levels, violations, namespaces, findings, the report.

Everything here is a plain value; the analysis builds them and reporters only read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from pluto_py.core.model import ScanError

LABEL_PREFIX = "pod-security.kubernetes.io/"
MODES = ("enforce", "audit", "warn")


class Level(IntEnum):
    """A Pod Security Standards level; a larger value is stricter."""

    PRIVILEGED = 0
    BASELINE = 1
    RESTRICTED = 2

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Level | None:
        """The level a label value names, or None when it names none."""
        try:
            return cls[text.upper()] if text.lower() == text else None
        except KeyError:
            return None

    def stricter(self) -> Level:
        """One level stricter (restricted stays restricted)."""
        return Level(min(self + 1, Level.RESTRICTED))


def label_key(mode: str, version: bool = False) -> str:
    """``pod-security.kubernetes.io/enforce`` (or ``...-version``)."""
    return f"{LABEL_PREFIX}{mode}{'-version' if version else ''}"


# Finding ids: stable, like the rule ids of the scan.
ENFORCEMENT_LOST = "podsecurity-enforcement-lost"
PODS_REFUSED = "podsecurity-pods-refused"
ENFORCEMENT_WEAKER = "podsecurity-enforcement-weaker"
INVALID_LABEL = "podsecurity-invalid-label"
FAILING_FINDINGS = frozenset({ENFORCEMENT_LOST, PODS_REFUSED})


@dataclass(frozen=True, slots=True)
class Violation:
    """One field of one pod template that a control forbids at its level."""

    level: Level  # the level this control belongs to: the pod cannot meet it
    control: str
    kind: str
    name: str | None
    namespace: str
    path: str  # the file (or stream, or cluster) it was read from
    field: str  # e.g. spec.template.spec.containers[0].securityContext.privileged
    line: int | None
    message: str
    source: str = "file"
    template: str | None = None  # for a chart: the template it was rendered from

    def to_dict(self) -> dict[str, Any]:
        return {"level": str(self.level), "control": self.control, "kind": self.kind, "name": self.name,
                "namespace": self.namespace, "path": self.path, "field": self.field, "line": self.line,
                "message": self.message, "source": self.source, "template": self.template}


@dataclass(frozen=True, slots=True)
class WorkloadResult:
    """A pod template and the strictest level it meets at one policy version."""

    kind: str
    name: str | None
    namespace: str
    path: str
    line: int | None
    level: Level
    violations: tuple[Violation, ...]  # of every level, at the version evaluated


@dataclass(frozen=True, slots=True)
class PspGrant:
    """A PodSecurityPolicy that pods of a namespace may use, and what it maps to."""

    name: str
    level: Level | None  # None: the PSP is granted but not in the input
    gaps: tuple[str, ...]  # why it is not one level stricter
    granted_via: tuple[str, ...]  # "ClusterRoleBinding/x -> ClusterRole/y (group system:serviceaccounts)"
    unrestricted: bool = False  # it allows privileged containers: whoever may use it was never constrained

    def describe(self) -> str:
        """``restricted (maps to restricted)``, ``privileged (unrestricted)``, ``x (not in the input)``."""
        if self.level is None:
            return f"{self.name} (not in the input)"
        return f"{self.name} ({'unrestricted' if self.unrestricted else f'maps to {self.level}'})"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "level": None if self.level is None else str(self.level),
                "unrestricted": self.unrestricted, "gaps": list(self.gaps), "granted_via": list(self.granted_via)}


@dataclass(frozen=True, slots=True)
class NamespaceFinding:
    """A verdict about a namespace across the upgrade (`id` is one of the ids above)."""

    id: str
    namespace: str
    message: str
    fails: bool

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "namespace": self.namespace, "message": self.message,
                "severity": "error" if self.fails else "warning"}


@dataclass(frozen=True, slots=True)
class ManifestRef:
    """Where a namespace's Namespace object was read (the file `--fix` writes its labels into)."""

    path: str
    line: int | None
    source: str
    live: bool  # read from a cluster dump: never rewritten


@dataclass(frozen=True, slots=True)
class NamespaceReport:
    namespace: str
    level: Level  # the strictest level every workload of the namespace meets at the target
    workloads: int
    labels: Mapping[str, str]  # the namespace's pod-security.kubernetes.io/* labels
    psps: tuple[PspGrant, ...]
    violations: tuple[Violation, ...]  # those that block the next level
    suggested_labels: Mapping[str, str]
    findings: tuple[NamespaceFinding, ...]
    manifest: ManifestRef | None = None
    psp_constrained: bool = False

    @property
    def fails(self) -> bool:
        return any(finding.fails for finding in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "namespace": self.namespace,
            "level": str(self.level),
            "workloads": self.workloads,
            "labels": dict(self.labels),
            "psps": [grant.to_dict() for grant in self.psps],
            "psp_constrained": self.psp_constrained,
            "violations": [violation.to_dict() for violation in self.violations],
            "suggested_labels": dict(self.suggested_labels),
            "findings": [finding.to_dict() for finding in self.findings],
            "manifest": None if self.manifest is None else {"path": self.manifest.path, "line": self.manifest.line,
                                                            "source": self.manifest.source},
        }


@dataclass(frozen=True, slots=True)
class PodSecurityReport:
    target: str
    namespaces: tuple[NamespaceReport, ...]
    errors: tuple[ScanError, ...] = ()
    notes: tuple[str, ...] = ()
    files: int = 0
    documents: int = 0

    @property
    def fails(self) -> bool:
        return any(namespace.fails for namespace in self.namespaces)

    def summary(self) -> dict[str, int]:
        findings = [f for ns in self.namespaces for f in ns.findings]
        return {
            "files": self.files,
            "documents": self.documents,
            "namespaces": len(self.namespaces),
            "workloads": sum(ns.workloads for ns in self.namespaces),
            "privileged": sum(ns.level == Level.PRIVILEGED for ns in self.namespaces),
            "baseline": sum(ns.level == Level.BASELINE for ns in self.namespaces),
            "restricted": sum(ns.level == Level.RESTRICTED for ns in self.namespaces),
            "enforcement_lost": sum(f.id == ENFORCEMENT_LOST for f in findings),
            "pods_refused": sum(f.id == PODS_REFUSED for f in findings),
            "warnings": sum(not f.fails for f in findings),
            "errors": len(self.errors),
        }
