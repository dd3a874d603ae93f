"""The pipeline's optional stages, each imported at the first input that needs it.

`kdeprecate scan one.yaml` runs on every pre-commit, and most inputs hold no suppression comment
and no custom resource: the modules handling those (pipeline/suppress.py, pipeline/crd_versions.py)
are loaded by these fronts at the first input that may need them, and then do exactly what they
always did. Each front's test is a cheap superset of what the real stage acts on, written with the
constants the pre-scan uses (core/prescan.py), so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pluto_py.core.model import Finding, Notice
from pluto_py.core.prescan import CRD_KIND, FILE_MARKERS

if TYPE_CHECKING:
    from pluto_py.core.table import ApiRow
    from pluto_py.pipeline.crd_versions import CrdVersionTracker
    from pluto_py.pipeline.judge import Resource, Targets
    from pluto_py.pipeline.suppress import SuppressionIndex


class Suppressions:
    """``suppress.SuppressionIndex``, imported at the first file holding a ``kdeprecate:`` comment."""

    def __init__(self) -> None:
        self._index: SuppressionIndex | None = None

    def observe(self, path: str, text: str) -> None:
        if self._index is None:
            if not any(marker in text for marker in FILE_MARKERS):
                return
            from pluto_py.pipeline.suppress import SuppressionIndex

            self._index = SuppressionIndex()
        self._index.observe(path, text)

    def apply(self, findings: Iterable[Finding]) -> tuple[list[Finding], list[Notice]]:
        if self._index is None:
            return list(findings), []
        return self._index.apply(findings)


class CrdHook:
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
            if (resource.kind != CRD_KIND and row is not None
                    and self._targets.for_component(row.component) is not None):
                return ()  # the table judges it
            from pluto_py.pipeline.crd_versions import CrdVersionTracker

            self._tracker = CrdVersionTracker(self._targets)
        return self._tracker.on_resource(resource, row)

    def finish(self) -> Iterable[Finding]:
        return self._tracker.finish() if self._tracker is not None else ()
