"""Where `kdeprecate podsecurity` gets its Documents: every registered source, as the scan opens them.

The sources come from ``pipeline.run.open_inputs``, the function `kdeprecate scan` enumerates its
sources with (pluto_py.sources.SOURCES): files, directories, stdin, `helm template` output, charts
(rendered for the target), cluster dumps, and whatever other source the request's settings ask for
(a live cluster), with no change here. Unlike the scan, the expanders are not applied: a live
object is judged as it is (what runs is what PodSecurity admission sees), not by its last-applied
configuration, and a Helm release record adds the objects of its latest deployed revision beside
it (analyze prefers a live object of the same name).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pluto_py.core.model import SOURCE_HELM_RELEASE, Document, Notice, ScanError

if TYPE_CHECKING:
    from pluto_py.pipeline.run import Inputs
    from pluto_py.sources import InputStats


class SourceDocuments:
    """The Documents (and ScanErrors) of the sources a request wants; ``stats``, ``notices`` and
    ``warnings`` once iterated.

    ``settings``: per-source settings keyed by the source's registry name (SourceRequest.settings).
    Raises ScanRequestError (a ValueError) when the request cannot run (a bad KDEPRECATE_HELM_ENGINE).
    """

    def __init__(self, paths: Sequence[str], target: str, helm_values: Sequence[str] = (),
                 helm_set: Sequence[str] = (), settings: Mapping[str, Any] = MappingProxyType({})) -> None:
        from pluto_py.pipeline.run import open_inputs
        from pluto_py.sources import InputStats, SourceRequest

        self.inputs: Inputs = open_inputs(SourceRequest(
            paths=tuple(paths), target=target, helm_values=tuple(helm_values), helm_set=tuple(helm_set),
            settings=settings))
        self.stats: InputStats = InputStats()
        self.notices: list[Notice] = list(self.inputs.notices)

    @property
    def warnings(self) -> list[str]:
        return [warning for source in self.inputs.sources for warning in source.warnings]

    def __iter__(self) -> Iterator[Document | ScanError]:
        from pluto_py.pipeline.run import source_documents

        inputs = self.inputs
        yield from with_release_objects(source_documents(inputs.sources, inputs.request, self.stats, self.notices))


def with_release_objects(items: Iterable[Document | ScanError]) -> Iterator[Document | ScanError]:
    """Every item, and after a document holding Helm release records the objects of each release's
    latest deployed revision (hooks included) as ``helm-release`` Documents."""
    from pluto_py.pipeline.judge import resources_of
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
