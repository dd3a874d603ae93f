"""The records that flow from sources through the scanner to reporters.

Documents keep where they came from beside the parsed data; findings are immutable records
that reporters only read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # defined off the start-up path: only audit-log and metrics sources make one
    from pluto_py.core.usage import Usage

# Where a document came from (the JSON contract's "source" values).
SOURCE_FILE = "file"
SOURCE_STDIN = "stdin"
SOURCE_HELM_TEMPLATE = "helm-template"
SOURCE_HELM_RELEASE = "helm-release"
SOURCE_LAST_APPLIED = "last-applied"
SOURCE_CLUSTER = "cluster"
SOURCE_AUDIT_LOG = "audit-log"  # API requests recorded in an audit log (pluto_py/sources/audit.py)
SOURCE_METRICS = "metrics"  # the API server's apiserver_requested_deprecated_apis gauge
SOURCE_TEMPLATE = "template"  # a Go/Jinja-templated manifest file, read statically (sources/unparsable.py)

STATUS_REMOVED = "removed"
STATUS_DEPRECATED = "deprecated"
STATUS_UNSUPPORTED = "unsupported"  # an add-on whose documented support excludes the target (pluto_py.addons)

# A value's position in its source: 1-based line and column.
Position = tuple[int, int]
# Document.line of a source without lines (a live cluster): its findings and errors have line null.
NO_LINE = 0
CLUSTER_PATH_PREFIX = "cluster:"  # the path of a live cluster's documents: cluster:CONTEXT
# A path to a value inside a document: mapping keys and sequence indexes.
NodePath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Document:
    """One parsed YAML/JSON document, and where it came from."""

    path: str  # as shown to users (relative to where the user pointed us, or '-')
    index: int  # 0-based index of the YAML document in its file/stream
    line: int  # 1-based line where the document starts
    data: Any  # plain Python data: dict / list / str / int / float / bool / None
    positions: Mapping[NodePath, Position] = field(default_factory=dict)
    source: str = SOURCE_FILE
    template: str | None = None  # for helm output: the `# Source:` template path
    # Extra facts a source knows (helm release name/revision, chart path, ...).
    context: Mapping[str, str] = field(default_factory=dict)
    # Remarks on how it was read (a key given twice: the last one is used), reported with the scan.
    notices: tuple[Notice, ...] = ()
    # The API requests this document stands for (audit logs, metrics): every finding on it carries them.
    usage: Usage | None = None

    def position(self, path: NodePath) -> Position:
        """Position of the value at ``path``; the document start when it is unknown."""
        found = self.positions.get(path)
        if found is not None:
            return found
        return (self.line, 1)


class ScanError(NamedTuple):
    """An input that could not be read or parsed: the scan is incomplete."""

    path: str
    line: int | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "message": self.message}


@dataclass(frozen=True, slots=True)
class Finding:
    """One object whose API version is deprecated or removed at its target."""

    path: str
    line: int | None  # None: the object has no line (a live cluster's)
    column: int | None
    document: int
    source: str
    template: str | None
    api_version: str
    kind: str
    name: str | None
    namespace: str | None
    status: str
    deprecated_in: str | None
    removed_in: str | None
    replacement: str | None
    replacement_available_in: str | None
    component: str
    fixable: bool
    target: str  # the version this finding was judged at
    notes: str = ""
    # Whether the replacement is already served at --from (None when --from was not given).
    replacement_available_at_from: bool | None = None
    # When the replacement is not served at the target (or, with --from, not yet at --from): the
    # version to move to meanwhile, and the first release serving it (fix writes the same one).
    interim_replacement: str | None = None
    interim_available_in: str | None = None
    from_version: str | None = None  # --from: the cluster's current version
    suppressed: bool = False
    suppression_reason: str | None = None
    context: Mapping[str, str] = field(default_factory=dict)
    # For status "unsupported": {name, version, image, supported, source} of the add-on (None otherwise).
    addon: Mapping[str, str] | None = None
    usage: Usage | None = None  # API requests behind the finding (sources audit-log and metrics)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's finding object (design.md section 3)."""
        # Every field is a plain value but context (copied) and usage: no deep copy (dataclasses.asdict) needed.
        record = {field.name: getattr(self, field.name) for field in fields(self)}
        record["context"] = dict(self.context)
        record["addon"] = dict(self.addon) if self.addon is not None else None
        record["usage"] = self.usage.to_dict() if self.usage is not None else None
        return record

    @property
    def object_ref(self) -> str:
        """kind/name (namespace) for people."""
        name = self.name or "<unnamed>"
        ref = f"{self.kind}/{name}"
        return f"{ref} (namespace {self.namespace})" if self.namespace else ref


class ScannedObject(NamedTuple):
    """One object the scan looked at, finding or not (JUnit reports a test case per object)."""

    path: str
    line: int | None  # of its apiVersion value (None: a live cluster's object)
    column: int | None
    document: int
    api_version: str
    kind: str
    name: str | None
    namespace: str | None
    source: str = SOURCE_FILE
    template: str | None = None

    @property
    def key(self) -> tuple[object, ...]:
        """Identity of the object; ``object_key(finding)`` gives the same for its findings."""
        return (self.path, self.document, self.template or "", self.line, self.column, self.api_version, self.kind,
                self.name or "", self.namespace or "")


def object_key(finding: Finding) -> tuple[object, ...]:
    """The ``ScannedObject.key`` of the object a finding is about."""
    return (finding.path, finding.document, finding.template or "", finding.line, finding.column,
            finding.api_version, finding.kind, finding.name or "", finding.namespace or "")


NOTICE_WARNING = "warning"  # a problem with the user's own setup (e.g. a stale suppression)
NOTICE_INFO = "info"  # something the user should know (e.g. a chart template that was skipped)


@dataclass(frozen=True, slots=True)
class Notice:
    """Not an API finding: a remark about the scan itself, with a stable code (like a linter rule)."""

    path: str
    line: int | None
    code: str  # e.g. "unused-suppression", "chart-template-skipped"
    message: str
    level: str = NOTICE_WARNING
    column: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "column": self.column, "code": self.code,
                "level": self.level, "message": self.message}


class ScanSummary(NamedTuple):
    """The counts of a scan."""

    files: int
    documents: int
    removed: int
    deprecated: int
    errors: int
    suppressed: int = 0
    unsupported: int = 0

    def to_dict(self) -> dict[str, int]:
        return dict(self._asdict())


class ScanResult(NamedTuple):
    """What a scan found, and what it scanned."""

    findings: tuple[Finding, ...]
    errors: tuple[ScanError, ...]
    files: int
    documents: int
    targets: Mapping[str, str]
    # Every object scanned, when a reporter asked for them (JUnit); empty otherwise.
    objects: tuple[ScannedObject, ...] = ()
    notices: tuple[Notice, ...] = ()
    shard: tuple[int, int] | None = None  # (index, count) of `scan --shard I/N`: merge-reports checks them

    @property
    def summary(self) -> ScanSummary:
        active = [f for f in self.findings if not f.suppressed]
        return ScanSummary(
            files=self.files,
            documents=self.documents,
            removed=sum(f.status == STATUS_REMOVED for f in active),
            deprecated=sum(f.status == STATUS_DEPRECATED for f in active),
            errors=len(self.errors),
            suppressed=len(self.findings) - len(active),
            unsupported=sum(f.status == STATUS_UNSUPPORTED for f in active),
        )
