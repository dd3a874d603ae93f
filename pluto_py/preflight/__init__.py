"""Upgrade preflight (`kdeprecate preflight`): one verdict and an ordered worklist of everything that
breaks an in-place upgrade, from manifests, charts and cluster dumps, or a live cluster.

Layers: view (objects of the inputs) -> checks (one module each, registered in registry.RULES) ->
waivers and baseline -> report -> renderers (render/). Nothing here prints or exits.
"""

from __future__ import annotations

from pluto_py.preflight.model import BLOCKER, INFO, WARNING, Check, ObjectRef, Rule, Waiver
from pluto_py.preflight.run import PreflightReport, PreflightRequest, report_document, run_preflight

__all__ = [
    "BLOCKER",
    "INFO",
    "WARNING",
    "Check",
    "ObjectRef",
    "PreflightReport",
    "PreflightRequest",
    "Rule",
    "Waiver",
    "report_document",
    "run_preflight",
]
