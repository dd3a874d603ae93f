"""skew-violation: kubelets (and kube-proxies) outside the version skew policy.

The nodes come from the Node objects of the inputs (a cluster dump, or `--nodes` output of
`kubectl get nodes -o json`). Two states are judged with the skew policy (pluto_py.skew): the
cluster now (kube-apiserver at --from, when given), and the cluster once the control plane has
reached the target while the nodes are still where they are, which is how an in-place upgrade
leaves them until the node groups are rolled.
"""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.core.skew_policy import KUBE_APISERVER, KUBE_PROXY, KUBELET
from pluto_py.core.versions import KubeVersion, VersionError, parse_version
from pluto_py.preflight.context import PreflightContext
from pluto_py.preflight.model import BLOCKER, Check, ObjectRef, Rule
from pluto_py.preflight.view import ClusterObject, mapping, text
from pluto_py.skew import ClusterState, Instance, Violation, check, load_builtin_policy

SKEW_VIOLATION = "skew-violation"


def _version(raw: object) -> KubeVersion | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        version = parse_version(raw)
    except VersionError:
        return None
    return version if version.major > 0 else None  # "v0.0.0-master": a development build, unknown


def node_instances(nodes: list[ClusterObject]) -> list[Instance]:
    """The kubelet and kube-proxy of each node, as the skew checker's instances."""
    instances: list[Instance] = []
    for node in nodes:
        info = mapping(node.status.get("nodeInfo"))
        kubelet_raw = text(info.get("kubeletVersion"))
        kubelet = _version(kubelet_raw)
        if kubelet is None:
            continue
        instances.append(Instance(KUBELET, kubelet, f"{KUBELET}/{node.name}", node.name, kubelet_raw))
        proxy_raw = text(info.get("kubeProxyVersion"))
        proxy = _version(proxy_raw)
        if proxy is not None:
            instances.append(Instance(KUBE_PROXY, proxy, f"{KUBE_PROXY}/{node.name}", node.name, proxy_raw))
    return instances


def _violations(apiserver: KubeVersion, nodes: list[Instance]) -> list[Violation]:
    state = ClusterState((Instance(KUBE_APISERVER, apiserver, f"{KUBE_APISERVER}#1"), *nodes))
    return [v for v in check(state, load_builtin_policy()) if v.component != KUBE_APISERVER]


def run(context: PreflightContext) -> Iterator[Check]:
    nodes = context.view.of_kind("Node")
    instances = node_instances(nodes)
    if not instances:
        return
    by_name = {node.name: node for node in nodes}
    phases: list[tuple[str, KubeVersion]] = []
    if context.from_version is not None:
        phases.append(("now", context.from_version))
    phases.append(("at-target", context.target))
    seen: set[tuple[str, str]] = set()
    for phase, apiserver in phases:
        for violation in _violations(apiserver, instances):
            instance = violation.instance
            node_name = instance.node or ""
            if (instance.key, violation.rule.id) in seen:
                continue  # already out of policy now: one check is enough
            seen.add((instance.key, violation.rule.id))
            node = by_name.get(node_name)
            ref = node.ref() if node is not None else ObjectRef("Node", node_name)
            allowed = str(violation.allowed) if violation.allowed else None
            when = ("now" if phase == "now"
                    else f"once the control plane is at {context.target} and this node is not yet upgraded")
            fix = (f"upgrade {instance.component} on node {node_name} to {allowed} "
                   f"(drain and replace or upgrade the node) before the control plane moves past what it allows"
                   if allowed else f"upgrade the nodes in step with the control plane (rule {violation.rule.id})")
            yield Check(
                id=SKEW_VIOLATION, severity=BLOCKER, object=ref,
                message=f"{violation.message.split('. Policy:')[0]}: outside the version skew policy {when}",
                fix=fix,
                evidence={"phase": phase, "component": instance.component, "version": str(instance.version),
                          "apiserver": str(apiserver), "allowed": allowed, "rule": violation.rule.id,
                          "source": violation.rule.source_url},
                key=("component", "phase", "rule"),
            )


RULES = (
    Rule(SKEW_VIOLATION, BLOCKER, run),
)
