"""`kdeprecate podsecurity` as values: the inputs read and analyzed into a PodSecurityReport.

The CLI (pluto_py/cli/podsecurity.py) picks the options, prints, labels (podsecurity/fix.py) and
maps the result to an exit code.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from pluto_py.core.model import Document, Notice, ScanError
from pluto_py.core.versions import KubeVersion
from pluto_py.podsecurity.model import PodSecurityReport

if TYPE_CHECKING:
    from pluto_py.podsecurity.inputs import SourceDocuments


@dataclass
class _Errors:
    items: list[ScanError] = field(default_factory=list)

    def documents(self, stream: Iterable[Document | ScanError]) -> Iterator[Document]:
        """The Documents of ``stream``; its ScanErrors are kept here."""
        for item in stream:
            if isinstance(item, ScanError):
                self.items.append(item)
            else:
                yield item


def build_report(documents: Iterable[Document | ScanError], target: KubeVersion,
                 default_namespace: str = "default") -> PodSecurityReport:
    """Analyze any stream of Documents (files, charts, dumps, a live cluster) into a report."""
    from pluto_py.podsecurity.analyze import analyze
    from pluto_py.podsecurity.standards import load_standards

    standards = load_standards()
    errors = _Errors()
    namespaces = analyze(errors.documents(documents), target, default_namespace=default_namespace,
                         standards=standards)
    notes = []
    if target < standards.enabled_by_default_since:
        notes.append(f"the PodSecurity admission controller is not on by default before "
                     f"{standards.enabled_by_default_since}: the labels take effect once it is")
    elif target < standards.psp_removed_in and any(namespace.psps for namespace in namespaces):
        notes.append(f"PodSecurityPolicy still admits pods at {target}: label the namespaces before the upgrade to "
                     f"{standards.psp_removed_in}, which removes it")
    return PodSecurityReport(target=str(target), namespaces=namespaces, errors=tuple(errors.items),
                             notes=tuple(notes))


@dataclass(frozen=True, slots=True)
class PodSecurityRun:
    """A report, with what the sources said besides their documents."""

    report: PodSecurityReport
    warnings: tuple[str, ...] = ()  # e.g. the Helm engine fell back to the static reading
    notices: tuple[Notice, ...] = ()  # e.g. a chart's file read through its chart


def check_sources(inputs: SourceDocuments, target: KubeVersion, default_namespace: str = "default") -> PodSecurityRun:
    """Read every document of ``inputs`` and judge its namespaces at ``target``."""
    report = build_report(inputs, target, default_namespace)
    report = replace(report, files=inputs.stats.files, documents=inputs.stats.documents)
    return PodSecurityRun(report, tuple(inputs.warnings), tuple(inputs.notices))
