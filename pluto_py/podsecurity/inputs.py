"""Where `kdeprecate podsecurity` gets its Documents: the scan's own sources, through one adapter.

Files, directories, stdin, `helm template` output, charts (rendered for the target), cluster dumps
and Helm release records are read exactly as `kdeprecate scan` reads them. Unlike the scan, live
objects are judged as they are (what runs is what PodSecurity admission sees), and a Helm release
record adds the objects of its latest deployed revision (analyze prefers a live object of the
same name). Everything else in the package takes an iterable of Documents, so another source (a
live cluster) plugs in by replacing this one class.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from pluto_py.model import SOURCE_HELM_RELEASE, Document, ScanError

if TYPE_CHECKING:
    from pluto_py.deferred import LazyChartRenderer
    from pluto_py.sources import InputStats


class PathSource:
    """The Documents (and ScanErrors) under ``paths``; ``stats`` and ``warnings`` once iterated."""

    def __init__(self, paths: Sequence[str], target: str, helm_values: Sequence[str] = (),
                 helm_set: Sequence[str] = ()) -> None:
        from pluto_py.deferred import LazyChartRenderer
        from pluto_py.sources import InputStats

        self.paths = list(paths) or ["."]
        self.target = target
        self.helm_values = tuple(helm_values)
        self.helm_set = tuple(helm_set)
        self.stats: InputStats = InputStats()
        self._charts: LazyChartRenderer = LazyChartRenderer()  # raises ValueError on a bad $KDEPRECATE_HELM_ENGINE

    @property
    def warnings(self) -> list[str]:
        return self._charts.warnings

    def __iter__(self) -> Iterator[Document | ScanError]:
        from pluto_py.config import map_chart_templates
        from pluto_py.sources import SourceOptions, iter_documents
        from pluto_py.sources.files import chart_of_file

        options = SourceOptions(target=self.target, helm_values=self.helm_values, helm_set=self.helm_set)
        paths, _notices = map_chart_templates(self.paths, chart_of_file)
        yield from with_release_objects(iter_documents(paths, options, self.stats, chart_handler=self._charts))


def with_release_objects(items: Iterable[Document | ScanError]) -> Iterator[Document | ScanError]:
    """Every item, and after a document holding Helm release records the objects of each release's
    latest deployed revision (hooks included) as ``helm-release`` Documents."""
    from pluto_py.scan import resources_of
    from pluto_py.sources.cluster import ClusterExpander, release_record_of

    expander = ClusterExpander(annotations=())  # no last-applied: live objects are judged as they are
    for item in expander.prepare(items):
        yield item
        if not isinstance(item, Document):
            continue
        if not any(release_record_of(resource.data) is not None for resource in resources_of(item)):
            continue
        for extra in expander(item) or ():
            if isinstance(extra, ScanError) or extra.source == SOURCE_HELM_RELEASE:
                yield extra
