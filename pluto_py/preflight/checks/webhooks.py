"""webhook-fail-closed-no-endpoints: an admission webhook that fails closed with nothing behind it.

A webhook of a Validating/MutatingWebhookConfiguration with ``failurePolicy: Fail`` (the default
in admissionregistration.k8s.io/v1; v1beta1 defaulted to Ignore) makes every request it matches
fail while its service has no ready endpoint. During an upgrade that is typical: the webhook's
pods are being evicted or rescheduled, and the requests that would bring them back are blocked.

Judged only on what the inputs show: the Service is missing (and the inputs hold Services of that
namespace), or its Endpoints/EndpointSlices are present with no ready address. A webhook whose
backend the inputs say nothing about is not reported.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pluto_py.preflight.context import PreflightContext
from pluto_py.preflight.model import BLOCKER, Check, Rule
from pluto_py.preflight.view import ClusterObject, ClusterView, mapping, text

WEBHOOK_NO_ENDPOINTS = "webhook-fail-closed-no-endpoints"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
SOURCE = "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#failure-policy"


def failure_policy(configuration: ClusterObject, webhook: Mapping[str, Any]) -> str:
    policy = webhook.get("failurePolicy")
    if isinstance(policy, str):
        return policy
    return "Ignore" if configuration.api_version.endswith("/v1beta1") else "Fail"


def _endpoints_ready(endpoints: ClusterObject) -> bool:
    subsets = endpoints.data.get("subsets")
    if not isinstance(subsets, list):
        return False
    return any(isinstance(s, Mapping) and isinstance(s.get("addresses"), list) and s["addresses"] for s in subsets)


def _slice_ready(endpoint_slice: ClusterObject) -> bool:
    endpoints = endpoint_slice.data.get("endpoints")
    if not isinstance(endpoints, list):
        return False
    for endpoint in endpoints:
        conditions = mapping(endpoint.get("conditions")) if isinstance(endpoint, Mapping) else {}
        if conditions.get("ready") is not False:  # unset means ready
            return True
    return False


def backend_state(view: ClusterView, namespace: str, name: str) -> str | None:
    """"missing-service", "no-ready-endpoints", or None (ready, or the inputs do not say)."""
    service = view.get("Service", namespace, name)
    if service is None:
        if any(s.namespace == namespace for s in view.of_kind("Service")):
            return "missing-service"
        return None
    slices = [s for s in view.of_kind("EndpointSlice")
              if s.namespace == namespace and s.labels.get(SERVICE_NAME_LABEL) == name]
    endpoints = view.get("Endpoints", namespace, name)
    if not slices and endpoints is None:
        return None
    if any(_slice_ready(s) for s in slices) or (endpoints is not None and _endpoints_ready(endpoints)):
        return None
    return "no-ready-endpoints"


def run(context: PreflightContext) -> Iterator[Check]:
    view = context.view
    for configuration in view.of_kind("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"):
        webhooks = configuration.data.get("webhooks")
        if not isinstance(webhooks, list):
            continue
        for webhook in webhooks:
            if not isinstance(webhook, Mapping) or failure_policy(configuration, webhook) != "Fail":
                continue
            service = mapping(mapping(webhook.get("clientConfig")).get("service"))
            namespace, name = text(service.get("namespace")), text(service.get("name"))
            if namespace is None or name is None:
                continue  # a URL backend: outside the cluster, nothing to judge here
            state = backend_state(view, namespace, name)
            if state is None:
                continue
            hook = text(webhook.get("name")) or "<unnamed>"
            why = (f"its service {namespace}/{name} does not exist" if state == "missing-service"
                   else f"its service {namespace}/{name} has no ready endpoint")
            yield Check(
                id=WEBHOOK_NO_ENDPOINTS, severity=BLOCKER, object=configuration.ref(),
                message=f"webhook {hook} fails closed (failurePolicy Fail) and {why}: every request it matches "
                        "is rejected, including those that would bring its pods back during the upgrade",
                fix=f"bring {namespace}/{name} back (ready pods behind the service), or set failurePolicy: Ignore "
                    "or remove the webhook until it is; narrow its rules/namespaceSelector so that it never "
                    "matches kube-system",
                evidence={"webhook": hook, "service": f"{namespace}/{name}", "state": state,
                          "failure_policy": "Fail", "source": SOURCE},
                key=("webhook",),
            )


RULES = (
    Rule(WEBHOOK_NO_ENDPOINTS, BLOCKER, run),
)
