"""`psp-without-psa`: blue enforces pod security with PodSecurityPolicy, green (1.25+) has no PSP, and
green's namespaces carry no Pod Security Admission label: pods are admitted unchecked after the move."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.bluegreen.checks.base import Check, CheckContext, pod_spec, user_objects
from pluto_py.bluegreen.model import BLOCKER, BLUE, GREEN, NAMESPACE_KIND, WARNING, CheckResult, ObjectRef
from pluto_py.core.versions import KubeVersion

ID = "psp-without-psa"
PSP_KIND = "PodSecurityPolicy"
ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
PSP_REMOVED_IN = KubeVersion(1, 25)
# Namespaces of the control plane: privileged by nature, labelled (or exempted) by the distribution.
_EXEMPT = frozenset({"kube-system", "kube-public", "kube-node-lease"})


def green_lacks_psp(context: CheckContext) -> bool | None:
    green = context.green
    if green.version is not None:
        return green.version >= PSP_REMOVED_IN
    served = green.served("policy/v1beta1", PSP_KIND)
    return None if served is None else not served


def psa_needed(context: CheckContext) -> bool:
    """Blue enforces PodSecurityPolicy and green cannot: namespaces need Pod Security Admission labels."""
    return context.blue.has_kind(PSP_KIND) and green_lacks_psp(context) is True


def _cannot_run(context: CheckContext) -> str | None:
    if context.blue.has_kind(PSP_KIND) and green_lacks_psp(context) is None:
        return "needs green's version (PodSecurityPolicy is gone from 1.25): --green-version"
    return None


def _run(context: CheckContext) -> Iterator[CheckResult]:
    if not psa_needed(context):
        return
    blue, green = context.blue, context.green
    policies = list(blue.of_kind(PSP_KIND))
    names = ", ".join(policy.name or "<unnamed>" for policy in policies)
    enforced_by = f"blue enforces pod security with PodSecurityPolicy ({names})"
    if not green.knows_namespaces:
        for policy in policies:
            yield CheckResult(
                ID, WARNING, policy.ref,
                f"PodSecurityPolicy {policy.name} enforces pod security on blue; green {green.version} has no "
                "PodSecurityPolicy, and green's namespaces were not given, so whether they carry Pod Security "
                "Admission labels is unknown",
                f"give green's namespaces (kubectl get namespaces -o yaml) to check them, and label each namespace "
                f"on green with {ENFORCE_LABEL}=<level> matching what PodSecurityPolicy {policy.name} allowed",
                side=BLUE, where=policy.where)
        return
    with_pods = sorted({obj.namespace for obj in user_objects(blue)
                        if obj.namespace and obj.namespace not in _EXEMPT and pod_spec(obj)})
    for name in with_pods:
        namespace = green.namespaces.get(name)
        if namespace is None or ENFORCE_LABEL in namespace.labels:
            continue  # absent: namespace-missing says to create it with the label
        yield CheckResult(
            ID, BLOCKER, ObjectRef("v1", NAMESPACE_KIND, name, None),
            f"{enforced_by}; green {green.version} has no PodSecurityPolicy and namespace {name} has no "
            f"{ENFORCE_LABEL} label: pods moved there are admitted without any pod security check",
            f"label it: kubectl label namespace {name} {ENFORCE_LABEL}=baseline (or restricted, matching what the "
            "PodSecurityPolicy bound to its service accounts allowed; try it first with --dry-run=server, which "
            "lists the pods that would violate it)",
            side=GREEN, where=namespace.where)


CHECK = Check(id=ID, severity=BLOCKER, run=_run, cannot_run=_cannot_run)
