"""`addon-unsupported`: an add-on whose version does not support green's Kubernetes version.

The add-ons are recognised from container images, and judged by the add-on support data of
``pluto_py/addons.py`` (issue 15) through one function of type ``AddonSupport``:
``(image, k8s_version) -> AddonVerdict | None``. ``load_addon_support`` is where that module plugs in.
"""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.bluegreen.checks.base import AddonSupport, Check, CheckContext, images, workloads
from pluto_py.bluegreen.model import BLOCKER, BLUE, GREEN, CheckResult

ID = "addon-unsupported"


def load_addon_support() -> AddonSupport | None:
    """INTEGRATION POINT for the add-on support data (issue 15, ``pluto_py/addons.py``).

    Return a function ``(image, k8s_version) -> AddonVerdict | None`` built on that module's image
    recognition and support ranges (None for an image that is no known add-on, or whose version is
    unknown: a notice there, not a guess). Until that module exists there is no data, and this
    check is reported as not checked rather than passed.
    """
    return None


def _cannot_run(context: CheckContext) -> str | None:
    if context.addon_support is None:
        return "needs the add-on support data, which this build does not have"
    if context.green.version is None:
        return "needs green's version: --green-version"
    return None


def _run(context: CheckContext) -> Iterator[CheckResult]:
    support, green = context.addon_support, context.green
    if support is None or green.version is None:
        return
    # Green's own add-ons when green's workloads are known; otherwise blue's, as they would move.
    side, view = (GREEN, green) if green.has_kind("Deployment", "DaemonSet", "StatefulSet") else (BLUE, context.blue)
    for obj in workloads(view):
        for container, image in sorted(images(obj).items()):
            verdict = support(image, green.version)
            if verdict is None or verdict.supported:
                continue
            supports = f" (it supports Kubernetes {verdict.supported_range})" if verdict.supported_range else ""
            runs = "runs" if side == GREEN else "runs on blue, and would move to green as"
            yield CheckResult(
                ID, BLOCKER, obj.ref,
                f"{obj.ref} {runs} {verdict.name} {verdict.version} (container {container}, image {image}), which "
                f"does not support green's Kubernetes {green.version}{supports}",
                f"upgrade {verdict.name} on green to a version that supports Kubernetes {green.version}"
                + (f" (support matrix: {verdict.source})" if verdict.source else ""),
                side=side, where=obj.where)


CHECK = Check(
    id=ID, severity=BLOCKER,
    summary="An add-on's version does not support green's Kubernetes version.",
    help="Add-ons (CNI, DNS, ingress controllers, cert-manager, autoscalers, service meshes) support a range of "
         "Kubernetes versions each; one outside its range may fail on green in ways no manifest check shows. "
         "Upgrade it on green to a version whose support matrix includes green's version.",
    run=_run, cannot_run=_cannot_run,
)
