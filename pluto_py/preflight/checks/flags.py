"""kubelet-flag-removed, control-plane-flag-removed, feature-gate-removed: settings the target refuses.

A component started with a flag it no longer has exits with "unknown flag"; one given a feature
gate it no longer knows exits with "unrecognized feature gate". Read from:

* static Pods of the control plane (kube-apiserver, kube-controller-manager, kube-scheduler):
  manifests under /etc/kubernetes/manifests given as paths, or their mirror pods in a dump;
* kubeadm configuration: ClusterConfiguration apiServer/controllerManager/scheduler.extraArgs,
  Init/JoinConfiguration nodeRegistration.kubeletExtraArgs (a map in v1beta3, a list of
  name/value pairs in v1beta4), also inside kube-system/kubeadm-config;
* KubeletConfiguration featureGates (also inside kube-system/kubelet-config).

The facts are data/preflight/removed_flags.yaml and removed_feature_gates.yaml.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any

from pluto_py.preflight.checks.pods import is_static_pod
from pluto_py.preflight.context import PreflightContext
from pluto_py.preflight.model import BLOCKER, Check, Rule
from pluto_py.preflight.view import ClusterObject, mapping

KUBELET_FLAG_REMOVED = "kubelet-flag-removed"
CONTROL_PLANE_FLAG_REMOVED = "control-plane-flag-removed"
FEATURE_GATE_REMOVED = "feature-gate-removed"
CONTROL_PLANE = ("kube-apiserver", "kube-controller-manager", "kube-scheduler")
KUBEADM_SECTIONS = {"apiServer": "kube-apiserver", "controllerManager": "kube-controller-manager",
                    "scheduler": "kube-scheduler"}

# (component, flag name, value or None, where it was set)
FlagUse = tuple[str, str, str | None, str]


def parse_flags(arguments: Iterable[Any]) -> list[tuple[str, str | None]]:
    """(name, value) of each --flag in a command line; a value in the next word is not needed here."""
    found: list[tuple[str, str | None]] = []
    for argument in arguments:
        if not isinstance(argument, str) or not argument.startswith("--") or argument == "--":
            continue
        name, sep, value = argument[2:].partition("=")
        found.append((name, value if sep else None))
    return found


def _component_of(container: Mapping[str, Any]) -> str | None:
    command = container.get("command")
    first = command[0] if isinstance(command, list) and command and isinstance(command[0], str) else ""
    for candidate in (PurePosixPath(first).name, container.get("name")):
        if candidate in CONTROL_PLANE:
            return str(candidate)
    return None


def _static_pod_flags(pod: ClusterObject) -> Iterator[FlagUse]:
    containers = pod.spec.get("containers")
    if not isinstance(containers, list):
        return
    for index, container in enumerate(containers):
        if not isinstance(container, Mapping):
            continue
        component = _component_of(container)
        if component is None:
            continue
        words: list[Any] = []
        for key in ("command", "args"):
            value = container.get(key)
            if isinstance(value, list):
                words.extend(value)
        for name, value in parse_flags(words):
            yield component, name, value, f"spec.containers[{index}].command"


def _extra_args(value: Any) -> list[tuple[str, str | None]]:
    """kubeadm extraArgs: a map (v1beta3) or a list of {name, value} (v1beta4)."""
    if isinstance(value, Mapping):
        return [(str(k), None if v is None else str(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [(str(item.get("name")), None if item.get("value") is None else str(item.get("value")))
                for item in value if isinstance(item, Mapping) and isinstance(item.get("name"), str)]
    return []


def _kubeadm_flags(config: ClusterObject) -> Iterator[FlagUse]:
    if config.kind == "ClusterConfiguration":
        for section, component in KUBEADM_SECTIONS.items():
            for name, value in _extra_args(mapping(config.data.get(section)).get("extraArgs")):
                yield component, name, value, f"{section}.extraArgs"
    else:  # InitConfiguration, JoinConfiguration
        registration = mapping(config.data.get("nodeRegistration"))
        for name, value in _extra_args(registration.get("kubeletExtraArgs")):
            yield "kubelet", name, value, "nodeRegistration.kubeletExtraArgs"


def _gates(value: str) -> list[str]:
    return [part.partition("=")[0].strip() for part in value.split(",") if part.strip()]


def _flag_uses(context: PreflightContext) -> Iterator[tuple[ClusterObject, FlagUse]]:
    view = context.view
    for pod in view.of_kind("Pod"):
        if pod.namespace in (None, "kube-system") and is_static_pod(pod):
            for use in _static_pod_flags(pod):
                yield pod, use
    for config in view.of_kind("ClusterConfiguration", "InitConfiguration", "JoinConfiguration"):
        if config.api_version.startswith("kubeadm.k8s.io/"):
            for use in _kubeadm_flags(config):
                yield config, use


def run(context: PreflightContext) -> Iterator[Check]:
    facts, target = context.facts, context.target
    gates = facts.gates_removed_by(target)
    for obj, (component, name, value, where) in _flag_uses(context):
        removed = facts.flags_removed_by(component, target).get(name)
        if removed is not None:
            rule_id = KUBELET_FLAG_REMOVED if component == "kubelet" else CONTROL_PLANE_FLAG_REMOVED
            yield Check(
                id=rule_id, severity=BLOCKER, object=obj.ref(),
                message=f"{component} is started with --{name} ({where}), removed in {removed.removed_in}: "
                        f"a {target} {component} exits with \"unknown flag\"",
                fix=f"remove --{name} from the {component} configuration before upgrading it to "
                    f"{removed.removed_in} or later",
                evidence={"component": component, "flag": name, "set_in": where,
                          "removed_in": str(removed.removed_in), "source": removed.source},
                key=("component", "flag"),
            )
        if name == "feature-gates" and value:
            for gate in _gates(value):
                yield from _gate_check(obj, component, gate, where, gates, target)
    for config in context.view.of_kind("KubeletConfiguration"):
        for gate in mapping(config.data.get("featureGates")):
            yield from _gate_check(config, "kubelet", str(gate), "featureGates", gates, target)


def _gate_check(obj: ClusterObject, component: str, gate: str, where: str, gates: Mapping[str, Any],
                target: object) -> Iterator[Check]:
    removed = gates.get(gate)
    if removed is None:
        return
    yield Check(
        id=FEATURE_GATE_REMOVED, severity=BLOCKER, object=obj.ref(),
        message=f"{component} sets feature gate {gate} ({where}), removed in {removed.removed_in}: a {target} "
                f"{component} exits with \"unrecognized feature gate\"",
        fix=f"drop {gate} from the feature gates before upgrading {component} to {removed.removed_in} or later (the "
            "feature is GA or gone)",
        evidence={"component": component, "gate": gate, "set_in": where, "removed_in": str(removed.removed_in),
                  "source": removed.source},
        key=("component", "gate"),
    )


RULES = (
    Rule(CONTROL_PLANE_FLAG_REMOVED, BLOCKER, run),
    Rule(KUBELET_FLAG_REMOVED, BLOCKER),
    Rule(FEATURE_GATE_REMOVED, BLOCKER),
)
