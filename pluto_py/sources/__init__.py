"""Sources of Documents, behind one small protocol and a registry.

Every source yields Documents (or ScanErrors for what it could not read, or Notices), so the judge,
reporters and exit codes work the same whatever the input was. Two kinds of parts:

* a **Source** produces documents from something the user pointed at (``SOURCES``): the files,
  directories, stdin, FIFOs and Helm chart directories named on the command line are one source
  (``paths``: YAML/JSON, Helm output with its ``# Source:`` comments, charts rendered for the target);
* an **Expander** turns one parsed document into the documents to judge (``EXPANDERS``): the live
  objects of a cluster dump into their last-applied configuration, Helm release records into the
  objects of their manifest (``cluster-dump``).

Both registries map a name to "module:Class" (like the reporters): a module is imported only when
the scan runs, and each part imports its heavy machinery itself at the first input that needs it
(``wanted`` and the parts' cheap tests decide), so `kdeprecate scan one.yaml` pays for none of it.

The protocols are in sources/base.py (imported for type checking only: a scan does not pay for them).
Adding a source (a live cluster, audit logs, metrics): one module with a class that implements
``Source``, one line in ``SOURCES``, and the CLI options (pluto_py/cli/scan.py) that put what it
needs into ``SourceRequest.settings[<its name>]``. A source whose documents carry usage evidence
sets ``Document.usage`` (the judge copies it onto each Finding), other facts ``Document.context``
keys — see docs/architecture.md.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from pluto_py.core.prescan import DEFAULT_ANNOTATIONS, PrescanPolicy

if TYPE_CHECKING:
    from pluto_py.core.table import Table
    from pluto_py.sources.base import Expander, Source

HELM_ENGINE_ENV = "KDEPRECATE_HELM_ENGINE"  # forces a Helm engine (sources/helm.py); read before the scan

SOURCES: dict[str, str] = {
    "paths": "pluto_py.sources.paths:PathSource",
    "live-cluster": "pluto_py.sources.live:LiveClusterSource",  # scan --cluster
    "audit-log": "pluto_py.sources.audit:AuditLogSource",
    "metrics": "pluto_py.sources.metrics:MetricsSource",
}
# Sources made for every request; any other is imported only when the request holds its settings
# (SourceRequest.settings[name]), so that a scan of files never imports it.
ALWAYS_ASKED = frozenset({"paths"})

EXPANDERS: dict[str, str] = {
    "cluster-dump": "pluto_py.sources.dumps:ClusterDumpExpander",
}


class InputStats:
    """Counts a scan reports in its summary (sources add to them as they read)."""

    __slots__ = ("documents", "files")

    def __init__(self, files: int = 0, documents: int = 0) -> None:
        self.files = files
        self.documents = documents

    def count_document(self) -> None:
        """A document that was counted but not yielded (SourceRequest.prescan)."""
        self.documents += 1

    def __repr__(self) -> str:
        return f"InputStats(files={self.files}, documents={self.documents})"


class SourceRequest(NamedTuple):
    """What sources need to know: the paths, and what the user set (helm values, annotations, ...).

    target: k8s target, e.g. "1.25": charts are rendered for it.
    text_observer: called with (display path, text) of every file or stdin read: suppression
    comments are read from it (pipeline/suppress.py), at the cost of one substring test per file.
    path_filter: inputs whose display path it rejects are skipped (config include/exclude globs, --shard).
    prescan: skip the full parse of documents that cannot matter (core/prescan.py); None parses all.
    settings: per-source settings from the command line, keyed by the source's registry name.
    table: the API table the scan judges by: a source that reads far more than it yields may look
    only for what it flags (audit logs: the APIs deprecated or removed at the target).
    """

    paths: tuple[str, ...] = ()
    target: str | None = None
    helm_values: tuple[str, ...] = ()
    helm_set: tuple[str, ...] = ()
    annotations: tuple[str, ...] = DEFAULT_ANNOTATIONS
    text_observer: Callable[[str, str], None] | None = None
    path_filter: Callable[[str], bool] | None = None
    prescan: PrescanPolicy | None = None
    settings: Mapping[str, Any] = MappingProxyType({})
    table: Table | None = None

    def replace(self, **changes: Any) -> SourceRequest:
        return self._replace(**changes)


def load_part(spec: str, request: SourceRequest) -> Any:
    """An instance of the class ``spec`` ("module:Class") names, made for ``request``.

    Raises ValueError when the request cannot work with it (e.g. a bad KDEPRECATE_HELM_ENGINE).
    """
    module_name, _, class_name = spec.partition(":")
    return getattr(importlib.import_module(module_name), class_name)(request)


def sources_for(request: SourceRequest) -> list[Source]:
    """The registered sources this request wants, in registry order."""
    parts: list[Source] = [load_part(spec, request) for name, spec in SOURCES.items()
                           if name in ALWAYS_ASKED or name in request.settings]
    return [part for part in parts if part.wanted(request)]


def expanders_for(request: SourceRequest) -> list[Expander]:
    parts: list[Expander] = [load_part(spec, request) for spec in EXPANDERS.values()]
    return [part for part in parts if part.wanted(request)]
