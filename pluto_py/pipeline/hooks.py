"""The pipeline's optional stages, each imported at the first input that needs it.

`kdeprecate scan one.yaml` runs on every pre-commit, and most inputs hold no suppression comment,
no custom resource and no container image: the modules handling those (pipeline/suppress.py,
pipeline/crd_versions.py, pluto_py/addons) are loaded by these fronts at the first input that may
need them, and then do exactly what they always did. Each front's test is a cheap superset of what
the real stage acts on, written with the constants the pre-scan uses (core/prescan.py) or the same
reading (core/objects.containers_of), so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from pluto_py.core.model import Finding, Notice
from pluto_py.core.objects import containers_of
from pluto_py.core.prescan import CRD_KIND, FILE_MARKERS

if TYPE_CHECKING:
    from pluto_py.addons.judge import AddonJudge
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
            for marker in FILE_MARKERS:  # (a loop: a generator costs more than the test, on every file)
                if marker in text:
                    break
            else:
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


def may_run_addon(text: str) -> bool:
    """The pre-scan's text test for add-on images (``addons.judge.may_run_addon``), imported at the
    first document whose text has an ``image`` key."""
    if "image" not in text:
        return False
    global _addon_text_test
    if _addon_text_test is None:
        from pluto_py.addons.judge import may_run_addon as addon_text_test

        _addon_text_test = addon_text_test
    return _addon_text_test(text)


_addon_text_test: Callable[[str], bool] | None = None  # imported at the first document with an image key


class AddonHook:
    """``addons.judge.AddonJudge`` (a ScanHook), with the add-on support data loaded at the first object
    that runs an image whose last path part is one an add-on uses; pluto_py.addons is imported at the
    first object that runs a container at all."""

    __slots__ = ("_judge", "_targets")

    def __init__(self, targets: Targets) -> None:
        self._targets = targets
        self._judge: AddonJudge | None = None

    @property
    def notices(self) -> list[Notice]:
        return self._judge.notices if self._judge is not None else []

    def on_resource(self, resource: Resource, row: ApiRow | None) -> Iterable[Finding]:
        if self._judge is None:
            if next(containers_of(resource.data), None) is None:
                return ()
            from pluto_py.addons.judge import AddonJudge, runs_known_addon

            if not runs_known_addon(resource.data):
                return ()
            from pluto_py.addons.support import load_support

            self._judge = AddonJudge(self._targets.k8s, load_support())
        return self._judge.judge(resource)

    def finish(self) -> Iterable[Finding]:
        return ()
