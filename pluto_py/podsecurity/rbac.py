"""Which PodSecurityPolicies the pods of a namespace could use: RBAC `use` grants.

The PodSecurityPolicy admission controller admitted a pod when the pod's service account (or the
user creating it) was allowed to `use` a policy in the pod's namespace: a rule with verb `use` on
`podsecuritypolicies` (group policy or extensions) and, when it lists resourceNames, that policy,
in a ClusterRole bound cluster-wide by a ClusterRoleBinding, or a ClusterRole or Role bound in the
namespace by a RoleBinding. Controllers create the pods of workloads, so a grant to a controller's
own service account (kube-system's `*-controller`) reaches every namespace.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pluto_py.podsecurity.controls.base import mapping, sequence, text

RBAC_GROUP = "rbac.authorization.k8s.io"
_ROLE_KINDS = frozenset({"ClusterRole", "Role"})
_BINDING_KINDS = frozenset({"ClusterRoleBinding", "RoleBinding"})
_ALL = "*"


def _names(value: Any) -> set[str]:
    return {text(item) for item in sequence(value)}


@dataclass(frozen=True, slots=True)
class Grant:
    """A role's `use` permission on PodSecurityPolicies: all of them (None) or these names."""

    role: str  # "ClusterRole/psp:restricted" or "Role/NS/name"
    names: frozenset[str] | None


def psp_grant(kind: str, name: str, rules: Iterable[Any]) -> Grant | None:
    """What a role's rules allow to `use`, or None when they allow no PodSecurityPolicy."""
    names: set[str] = set()
    every = False
    for rule in rules:
        rule = mapping(rule)
        if not ({"use", _ALL} & _names(rule.get("verbs"))):
            continue
        if not ({"podsecuritypolicies", _ALL} & _names(rule.get("resources"))):
            continue
        if not ({"policy", "extensions", _ALL} & _names(rule.get("apiGroups"))):
            continue
        listed = _names(rule.get("resourceNames"))
        if listed:
            names |= listed
        else:
            every = True
    if not every and not names:
        return None
    return Grant(f"{kind}/{name}", None if every else frozenset(names))


@dataclass
class RbacIndex:
    """The roles and bindings of the input, as far as PodSecurityPolicy `use` goes."""

    cluster_roles: dict[str, Grant] = field(default_factory=dict)
    roles: dict[tuple[str, str], Grant] = field(default_factory=dict)  # (namespace, name)
    bindings: list[tuple[str | None, str, Mapping[str, Any], Sequence[Any]]] = field(default_factory=list)
    # (namespace or None for a ClusterRoleBinding, "Kind/name", roleRef, subjects)

    @property
    def has_grants(self) -> bool:
        return bool(self.cluster_roles or self.roles)

    def add(self, obj: Mapping[str, Any]) -> None:
        kind = text(obj.get("kind"))
        if text(obj.get("apiVersion")).partition("/")[0] != RBAC_GROUP:
            return
        metadata = mapping(obj.get("metadata"))
        name, namespace = text(metadata.get("name")), text(metadata.get("namespace"))
        if kind in _ROLE_KINDS:
            label = name if kind == "ClusterRole" else f"{namespace}/{name}"
            grant = psp_grant(kind, label, sequence(obj.get("rules")))
            if grant is None:
                return
            if kind == "ClusterRole":
                self.cluster_roles[name] = grant
            else:
                self.roles[(namespace, name)] = grant
        elif kind in _BINDING_KINDS:
            scope = None if kind == "ClusterRoleBinding" else namespace
            label = f"{kind}/{name}" if scope is None else f"{kind}/{namespace}/{name}"
            self.bindings.append((scope, label, mapping(obj.get("roleRef")), sequence(obj.get("subjects"))))

    def grants_for(self, namespace: str, service_accounts: Iterable[str]) -> list[tuple[Grant, str]]:
        """(grant, how) for every binding that lets pods of ``namespace`` use PodSecurityPolicies."""
        accounts = set(service_accounts)
        out: list[tuple[Grant, str]] = []
        for scope, label, role_ref, subjects in self.bindings:
            if scope is not None and scope != namespace:
                continue
            grant = self._role(scope, role_ref)
            if grant is None:
                continue
            for subject in subjects:
                why = _subject_matches(mapping(subject), namespace, accounts, scope)
                if why is not None:
                    out.append((grant, f"{label} -> {grant.role} ({why})"))
                    break
        return out

    def _role(self, scope: str | None, role_ref: Mapping[str, Any]) -> Grant | None:
        name = text(role_ref.get("name"))
        if text(role_ref.get("kind")) == "ClusterRole":
            return self.cluster_roles.get(name)
        return self.roles.get((scope, name)) if scope is not None else None


def _subject_matches(subject: Mapping[str, Any], namespace: str, accounts: set[str],
                     binding_namespace: str | None) -> str | None:
    kind, name = text(subject.get("kind")), text(subject.get("name"))
    if kind == "ServiceAccount":
        subject_namespace = text(subject.get("namespace")) or binding_namespace or ""
        if subject_namespace == namespace and name in accounts:
            return f"service account {namespace}/{name}"
        if subject_namespace == "kube-system" and name.endswith("-controller") and binding_namespace is None:
            return f"controller service account kube-system/{name}"
        return None
    if kind == "User" and name.startswith("system:serviceaccount:"):
        _, _, rest = name.partition("system:serviceaccount:")
        subject_namespace, _, account = rest.partition(":")
        if subject_namespace == namespace and account in accounts:
            return f"user {name}"
        if subject_namespace == "kube-system" and account.endswith("-controller") and binding_namespace is None:
            return f"controller user {name}"
        return None
    if kind == "Group" and name in ("system:serviceaccounts", f"system:serviceaccounts:{namespace}",
                                    "system:authenticated"):
        return f"group {name}"
    if kind == "Group" and name == "system:serviceaccounts:kube-system" and binding_namespace is None:
        return f"group {name}, which holds the controllers' service accounts"
    return None
