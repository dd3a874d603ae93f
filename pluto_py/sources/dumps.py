"""The ``cluster-dump`` expander: live objects (``kubectl get -o yaml``) and Helm release records.

A dump's live objects are judged by their last-applied configuration, and Helm release records by the
objects of their manifest (sources/cluster.py does both). That module is imported at the first
document it could act on — one holding a Secret or ConfigMap (a release record?) or an object with
the metadata of a live one — so that a scan of plain manifests never pays for it. The test is a
cheap superset of what the real expander acts on: when it says no, the expander would have done
nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, ClassVar

from pluto_py.core.model import Document, ScanError
from pluto_py.core.objects import objects_of
from pluto_py.core.prescan import LIVE_METADATA_KEYS, RELEASE_KINDS
from pluto_py.sources import SourceRequest

if TYPE_CHECKING:
    from pluto_py.sources.cluster import ClusterExpander


def may_need_cluster(document: Document) -> bool:
    """Whether sources/cluster.py could act on a document: it holds a Secret or ConfigMap (a Helm
    release record?) or an object with the metadata of a live one (uid, resourceVersion, managedFields)."""
    for item in objects_of(document.data):
        if item.data.get("kind") in RELEASE_KINDS:
            return True
        metadata = item.data.get("metadata")
        if isinstance(metadata, Mapping) and any(key in metadata for key in LIVE_METADATA_KEYS):
            return True
    return False


class ClusterDumpExpander:
    """``sources.cluster.ClusterExpander``, imported at the first document it could act on.

    ``prepare`` streams documents through until then and hands the rest of the stream to the real
    expander's ``prepare``: documents before that one hold no release record, so the revisions
    chosen across the stream are the same.
    """

    name: ClassVar[str] = "cluster-dump"

    def __init__(self, request: SourceRequest | None = None) -> None:
        self.annotations = request.annotations if request is not None else SourceRequest().annotations
        self._expander: ClusterExpander | None = None

    def _load(self) -> ClusterExpander:
        if self._expander is None:
            from pluto_py.sources.cluster import cluster_expander

            self._expander = cluster_expander(self.annotations)
        return self._expander

    def wanted(self, request: SourceRequest) -> bool:
        return True  # any document may come from a dump; the cost is one cheap test per document

    def prepare(self, items: Iterable[Document | ScanError]) -> Iterator[Document | ScanError]:
        stream = iter(items)
        for item in stream:
            if isinstance(item, Document) and may_need_cluster(item):
                yield from self._load().prepare(_chain(item, stream))
                return
            yield item

    def expand(self, document: Document) -> Iterable[Document | ScanError] | None:
        if self._expander is None and not may_need_cluster(document):
            return None
        return self._load()(document)


def _chain(first: Document, rest: Iterator[Document | ScanError]) -> Iterator[Document | ScanError]:
    yield first
    yield from rest
