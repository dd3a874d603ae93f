"""PodSecurityPolicy: no replacement API. Left as it is; reported with the way forward."""

from __future__ import annotations

from typing import Any

from pluto_py.fix.migrations.base import Migration, Obj

_PRIVILEGED_HINTS = ("privileged", "hostNetwork", "hostPID", "hostIPC", "allowPrivilegeEscalation")


def closest_level(spec: Any) -> str:
    """The Pod Security Standard a PSP resembles most (a starting point, not a translation)."""
    if not isinstance(spec, dict):
        return "baseline"
    if any(spec.get(field) is True for field in _PRIVILEGED_HINTS[:4]) or spec.get("hostPorts") or \
            "hostPath" in (spec.get("volumes") or []) or "*" in (spec.get("volumes") or []):
        return "privileged"
    run_as = spec.get("runAsUser")
    non_root = isinstance(run_as, dict) and run_as.get("rule") == "MustRunAsNonRoot"
    if non_root and spec.get("allowPrivilegeEscalation") is False and spec.get("requiredDropCapabilities"):
        return "restricted"
    return "baseline"


def advise(obj: Obj) -> list[str]:
    level = closest_level(obj.get("spec"))
    return [
        "way forward: Pod Security Admission. Label each namespace whose pods this policy admitted, e.g. "
        f"pod-security.kubernetes.io/enforce: {level} (the closest standard level to this policy; try it first "
        f"with pod-security.kubernetes.io/warn: {level} and audit), then delete the PodSecurityPolicy and its "
        "RBAC 'use' grants; rules that no level expresses need a policy engine (Kyverno, Gatekeeper) or a "
        "ValidatingAdmissionPolicy",
    ]


MIGRATION = Migration(
    family="podsecuritypolicy",
    changes="nothing: there is no replacement API",
    undecided="everything: the object is left and reported with the Pod Security Admission labels closest to it",
    advise=advise,
)
