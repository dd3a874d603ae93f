"""Pod templates in documents, and their evaluation against the controls at a policy version.

Every object that makes pods is a workload: Pods, Deployments, StatefulSets, DaemonSets,
ReplicaSets, ReplicationControllers, Jobs, CronJobs (spec.jobTemplate.spec.template) and
PodTemplates, of the built-in API groups (a custom resource of the same kind is someone else's).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pluto_py.core.model import Document, NodePath
from pluto_py.core.versions import KubeVersion
from pluto_py.podsecurity.controls import CONTROLS, Control, PodView
from pluto_py.podsecurity.controls.base import mapping, render_field, sequence, text
from pluto_py.podsecurity.model import Level, Violation
from pluto_py.podsecurity.standards import Standards

_TEMPLATE = (("spec", "template", "metadata"), ("spec", "template", "spec"))
_JOB_TEMPLATE = ("spec", "jobTemplate", "spec", "template")
_CRONJOB = ((*_JOB_TEMPLATE, "metadata"), (*_JOB_TEMPLATE, "spec"))
# kind -> (API groups that define it, (path of the pod metadata, path of the pod spec))
POD_TEMPLATES: Mapping[str, tuple[frozenset[str], tuple[NodePath, NodePath]]] = {
    "Pod": (frozenset({""}), (("metadata",), ("spec",))),
    "PodTemplate": (frozenset({""}), (("template", "metadata"), ("template", "spec"))),
    "ReplicationController": (frozenset({""}), _TEMPLATE),
    "Deployment": (frozenset({"apps", "extensions"}), _TEMPLATE),
    "StatefulSet": (frozenset({"apps"}), _TEMPLATE),
    "DaemonSet": (frozenset({"apps", "extensions"}), _TEMPLATE),
    "ReplicaSet": (frozenset({"apps", "extensions"}), _TEMPLATE),
    "Job": (frozenset({"batch"}), _TEMPLATE),
    "CronJob": (frozenset({"batch"}), _CRONJOB),
}
# Kinds whose pod template a controller copies from its owner: evaluating them again says nothing new
# (and an old ReplicaSet of a Deployment holds a template that no longer runs).
COPIED_TEMPLATES = frozenset({"ReplicaSet", "Job"})


def group_of(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def _at(data: Any, path: NodePath) -> Any:
    for part in path:
        data = mapping(data).get(str(part))
    return data


@dataclass(frozen=True, slots=True)
class Workload:
    """One object with a pod template, where it was read, and whose it is."""

    document: Document
    base: NodePath  # the object inside its document: () or ("items", i)
    kind: str
    name: str | None
    namespace: str
    pod: PodView
    live: bool  # read from a cluster (it has a uid, resourceVersion or managedFields)
    owner: tuple[str, str] | None  # (kind, name) of its controller, from ownerReferences

    @property
    def line(self) -> int | None:
        return self.line_of(("kind",))

    def line_of(self, field: NodePath) -> int | None:
        """The line of ``field``, or of its nearest ancestor that was written."""
        full = (*self.base, *field)
        for cut in range(len(full), -1, -1):
            found = self.document.positions.get(full[:cut])
            if found is not None:
                return found[0]
        return self.document.line

    @property
    def service_account(self) -> str:
        spec = self.pod.spec
        return text(spec.get("serviceAccountName")) or text(spec.get("serviceAccount")) or "default"


def workload_of(document: Document, base: NodePath, data: Mapping[str, Any], default_namespace: str) -> Workload | None:
    """The workload ``data`` is, or None when it makes no pods."""
    from pluto_py.sources.cluster import is_live_object

    kind = text(data.get("kind"))
    known = POD_TEMPLATES.get(kind)
    if known is None or group_of(text(data.get("apiVersion"))) not in known[0]:
        return None
    meta_path, spec_path = known[1]
    spec = _at(data, spec_path)
    if not isinstance(spec, Mapping):
        return None
    metadata = mapping(data.get("metadata"))
    owner = None
    for reference in sequence(metadata.get("ownerReferences")):
        reference = mapping(reference)
        if reference.get("controller") is True:
            owner = (text(reference.get("kind")), text(reference.get("name")))
    return Workload(document=document, base=base, kind=kind, name=text(metadata.get("name")) or None,
                    namespace=text(metadata.get("namespace")) or default_namespace,
                    pod=PodView(spec, mapping(_at(data, meta_path)), spec_path, meta_path),
                    live=is_live_object(data), owner=owner)


def evaluate(workload: Workload, version: KubeVersion, standards: Standards, release: KubeVersion | None = None,
             controls: Iterable[Control] = CONTROLS) -> tuple[Violation, ...]:
    """Every violation of every control in force at policy ``version`` on a cluster at ``release``
    (default: ``version``), baseline ones first."""
    out: list[Violation] = []
    document = workload.document
    for control in controls:
        rule = standards.rule(control.id, version, release)
        if rule is None:
            continue
        for hit in control.check(workload.pod, rule):
            out.append(Violation(
                level=rule.level, control=control.id, kind=workload.kind, name=workload.name,
                namespace=workload.namespace, path=document.path, field=render_field(hit.field),
                line=workload.line_of(hit.field), message=hit.message, source=document.source,
                template=document.template))
    out.sort(key=lambda violation: violation.level)
    return tuple(out)


def level_of(violations: Iterable[Violation]) -> Level:
    """The strictest level a pod with these violations meets.

    A pod meets restricted only when it meets baseline too: PSA skips a baseline check that a
    restricted one overrides, and the overriding checks are stricter for every pod the API server
    accepts (a Windows pod cannot set the Linux fields they exempt it from).
    """
    levels = {violation.level for violation in violations}
    if Level.BASELINE in levels:
        return Level.PRIVILEGED
    if Level.RESTRICTED in levels:
        return Level.BASELINE
    return Level.RESTRICTED


def blocking(violations: Iterable[Violation], level: Level) -> tuple[Violation, ...]:
    """The violations that keep a pod (or namespace) at ``level`` from the next one."""
    if level == Level.RESTRICTED:
        return ()
    return tuple(violation for violation in violations if violation.level == level.stricter())


def workloads_in(documents: Iterable[Document], default_namespace: str) -> Iterator[Workload]:
    from pluto_py.pipeline.judge import resources_of

    for document in documents:
        for resource in resources_of(document):
            workload = workload_of(document, resource.path, resource.data, default_namespace)
            if workload is not None:
                yield workload
