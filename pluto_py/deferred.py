"""Stand-ins that import a heavy part of the scan only when the input needs it.

`kdeprecate scan one.yaml` runs on every pre-commit: every module it imports is paid on every
commit. Most inputs hold no Helm chart, no cluster dump, no suppression comment and no custom
resource, so the modules handling those (with their own imports) are loaded by these stand-ins
at the first input that may need them, and then do exactly what they always did. Each stand-in's
test for "may need" is a cheap superset of what the real part acts on: when it says no, the real
part would have done nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pluto_py.model import Document, Finding, Notice, ScanError
from pluto_py.sources.prescan import DEFAULT_ANNOTATIONS, FILE_MARKERS

if TYPE_CHECKING:
    from pluto_py.crd_versions import CrdVersionTracker
    from pluto_py.scan import Resource, Targets
    from pluto_py.sources import SourceOptions
    from pluto_py.sources.cluster import ClusterExpander
    from pluto_py.sources.files import ChartInput
    from pluto_py.sources.helm import ChartRenderer
    from pluto_py.suppress import SuppressionIndex
    from pluto_py.table import ApiRow

HELM_ENGINE_ENV = "KDEPRECATE_HELM_ENGINE"  # sources.helm.ENGINE_ENV
_LIVE_KEYS = ("uid", "resourceVersion", "managedFields")  # metadata of objects read from a cluster
_RELEASE_KINDS = ("Secret", "ConfigMap")  # Helm's storage objects
_CRD_KIND = "CustomResourceDefinition"


class LazyChartRenderer:
    """``sources.helm.ChartRenderer``, imported at the first chart (or at once when
    $KDEPRECATE_HELM_ENGINE is set, so that a bad value is reported before the scan)."""

    def __init__(self) -> None:
        self._renderer: ChartRenderer | None = None
        if os.environ.get(HELM_ENGINE_ENV):
            self._load()

    def _load(self) -> ChartRenderer:
        if self._renderer is None:
            from pluto_py.sources.helm import ChartRenderer

            self._renderer = ChartRenderer()
        return self._renderer

    def __call__(self, chart: ChartInput, options: SourceOptions) -> Iterable[Document | ScanError]:
        return self._load()(chart, options)

    @property
    def warnings(self) -> list[str]:
        return self._renderer.warnings if self._renderer is not None else []

    @property
    def engines_used(self) -> dict[str, str]:
        """Chart (as shown) -> the engine that rendered it."""
        return self._renderer.engines_used if self._renderer is not None else {}


def _objects(data: Any) -> list[Mapping[str, Any]]:
    """The objects of a document as ``sources.cluster`` sees them (a List's items, else itself)."""
    if not isinstance(data, Mapping):
        return []
    kind = data.get("kind")
    items = data.get("items")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(items, list):
        return [item for item in items if isinstance(item, Mapping)]
    return [data]


def may_need_cluster(document: Document) -> bool:
    """Whether ``sources.cluster`` could act on a document: it holds a Secret or ConfigMap (a Helm
    release record?) or an object with the metadata of a live one (uid, resourceVersion,
    managedFields)."""
    for obj in _objects(document.data):
        if obj.get("kind") in _RELEASE_KINDS:
            return True
        metadata = obj.get("metadata")
        if isinstance(metadata, Mapping) and any(key in metadata for key in _LIVE_KEYS):
            return True
    return False


class LazyClusterExpander:
    """``sources.cluster.ClusterExpander``, imported at the first document it could act on.

    ``prepare`` streams documents through until then and hands the rest of the stream to the real
    expander's ``prepare``: documents before that one hold no release record, so the revisions
    chosen across the stream are the same.
    """

    def __init__(self, annotations: tuple[str, ...] = DEFAULT_ANNOTATIONS) -> None:
        self.annotations = annotations
        self._expander: ClusterExpander | None = None

    def _load(self) -> ClusterExpander:
        if self._expander is None:
            from pluto_py.sources.cluster import cluster_expander

            self._expander = cluster_expander(self.annotations)
        return self._expander

    def prepare(self, items: Iterable[Document | ScanError]) -> Iterator[Document | ScanError]:
        stream = iter(items)
        for item in stream:
            if isinstance(item, Document) and may_need_cluster(item):
                yield from self._load().prepare(_chain(item, stream))
                return
            yield item

    def __call__(self, document: Document) -> Iterable[Document | ScanError] | None:
        if self._expander is None and not may_need_cluster(document):
            return None
        return self._load()(document)


def _chain(first: Document, rest: Iterator[Document | ScanError]) -> Iterator[Document | ScanError]:
    yield first
    yield from rest


class LazySuppressions:
    """``suppress.SuppressionIndex``, imported at the first file holding a ``kdeprecate:`` comment."""

    def __init__(self) -> None:
        self._index: SuppressionIndex | None = None

    def observe(self, path: str, text: str) -> None:
        if self._index is None:
            if not any(marker in text for marker in FILE_MARKERS):
                return
            from pluto_py.suppress import SuppressionIndex

            self._index = SuppressionIndex()
        self._index.observe(path, text)

    def apply(self, findings: Iterable[Finding]) -> tuple[list[Finding], list[Notice]]:
        if self._index is None:
            return list(findings), []
        return self._index.apply(findings)


class LazyCrdTracker:
    """``crd_versions.CrdVersionTracker`` (a ScanHook), imported at the first CRD or the first object
    of a dotted API group that the table does not judge at the targets (a custom resource?)."""

    def __init__(self, targets: Targets) -> None:
        self._targets = targets
        self._tracker: CrdVersionTracker | None = None

    def on_resource(self, resource: Resource, row: ApiRow | None) -> Iterable[Finding]:
        if self._tracker is None:
            group = resource.api_version.rpartition("/")[0]
            if "." not in group:
                return ()  # the core group and dot-less built-in groups: never a CRD nor a custom resource
            if (resource.kind != _CRD_KIND and row is not None
                    and self._targets.for_component(row.component) is not None):
                return ()  # the table judges it
            from pluto_py.crd_versions import CrdVersionTracker

            self._tracker = CrdVersionTracker(self._targets)
        return self._tracker.on_resource(resource, row)

    def finish(self) -> Iterable[Finding]:
        return self._tracker.finish() if self._tracker is not None else ()
