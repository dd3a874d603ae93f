"""pod-without-controller and pod-local-storage: what a node drain does to pods.

kubectl drain refuses a pod that no controller recreates (no ownerReference with
``controller: true``) unless given --force, and then that pod is gone for good; it skips mirror
pods of static manifests, and pods that have finished. A pod with an emptyDir volume loses that
data when evicted (drain asks for --delete-emptydir-data). DaemonSet pods stay where they are
during a drain (--ignore-daemonsets), so neither check counts them.

Workloads (Deployment, StatefulSet, ReplicaSet, Job, CronJob) with an emptyDir in their pod
template are reported once, as the workload; their pods are not reported again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import PurePath
from typing import Any

from pluto_py.preflight.context import PreflightContext
from pluto_py.preflight.model import WARNING, Check, Rule
from pluto_py.preflight.view import ClusterObject, ClusterView, mapping

POD_WITHOUT_CONTROLLER = "pod-without-controller"
POD_LOCAL_STORAGE = "pod-local-storage"
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
DRAIN_SOURCE = "https://kubernetes.io/docs/reference/kubectl/generated/kubectl_drain/"
TEMPLATE_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "Job", "CronJob")


def is_static_pod(pod: ClusterObject) -> bool:
    """A mirror pod, or a static pod manifest read from a kubelet's manifest directory.

    A manifest file has no mirror annotation; a control-plane static pod is recognized by the
    ``tier: control-plane`` label kubeadm sets in kube-system, or by its path
    (``.../kubernetes/manifests/...``, where kubelets read static pods).
    """
    if MIRROR_ANNOTATION in pod.annotations or "kubernetes.io/config.source" in pod.annotations:
        return True
    if pod.namespace == "kube-system" and pod.labels.get("tier") == "control-plane":
        return True
    parts = PurePath(pod.path).parts
    return any(parts[i] == "kubernetes" and parts[i + 1] == "manifests" for i in range(len(parts) - 1))


def _finished(pod: ClusterObject) -> bool:
    return pod.status.get("phase") in ("Succeeded", "Failed")


def _pod_spec(obj: ClusterObject) -> Mapping[str, Any]:
    if obj.kind == "Pod":
        return obj.spec
    template = mapping(obj.spec.get("template"))
    if obj.kind == "CronJob":  # spec.jobTemplate.spec.template
        template = mapping(mapping(mapping(obj.spec.get("jobTemplate")).get("spec")).get("template"))
    return mapping(template.get("spec"))


def empty_dirs(obj: ClusterObject) -> list[str]:
    volumes = _pod_spec(obj).get("volumes")
    if not isinstance(volumes, list):
        return []
    return [str(v.get("name")) for v in volumes if isinstance(v, Mapping) and "emptyDir" in v]


def _reported_through_owner(pod: ClusterObject, view: ClusterView) -> bool:
    """The pod's workload (or the Deployment above its ReplicaSet) is in the inputs: report that instead."""
    owner = pod.controller
    if owner is None:
        return False
    kind, name = str(owner.get("kind")), str(owner.get("name"))
    if kind == "DaemonSet":
        return True
    parent = view.get(kind, pod.namespace, name)
    if parent is None:
        return False
    return kind in TEMPLATE_KINDS


def run_without_controller(context: PreflightContext) -> Iterator[Check]:
    for pod in context.view.of_kind("Pod"):
        if pod.controller is not None or is_static_pod(pod) or _finished(pod):
            continue
        node = pod.spec.get("nodeName")
        where = f" on node {node}" if isinstance(node, str) else ""
        yield Check(
            id=POD_WITHOUT_CONTROLLER, severity=WARNING, object=pod.ref(),
            message=f"Pod {pod.name}{where} has no controller: kubectl drain refuses it without --force, and once "
                    "deleted nothing recreates it",
            fix="run it from a Deployment, StatefulSet or Job (so it is recreated elsewhere), or delete it "
                "deliberately before the node rollout",
            evidence={"node": node if isinstance(node, str) else None, "source": DRAIN_SOURCE},
        )


def run_local_storage(context: PreflightContext) -> Iterator[Check]:
    view = context.view
    for obj in view.of_kind("Pod", *TEMPLATE_KINDS):
        volumes = empty_dirs(obj)
        if not volumes:
            continue
        if obj.kind == "Pod" and (is_static_pod(obj) or _finished(obj) or _reported_through_owner(obj, view)):
            continue
        if obj.kind == "ReplicaSet":
            owner = obj.controller
            if owner is not None and view.get(str(owner.get("kind")), obj.namespace, str(owner.get("name"))):
                continue  # reported through its Deployment
        names = ", ".join(volumes)
        subject = f"{obj.kind} {obj.name}" + (" (its pods)" if obj.kind != "Pod" else "")
        yield Check(
            id=POD_LOCAL_STORAGE, severity=WARNING, object=obj.ref(),
            message=f"{subject} keeps data in emptyDir volume(s) {names}: evicting a pod during the drain deletes "
                    "that data (kubectl drain needs --delete-emptydir-data)",
            fix="make sure the data can be lost (a cache, scratch space) or move it to a PersistentVolumeClaim "
                "before the node rollout",
            evidence={"volumes": names, "source": DRAIN_SOURCE},
            key=("volumes",),
        )


RULES = (
    Rule(POD_WITHOUT_CONTROLLER, WARNING, run_without_controller),
    Rule(POD_LOCAL_STORAGE, WARNING, run_local_storage),
)
