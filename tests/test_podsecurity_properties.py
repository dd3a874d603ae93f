"""Properties of the Pod Security Standards evaluation, over generated pods.

- Adding a violation never raises the level a pod meets (nor silences a control).
- Container settings override pod settings exactly as the standard says: a container may leave
  runAsNonRoot / seccompProfile unset when the pod sets an allowed value; a container's own value
  wins over the pod's; an explicitly forbidden value is a violation wherever it is written.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pluto_py.core.model import Document
from pluto_py.core.versions import KubeVersion
from pluto_py.podsecurity.model import Level
from pluto_py.podsecurity.standards import load_standards
from pluto_py.podsecurity.workloads import evaluate, level_of, workload_of

STANDARDS = load_standards()
VERSIONS = st.sampled_from([KubeVersion(1, 22), KubeVersion(1, 24), KubeVersion(1, 25), KubeVersion(1, 29),
                            KubeVersion(1, 31), KubeVersion(1, 35)])
MAYBE_BOOL = st.sampled_from([None, True, False])
SECCOMP = st.sampled_from([None, "RuntimeDefault", "Localhost", "Unconfined"])


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        target[key] = value


@st.composite
def security_context(draw: st.DrawFn, container: bool) -> dict[str, Any]:
    context: dict[str, Any] = {}
    _put(context, "runAsNonRoot", draw(MAYBE_BOOL))
    _put(context, "runAsUser", draw(st.sampled_from([None, 0, 1000])))
    seccomp = draw(SECCOMP)
    if seccomp is not None:
        context["seccompProfile"] = {"type": seccomp}
    if container:
        _put(context, "privileged", draw(MAYBE_BOOL))
        _put(context, "allowPrivilegeEscalation", draw(MAYBE_BOOL))
        drop = draw(st.sampled_from([None, [], ["ALL"]]))
        add = draw(st.lists(st.sampled_from(["NET_BIND_SERVICE", "CHOWN", "NET_ADMIN"]), max_size=2, unique=True))
        if drop is not None or add:
            context["capabilities"] = {**({"drop": drop} if drop is not None else {}), **({"add": add} if add else {})}
    return context


@st.composite
def containers(draw: st.DrawFn, prefix: str, min_size: int, max_size: int) -> list[dict[str, Any]]:
    count = draw(st.integers(min_size, max_size))
    return [{"name": f"{prefix}{i}", "image": "registry.example.com/app:1",
             **({"securityContext": sc} if (sc := draw(security_context(container=True))) else {})}
            for i in range(count)]


@st.composite
def pods(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": draw(containers("c", 1, 3))}
    for key, prefix, most in (("initContainers", "i", 2), ("ephemeralContainers", "e", 1)):
        extra = draw(containers(prefix, 0, most))
        if extra:
            spec[key] = extra
    pod_context = draw(security_context(container=False))
    if pod_context:
        spec["securityContext"] = pod_context
    if draw(st.booleans()):
        spec["os"] = {"name": draw(st.sampled_from(["linux", "windows"]))}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"}, "spec": spec}


def judged(pod: dict[str, Any], version: KubeVersion) -> tuple[Level, set[str]]:
    document = Document("gen.yaml", 0, 1, pod)
    workload = workload_of(document, (), pod, "default")
    assert workload is not None
    violations = evaluate(workload, version, STANDARDS)
    return level_of(violations), {v.control for v in violations}


def _all_containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    spec = pod["spec"]
    return [c for key in ("initContainers", "containers", "ephemeralContainers") for c in spec.get(key, [])]


def _container_context(container: dict[str, Any]) -> dict[str, Any]:
    context: dict[str, Any] = container.setdefault("securityContext", {})
    return context


MUTATIONS = ("host-network", "privileged", "net-admin", "run-as-root-false", "seccomp-unconfined", "host-path",
             "run-as-user-0", "no-drop-all", "escalation")


def mutate(pod: dict[str, Any], mutation: str, index: int) -> dict[str, Any]:
    """``pod`` with one more thing the standard forbids."""
    out = copy.deepcopy(pod)
    spec = out["spec"]
    every = _all_containers(out)
    container = every[index % len(every)]
    context = _container_context(container)
    if mutation == "host-network":
        spec["hostNetwork"] = True
    elif mutation == "privileged":
        context["privileged"] = True
    elif mutation == "net-admin":
        context.setdefault("capabilities", {}).setdefault("add", []).append("NET_ADMIN")
    elif mutation == "run-as-root-false":
        context["runAsNonRoot"] = False
    elif mutation == "seccomp-unconfined":
        context["seccompProfile"] = {"type": "Unconfined"}
    elif mutation == "host-path":
        spec.setdefault("volumes", []).append({"name": "host", "hostPath": {"path": "/"}})
    elif mutation == "run-as-user-0":
        context["runAsUser"] = 0
    elif mutation == "no-drop-all":
        capabilities = context.get("capabilities")
        if isinstance(capabilities, dict):
            capabilities.pop("drop", None)
    elif mutation == "escalation":
        context["allowPrivilegeEscalation"] = True
    return out


@settings(max_examples=120, deadline=None)
@given(pods(), st.sampled_from(MUTATIONS), st.integers(0, 10), VERSIONS)
def test_adding_a_violation_never_raises_the_level(pod: dict[str, Any], mutation: str, index: int,
                                                   version: KubeVersion) -> None:
    before_level, before_controls = judged(pod, version)
    after_level, after_controls = judged(mutate(pod, mutation, index), version)
    assert after_level <= before_level
    assert before_controls <= after_controls


def _expected_runasnonroot(pod: dict[str, Any]) -> bool:
    """The standard: true on the pod or on every container; never false anywhere."""
    pod_value = pod["spec"].get("securityContext", {}).get("runAsNonRoot")
    if pod_value is False:
        return False
    for container in _all_containers(pod):
        value = container.get("securityContext", {}).get("runAsNonRoot")
        if value is False or (value is None and pod_value is not True):
            return False
    return True


def _expected_seccomp(pod: dict[str, Any]) -> bool:
    """The standard: RuntimeDefault or Localhost on the pod or on every container; a container's own
    value wins, and a forbidden value anywhere is a violation."""
    allowed = ("RuntimeDefault", "Localhost")
    pod_type = pod["spec"].get("securityContext", {}).get("seccompProfile", {}).get("type")
    if pod_type is not None and pod_type not in allowed:
        return False
    for container in _all_containers(pod):
        own = container.get("securityContext", {}).get("seccompProfile", {}).get("type")
        effective = own if own is not None else pod_type
        if effective not in allowed:
            return False
    return True


@settings(max_examples=120, deadline=None)
@given(pods())
def test_container_settings_override_the_pod_as_the_standard_says(pod: dict[str, Any]) -> None:
    pod["spec"].pop("os", None)  # Windows pods are exempt from the seccomp check
    _, controls = judged(pod, KubeVersion(1, 29))
    assert ("runAsNonRoot" not in controls) == _expected_runasnonroot(pod)
    assert ("seccompProfile_restricted" not in controls) == _expected_seccomp(pod)


@settings(max_examples=80, deadline=None)
@given(pods())
def test_a_container_value_wins_over_the_pod_value(pod: dict[str, Any]) -> None:
    """Setting the same allowed value on every container makes the pod's own value irrelevant
    unless the pod's is explicitly forbidden (then the pod itself is reported, as PSA does)."""
    pod["spec"].pop("os", None)
    for container in _all_containers(pod):
        _container_context(container).update(runAsNonRoot=True, seccompProfile={"type": "RuntimeDefault"})
    _, controls = judged(pod, KubeVersion(1, 29))
    pod_context = pod["spec"].get("securityContext", {})
    assert ("runAsNonRoot" in controls) == (pod_context.get("runAsNonRoot") is False)
    pod_seccomp = pod_context.get("seccompProfile", {}).get("type")
    assert ("seccompProfile_restricted" in controls) == (pod_seccomp == "Unconfined")
