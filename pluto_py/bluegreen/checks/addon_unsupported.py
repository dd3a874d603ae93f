"""`addon-unsupported`: an add-on whose version does not support green's Kubernetes version.

The add-ons are recognised from container images, and judged by the add-on support data of
``pluto_py/addons`` (issue 15) through one function of type ``AddonLookup``:
``(image, k8s_version) -> AddonVerdict | None``. ``load_addon_support`` is where that package plugs in.
"""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.bluegreen.checks.base import AddonLookup, AddonVerdict, Check, CheckContext, images, workloads
from pluto_py.bluegreen.model import BLOCKER, BLUE, GREEN, CheckResult
from pluto_py.core.versions import KubeVersion

ID = "addon-unsupported"


def load_addon_support() -> AddonLookup | None:
    """INTEGRATION POINT for the add-on support data (issue 15, ``pluto_py/addons``).

    A lookup ``(image, k8s_version) -> AddonVerdict | None`` built on that package's image recognition
    (``support.load_support().recognise``, ``images.version_in_tag``) and support ranges (``support.judge``):
    None for an image that is no known add-on, whose tag names no release, or whose support the data cannot
    tell (the scan reports those as notices; here they are not guessed either). Returns None — and the
    check is reported as not checked rather than passed — in a build without that package. It is imported
    by name so that this module type-checks with and without it.
    """
    import importlib

    try:
        image_refs = importlib.import_module("pluto_py.addons.images")
        support = importlib.import_module("pluto_py.addons.support")
        data = support.load_support()
    except ImportError:
        return None  # no add-on support data in this build
    except ValueError:  # support.AddonDataError: a broken installation; the check cannot run
        return None

    def lookup(image: str, k8s_version: KubeVersion) -> AddonVerdict | None:
        recognised = data.recognise(image)
        if recognised is None:
            return None
        addon, ref = recognised
        version = image_refs.version_in_tag(ref.tag)
        if version is None:
            return None
        verdict = support.judge(addon, version, k8s_version)
        if verdict.supported is None:
            return None
        supported = support.supported_text(verdict.kubernetes) if verdict.kubernetes else None
        return AddonVerdict(str(addon.title), str(version), bool(verdict.supported),
                            None if supported is None else str(supported),
                            None if verdict.source is None else str(verdict.source))

    return lookup


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


CHECK = Check(id=ID, severity=BLOCKER, run=_run, cannot_run=_cannot_run)
