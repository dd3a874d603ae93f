"""`skew --cluster`: the versions a live cluster reports, as the records --nodes/--version-info give.

* the API server's /version (the server version of `kubectl version`);
* every node's ``status.nodeInfo`` (kubelet, kube-proxy as the kubelet reports it, container runtime),
  read page by page like `kubectl get nodes -o json`;
* where the control plane runs as static pods (kubeadm, k3s-less self-managed clusters), each
  kube-apiserver, kube-controller-manager, kube-scheduler and cloud-controller-manager instance
  from its image tag in kube-system, and each node's kube-proxy from its pod's image (the node's
  own report is empty since 1.31). Managed control planes (EKS, GKE, AKS) show no such pods: then
  /version stands for the control plane.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pluto_py.core.skew_policy import (
    CLOUD_CONTROLLER_MANAGER,
    KUBE_APISERVER,
    KUBE_CONTROLLER_MANAGER,
    KUBE_PROXY,
    KUBE_SCHEDULER,
)
from pluto_py.core.versions import VersionError, parse_version
from pluto_py.skew.inputs import InputError, NodeVersions, VersionInfo, nodes_from_data, server_version_info
from pluto_py.sources.live import ApiResource, ClusterConnection, RequestFailure, list_pages

_NODES = ApiResource("", "v1", "nodes", "Node", False)
_PODS = ApiResource("", "v1", "pods", "Pod", True)
# Image names of the components a pod may run, longest first (cloud-controller-manager before ...).
_IMAGE_COMPONENTS = (CLOUD_CONTROLLER_MANAGER, KUBE_CONTROLLER_MANAGER, KUBE_APISERVER, KUBE_SCHEDULER, KUBE_PROXY)


@dataclass(frozen=True, slots=True)
class ClusterVersions:
    """What `skew` reads from a cluster: the same records as its --nodes and --version-info files,
    and ``NAME=VERSION`` values (as --apiserver node1=1.29.4 ...) for the pods it saw."""

    version: VersionInfo
    nodes: tuple[NodeVersions, ...]
    flags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    runtimes: Mapping[str, str] = field(default_factory=dict)  # node -> containerRuntimeVersion
    notes: tuple[str, ...] = ()


def image_version(image: str) -> tuple[str, str] | None:
    """(component, version tag) of a Kubernetes component image, e.g. registry.k8s.io/kube-proxy:v1.29.4."""
    reference = image.split("@", 1)[0]
    name, _, tag = reference.rpartition(":")
    if not name or "/" in tag:
        return None
    base = name.rpartition("/")[2]
    component = next((c for c in _IMAGE_COMPONENTS if base == c or base.startswith(c + "-")), None)
    if component is None:
        return None
    try:
        parse_version(tag)
    except VersionError:
        return None
    return component, tag


def _component_pods(items: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """component -> node (or pod name) -> image tag, from kube-system pods."""
    found: dict[str, dict[str, str]] = {}
    for pod in items:
        spec = pod.get("spec") if isinstance(pod.get("spec"), Mapping) else {}
        metadata = pod.get("metadata") if isinstance(pod.get("metadata"), Mapping) else {}
        assert isinstance(spec, Mapping) and isinstance(metadata, Mapping)
        where = spec.get("nodeName") or metadata.get("name")
        for container in spec.get("containers") or []:
            image = container.get("image") if isinstance(container, Mapping) else None
            parsed = image_version(image) if isinstance(image, str) else None
            if parsed is not None and isinstance(where, str):
                found.setdefault(parsed[0], {})[where] = parsed[1]
    return found


def read_cluster_versions(connection: ClusterConnection) -> ClusterVersions:
    """The cluster's component versions. Raises InputError (one line naming the cluster)."""
    where = connection.display
    try:
        info = connection.get("/version")
        nodes: list[dict[str, Any]] = [item for page in list_pages(connection, _NODES) for item in page]
    except RequestFailure as failure:
        raise InputError(f"{where}: {failure.message}") from None
    version = server_version_info(info, f"{where} /version")
    node_records = nodes_from_data({"kind": "NodeList", "items": nodes}, where) if nodes else []
    if not node_records:
        raise InputError(f"{where}: the cluster has no nodes")
    runtimes = {}
    for node in nodes:
        status = node.get("status") if isinstance(node.get("status"), Mapping) else {}
        info_map = status.get("nodeInfo") if isinstance(status, Mapping) else None
        name = (node.get("metadata") or {}).get("name")
        if isinstance(info_map, Mapping) and isinstance(name, str):
            runtimes[name] = str(info_map.get("containerRuntimeVersion") or "")
    notes: list[str] = []
    if any(runtimes.values()):
        counted = Counter(runtime for runtime in runtimes.values() if runtime)
        notes.append("container runtimes: " + ", ".join(f"{runtime} on {count} node(s)"
                                                        for runtime, count in sorted(counted.items())))
    flags: dict[str, tuple[str, ...]] = {}
    try:
        pods = [item for page in list_pages(connection, _PODS, "kube-system") for item in page]
    except RequestFailure as failure:
        pods = []
        notes.append(f"control-plane versions not read from kube-system pods ({failure.message}); "
                     "/version stands for the control plane")
    for component, instances in _component_pods(pods).items():
        flags[component] = tuple(f"{name}={tag}" for name, tag in sorted(instances.items()))
    if pods and not any(c in flags for c in (KUBE_APISERVER, KUBE_CONTROLLER_MANAGER, KUBE_SCHEDULER)):
        notes.append("no control-plane pods in kube-system (a managed control plane?): /version stands for it")
    return ClusterVersions(version, tuple(node_records), flags, runtimes, tuple(notes))
