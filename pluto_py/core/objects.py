"""The Kubernetes objects a document holds: the document itself, or the items of a ``kind: *List``.

One reading for everyone: the judge (pipeline/judge.py), cluster dumps (sources/cluster.py, and its
cheap test in sources/dumps.py) and fix. ``containers_of``: the containers an object runs, for add-on
judgement (pluto_py.addons, and its cheap test in pipeline/hooks.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from pluto_py.core.model import NodePath


class DocumentObject(NamedTuple):
    """A mapping inside a document, and where: () for the document itself, ("items", i) for a List item."""

    path: NodePath
    data: Mapping[str, Any]


def is_object(data: Any) -> bool:
    """A mapping with string apiVersion and kind: a Kubernetes object."""
    return (isinstance(data, Mapping) and isinstance(data.get("apiVersion"), str)
            and isinstance(data.get("kind"), str))


def list_items(data: Any) -> list[DocumentObject] | None:
    """The mapping items of a ``kind: *List`` document, with their paths; None when ``data`` is not a List.

    Only top-level objects count: an apiVersion nested in a spec (scaleTargetRef, a manifest
    embedded in a ConfigMap) describes a reference, not an object of that version.
    """
    if not isinstance(data, Mapping):
        return None
    kind = data.get("kind")
    items = data.get("items")
    if not (isinstance(kind, str) and kind.endswith("List") and isinstance(items, list)):
        return None
    return [DocumentObject(("items", index), item) for index, item in enumerate(items) if isinstance(item, Mapping)]


def objects_of(data: Any) -> list[DocumentObject]:
    """The mappings a document stands for: a List's items, else the document itself (when a mapping)."""
    items = list_items(data)
    if items is not None:
        return items
    return [DocumentObject((), data)] if isinstance(data, Mapping) else []


# Where a pod spec sits in the workload kinds: Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
# ReplicationController (spec.template.spec), CronJob, PodTemplate, Pod.
_POD_SPECS: tuple[NodePath, ...] = (("spec", "template", "spec"), ("spec", "jobTemplate", "spec", "template", "spec"),
                                   ("template", "spec"))
_CONTAINER_LISTS = ("initContainers", "containers")


def _pod_specs(data: Mapping[str, Any]) -> Iterator[tuple[NodePath, Mapping[str, Any]]]:
    paths = (*_POD_SPECS, ("spec",)) if data.get("kind") == "Pod" else _POD_SPECS
    for path in paths:
        node: Any = data
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        if isinstance(node, Mapping):
            yield path, node


def containers_of(data: Mapping[str, Any]) -> Iterator[tuple[NodePath, str, str]]:
    """(path of the image value, container name, image) for every container and init container of an object."""
    for path, spec in _pod_specs(data):
        for list_name in _CONTAINER_LISTS:
            containers = spec.get(list_name)
            if not isinstance(containers, list):
                continue
            for index, container in enumerate(containers):
                if isinstance(container, Mapping) and isinstance(container.get("image"), str):
                    yield (*path, list_name, index, "image"), str(container.get("name") or ""), container["image"]
