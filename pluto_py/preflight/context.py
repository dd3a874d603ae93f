"""What every check reads: the target, the current version, the cluster view, the scan, the facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pluto_py.core.model import Document, ScanResult
from pluto_py.core.versions import KubeVersion
from pluto_py.preflight.facts import Facts
from pluto_py.preflight.view import ClusterView


@dataclass(frozen=True)
class PreflightContext:
    target: KubeVersion
    from_version: KubeVersion | None
    view: ClusterView
    facts: Facts
    today: date
    scan: ScanResult | None = None  # None: the API scan did not run (no inputs to scan)
    documents: tuple[Document, ...] = ()  # every document read, as read (pod security judges them)
