"""What every blue/green check is and gets: the Check record, its context, and shared readings of objects."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pluto_py.bluegreen.model import (
    WORKLOAD_KINDS,
    CheckResult,
    ClusterObject,
    ClusterView,
    mapping,
    sequence,
    text,
)
from pluto_py.core.rules import rule
from pluto_py.core.table import Table
from pluto_py.core.versions import KubeVersion


@dataclass(frozen=True, slots=True)
class AddonVerdict:
    """What the add-on support data says about one image at one Kubernetes version."""

    name: str  # e.g. "cert-manager"
    version: str  # the add-on's version, from the image tag
    supported: bool
    supported_range: str | None = None  # e.g. "1.22-1.27", for the message
    source: str | None = None  # where the support matrix was read


# image, Kubernetes version -> verdict, or None when the image is not a known add-on (or its version unknown).
AddonLookup = Callable[[str, KubeVersion], AddonVerdict | None]


@dataclass(frozen=True)
class CheckContext:
    blue: ClusterView
    green: ClusterView
    table: Table
    addon_support: AddonLookup | None = None  # None: no add-on data in this build


@dataclass(frozen=True)
class Check:
    """One readiness check: a stable id (registered in core/rules.py with its texts) and its usual severity.

    ``run`` yields results (a result may be lighter than ``severity``: an unused CRD is a warning);
    ``cannot_run`` says why the descriptions given cannot answer it (then it is reported as not
    checked rather than passed), or None.
    """

    id: str
    severity: str
    run: Callable[[CheckContext], Iterable[CheckResult]]
    cannot_run: Callable[[CheckContext], str | None] = lambda context: None

    @property
    def summary(self) -> str:
        """One line: what it finds (the rule's short text)."""
        return rule(self.id).short

    @property
    def help(self) -> str:
        """Why it matters and what to do (the rule's help text, also in docs/rules.md)."""
        return rule(self.id).help


# --- readings shared by several checks ---------------------------------------------------------


def is_owned(obj: ClusterObject) -> bool:
    """Made by a controller (ownerReferences): it follows its owner, nobody applies it."""
    return obj.live is not None and bool(sequence(mapping(obj.live.get("metadata")).get("ownerReferences")))


def user_objects(view: ClusterView) -> Iterator[ClusterObject]:
    """Objects someone applied or created (not the ones controllers make)."""
    for obj in view.objects or ():
        if obj.applied is not None or not is_owned(obj):
            yield obj


def aggregated_group_versions(*views: ClusterView) -> set[str]:
    return {gv for view in views for gv, service in view.apiservices.items() if service.service is not None}


def is_custom(api_version: str, context: CheckContext) -> bool:
    """A custom resource: neither a built-in API (any release) nor an aggregated one."""
    return (not context.green.is_builtin(api_version)
            and api_version not in aggregated_group_versions(context.blue, context.green))


def workloads(view: ClusterView) -> Iterator[ClusterObject]:
    yield from view.of_kind(*WORKLOAD_KINDS)


def pod_spec(obj: ClusterObject) -> Mapping[str, Any]:
    """The pod template's spec of a workload (CronJob and Pod too); {} when there is none."""
    spec = obj.spec
    if obj.kind == "Pod":
        return spec
    if obj.kind == "CronJob":
        spec = mapping(mapping(spec.get("jobTemplate")).get("spec"))
    return mapping(mapping(spec.get("template")).get("spec"))


def images(obj: ClusterObject) -> dict[str, str]:
    """Container name -> image, init containers prefixed ``init:``."""
    spec = pod_spec(obj)
    found: dict[str, str] = {}
    for key, prefix in (("initContainers", "init:"), ("containers", "")):
        for container in sequence(spec.get(key)):
            container = mapping(container)
            name, image = text(container.get("name")), text(container.get("image"))
            if name and image:
                found[prefix + name] = image
    return found


def describe_objects(objects: Iterable[ClusterObject], limit: int = 3) -> str:
    """'Certificate shop/web-tls, Certificate payments/api-tls and 4 more'."""
    names = [f"{o.kind} {o.namespace + '/' if o.namespace else ''}{o.name or '<unnamed>'}" for o in objects]
    if len(names) <= limit:
        return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + (names[-1] if names else "")
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"

