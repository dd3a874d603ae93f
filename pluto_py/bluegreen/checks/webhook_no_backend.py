"""`webhook-no-backend`: an admission webhook on green that fails closed while its service is not there yet.

With ``failurePolicy: Fail`` (the default of admissionregistration.k8s.io/v1; v1beta1 defaulted to Ignore),
the API server refuses every request the webhook matches while it cannot call the webhook: on a new cluster
whose webhook configuration arrived before its backend, that includes the backend's own pods (the classic
bootstrap deadlock).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pluto_py.bluegreen.checks.base import Check, CheckContext
from pluto_py.bluegreen.model import (
    BLOCKER,
    GREEN,
    WEBHOOK_KINDS,
    CheckResult,
    ClusterObject,
    ClusterView,
    mapping,
    sequence,
    text,
)

ID = "webhook-no-backend"


def failure_policy(config: ClusterObject, webhook: Mapping[str, Any]) -> str:
    declared = text(webhook.get("failurePolicy"))
    if declared:
        return declared
    return "Ignore" if config.api_version.endswith("/v1beta1") else "Fail"


def _rules(webhook: Mapping[str, Any]) -> str:
    parts = []
    for rule in sequence(webhook.get("rules")):
        rule = mapping(rule)
        operations = "/".join(str(o) for o in sequence(rule.get("operations"))) or "*"
        resources = ",".join(str(r) for r in sequence(rule.get("resources"))) or "*"
        parts.append(f"{operations} of {resources}")
    return "; ".join(parts) or "every request it matches"


def _ready_addresses(endpoints: ClusterObject) -> int:
    return sum(len(sequence(mapping(subset).get("addresses"))) for subset in sequence(endpoints.data.get("subsets")))


def backend_problem(green: ClusterView, namespace: str, name: str) -> str | None:
    """Why green cannot call service namespace/name, or None when it can (or the description cannot tell)."""
    if green.knows_namespaces and not green.has_namespace(namespace):
        return f"namespace {namespace} does not exist on green"
    if green.has_kind("Service") and green.find("Service", namespace, name) is None:
        return f"service {namespace}/{name} does not exist on green"
    endpoints = green.find("Endpoints", namespace, name)
    if endpoints is not None and endpoints.live is not None and _ready_addresses(endpoints) == 0:
        return f"service {namespace}/{name} has no ready endpoints on green (no pod answers)"
    return None


def _cannot_run(context: CheckContext) -> str | None:
    if context.green.objects is None:
        return ("needs green's webhook configurations, services and namespaces: --green with a dump of them, "
                "or --green-context")
    return None


def _run(context: CheckContext) -> Iterator[CheckResult]:
    green = context.green
    for config in green.of_kind(*WEBHOOK_KINDS):
        for webhook in sequence(config.data.get("webhooks")):
            webhook = mapping(webhook)
            if failure_policy(config, webhook) != "Fail":
                continue
            service = mapping(mapping(webhook.get("clientConfig")).get("service"))
            namespace, name = text(service.get("namespace")), text(service.get("name"))
            if not namespace or not name:
                continue  # a URL: outside the cluster, nothing to see here
            problem = backend_problem(green, namespace, name)
            if problem is None:
                continue
            hook = text(webhook.get("name")) or "<unnamed>"
            yield CheckResult(
                ID, BLOCKER, config.ref,
                f"{config.kind} {config.name}: webhook {hook} (failurePolicy Fail) calls service "
                f"{namespace}/{name}, but {problem}: green refuses {_rules(webhook)} until it answers",
                f"install the webhook's backend on green first (namespace {namespace}, service {name} and the pods "
                "behind it) and create the webhook configuration only after it runs (charts that own both order "
                f"them); to unblock green now, set failurePolicy: Ignore on {hook} or delete the configuration until "
                "the backend is up",
                side=GREEN, where=config.where)


CHECK = Check(id=ID, severity=BLOCKER, run=_run, cannot_run=_cannot_run)
