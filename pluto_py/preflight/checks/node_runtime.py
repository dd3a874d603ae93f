"""node-runtime-unsupported: nodes whose container runtime or cgroup version the target's kubelet refuses.

Read from each Node's status.nodeInfo (containerRuntimeVersion, kubeletVersion, osImage) and
judged against data/preflight/node_runtime.yaml:

* docker:// with a kubelet older than 1.24 runs through dockershim, removed in 1.24 (from 1.24 on,
  docker:// means cri-dockerd, which keeps working);
* containerd older than the minimum a release needs (2.0 from 1.36: 1.35 is the last to support 1.x);
* cgroup v1, told by an osImage whose default is cgroup v1: the kubelet refuses to start on it
  from 1.35 unless its configuration sets failCgroupV1: false (a KubeletConfiguration of the
  inputs saying so turns the blocker into a warning); from 1.31 it is in maintenance mode (info).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pluto_py.core.versions import KubeVersion, VersionError, parse_version
from pluto_py.preflight.context import PreflightContext
from pluto_py.preflight.model import BLOCKER, INFO, WARNING, Check, EvidenceValue, Rule
from pluto_py.preflight.view import ClusterObject, mapping, text

NODE_RUNTIME_UNSUPPORTED = "node-runtime-unsupported"
_RUNTIME = re.compile(r"^(?P<name>[a-z0-9.-]+)://v?(?P<major>[0-9]+)\.(?P<minor>[0-9]+)")


def runtime_of(node: ClusterObject) -> tuple[str, tuple[int, int] | None, str] | None:
    """(runtime name, (major, minor) or None, raw string) of a node, when it reports one."""
    raw = text(mapping(node.status.get("nodeInfo")).get("containerRuntimeVersion"))
    if not raw:
        return None
    matched = _RUNTIME.match(raw.strip())
    if matched is None:
        name = raw.partition("://")[0]
        return (name, None, raw) if name else None
    return matched.group("name"), (int(matched.group("major")), int(matched.group("minor"))), raw


def _kubelet(node: ClusterObject) -> KubeVersion | None:
    raw = text(mapping(node.status.get("nodeInfo")).get("kubeletVersion"))
    try:
        return parse_version(raw) if raw else None
    except VersionError:
        return None


def cgroup_v1_allowed_by_config(context: PreflightContext) -> bool:
    """A KubeletConfiguration of the inputs sets failCgroupV1: false."""
    return any(config.data.get("failCgroupV1") is False for config in context.view.of_kind("KubeletConfiguration"))


def run(context: PreflightContext) -> Iterator[Check]:
    facts = context.facts.node_runtime
    target = context.target
    allowed_v1 = cgroup_v1_allowed_by_config(context)
    for node in context.view.of_kind("Node"):
        runtime = runtime_of(node)
        kubelet = _kubelet(node)
        if runtime is not None:
            name, version, raw = runtime
            if (name == "docker" and target >= facts.dockershim_removed_in
                    and (kubelet is None or kubelet < facts.dockershim_removed_in)):
                yield Check(
                    id=NODE_RUNTIME_UNSUPPORTED, severity=BLOCKER, object=node.ref(),
                    message=f"node {node.name} runs Docker Engine through dockershim ({raw}, kubelet "
                            f"{kubelet or 'unknown'}): dockershim was removed in {facts.dockershim_removed_in}, "
                            f"so a {target} kubelet cannot run containers there",
                    fix="replace the node with one running containerd (or CRI-O), or install cri-dockerd and point "
                        "the kubelet's --container-runtime-endpoint at it, before upgrading its kubelet",
                    evidence={"reason": "dockershim-removed", "runtime": raw,
                              "kubelet": str(kubelet) if kubelet else None,
                              "removed_in": str(facts.dockershim_removed_in), "source": facts.dockershim_source},
                    key=("reason",),
                )
            if name == "containerd" and version is not None:
                for rule in facts.containerd:
                    if target >= rule.first_release and version < rule.minimum:
                        minimum = f"{rule.minimum[0]}.{rule.minimum[1]}"
                        yield Check(
                            id=NODE_RUNTIME_UNSUPPORTED, severity=BLOCKER, object=node.ref(),
                            message=f"node {node.name} runs containerd {version[0]}.{version[1]} ({raw}): Kubernetes "
                                    f"{rule.first_release} and later need containerd {minimum} or later",
                            fix=f"move the node to containerd {minimum}+ (a newer node image) before its kubelet "
                                f"goes to {rule.first_release}",
                            evidence={"reason": "containerd-too-old", "runtime": raw, "minimum": minimum,
                                      "first_release": str(rule.first_release), "source": rule.source},
                            key=("reason",),
                        )
        os_image = text(mapping(node.status.get("nodeInfo")).get("osImage")) or ""
        image = next((row for row in facts.cgroup_v1_images if row.pattern.search(os_image)), None)
        if image is None or target < facts.cgroup_v1_maintenance_from:
            continue
        evidence: dict[str, EvidenceValue] = {"reason": "cgroup-v1", "os_image": os_image, "basis": image.name,
                    "fail_cgroup_v1_false": allowed_v1, "source": image.source}
        if target >= facts.cgroup_v1_refused_from and not allowed_v1:
            yield Check(
                id=NODE_RUNTIME_UNSUPPORTED, severity=BLOCKER, object=node.ref(),
                message=f"node {node.name} likely runs cgroup v1 ({os_image}): from "
                        f"{facts.cgroup_v1_refused_from} the kubelet refuses to start on cgroup v1 by default",
                fix="move the node to an image that uses cgroup v2 (check with `stat -fc %T /sys/fs/cgroup/`: "
                    "cgroup2fs); failCgroupV1: false in the kubelet configuration only postpones it",
                evidence={**evidence, "refused_from": str(facts.cgroup_v1_refused_from),
                          "refused_source": facts.cgroup_v1_refused_source},
                key=("reason",),
            )
        else:
            severity = WARNING if target >= facts.cgroup_v1_refused_from else INFO
            yield Check(
                id=NODE_RUNTIME_UNSUPPORTED, severity=severity, object=node.ref(),
                message=f"node {node.name} likely runs cgroup v1 ({os_image}): cgroup v1 support is in maintenance "
                        f"mode since {facts.cgroup_v1_maintenance_from} and the kubelet refuses it by default from "
                        f"{facts.cgroup_v1_refused_from}"
                        + (" (failCgroupV1: false keeps it running for now)" if severity == WARNING else ""),
                fix="plan the move to a node image that uses cgroup v2",
                evidence={**evidence, "maintenance_source": facts.cgroup_v1_maintenance_source},
                key=("reason",),
            )


RULES = (
    Rule(NODE_RUNTIME_UNSUPPORTED, BLOCKER, run),
)
