"""Blue/green readiness: can everything that runs on blue (the old cluster) run on green (the new one),
and may traffic switch? (`kdeprecate bluegreen`, design.md section 4.)

Each cluster is described by whatever the user has of it (``inputs``: dumps, manifests, charts, Helm
release records, a version, kubectl discovery output, a live context), merged into one ``ClusterView``
per side (``model.combine``); the checks (``checks.CHECKS``) compare the two views; reporters
(``report``) render the result. Nothing here prints or exits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pluto_py.bluegreen.checks import CHECK_IDS, CheckContext, run_checks
from pluto_py.bluegreen.model import (
    BLOCKER,
    BLUE,
    GREEN,
    WARNING,
    CheckResult,
    ClusterView,
    NotChecked,
    combine,
)
from pluto_py.core.model import ScanError
from pluto_py.core.table import Table
from pluto_py.core.versions import KubeVersion

EXIT_READY = 0
EXIT_BLOCKED = 1
EXIT_INPUT_ERROR = 2


@dataclass(frozen=True)
class ReadinessRequest:
    """What describes each side (at least one green description; blue paths and/or a context)."""

    blue_paths: Sequence[str] = ()
    blue_context: str | None = None
    green_paths: Sequence[str] = ()
    green_version: KubeVersion | None = None
    green_context: str | None = None
    green_api_resources: Sequence[str] = ()
    kubeconfig: str | None = None  # for the contexts (else KUBECONFIG, ~/.kube/config)
    request_timeout: float | None = None  # seconds per request to a live cluster (None: the live source's)

    @property
    def describes_green(self) -> bool:
        return bool(self.green_paths or self.green_version or self.green_context or self.green_api_resources)


@dataclass(frozen=True)
class Readiness:
    blue: ClusterView
    green: ClusterView
    results: tuple[CheckResult, ...]
    not_checked: tuple[NotChecked, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def errors(self) -> tuple[ScanError, ...]:
        return self.blue.errors + self.green.errors

    @property
    def blockers(self) -> int:
        return sum(result.severity == BLOCKER for result in self.results)

    @property
    def warning_count(self) -> int:
        return sum(result.severity == WARNING for result in self.results)

    @property
    def exit_code(self) -> int:
        if self.errors:
            return EXIT_INPUT_ERROR
        return EXIT_BLOCKED if self.blockers else EXIT_READY


def describe_green(request: ReadinessRequest) -> ClusterView:
    from pluto_py.bluegreen.inputs import (
        read_inputs,
        view_from_context,
        view_from_discovery_file,
        view_from_documents,
        view_from_version,
    )

    parts: list[ClusterView] = []
    if request.green_version is not None:
        parts.append(view_from_version(GREEN, request.green_version, "--green-version"))
    parts.extend(view_from_discovery_file(GREEN, path) for path in request.green_api_resources)
    if request.green_context is not None:
        parts.append(view_from_context(GREEN, request.green_context, request.kubeconfig, request.request_timeout))
    if request.green_paths:
        raw = read_inputs(request.green_paths, request.green_version)
        parts.append(view_from_documents(GREEN, f"objects {', '.join(request.green_paths)}", raw))
    return combine(GREEN, parts)


def describe_blue(request: ReadinessRequest, green_version: KubeVersion | None) -> ClusterView:
    """Blue's objects; its charts are rendered for green's version (what installing them there gives)."""
    from pluto_py.bluegreen.inputs import read_inputs, view_from_context, view_from_documents

    parts: list[ClusterView] = []
    if request.blue_context is not None:
        parts.append(view_from_context(BLUE, request.blue_context, request.kubeconfig, request.request_timeout))
    if request.blue_paths:
        raw = read_inputs(request.blue_paths, green_version)
        parts.append(view_from_documents(BLUE, f"objects {', '.join(request.blue_paths)}", raw))
    return combine(BLUE, parts)


def _order(result: CheckResult) -> tuple[int, str, str, str, str]:
    ref = result.object
    return (CHECK_IDS.index(result.id), ref.namespace or "", ref.kind, ref.name or "", result.message)


def assess(request: ReadinessRequest, table: Table | None = None) -> Readiness:
    """Describe both sides and run every check. Input errors are in ``Readiness.errors``."""
    from pluto_py.bluegreen.checks.addon_unsupported import load_addon_support
    from pluto_py.core.table import load_table

    green = describe_green(request)
    blue = describe_blue(request, green.version)
    context = CheckContext(blue, green, table if table is not None else load_table([]), load_addon_support())
    results, not_checked = run_checks(context)
    return Readiness(blue, green, tuple(sorted(results, key=_order)), tuple(not_checked),
                     tuple(dict.fromkeys((*blue.notes, *green.notes))))


__all__ = ["CHECK_IDS", "EXIT_BLOCKED", "EXIT_INPUT_ERROR", "EXIT_READY", "Readiness", "ReadinessRequest", "assess"]
