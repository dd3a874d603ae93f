"""Realistic Kubernetes audit log lines (audit.k8s.io/v1 Event, as the log backend writes them), for
the audit-log benchmark and tests.

A request is logged at each stage of its life under one auditID: RequestReceived, ResponseStarted
(long-running requests: watch), ResponseComplete (or Panic). Field order and formats follow the API
server's JSON encoding of audit.k8s.io/v1 Event (MicroTime with microseconds, objectRef with
resource/namespace/name/apiGroup/apiVersion/subresource).
"""

from __future__ import annotations

import datetime
import json
import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

STAGES_SHORT = ("RequestReceived", "ResponseComplete")
STAGES_WATCH = ("RequestReceived", "ResponseStarted", "ResponseComplete")
BASE_TIME = datetime.datetime(2024, 3, 1, 12, 0, 0, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Call:
    """One API request."""

    verb: str
    group: str  # "" for the core group
    version: str
    resource: str
    user: str
    user_agent: str
    namespace: str | None = None
    name: str | None = None
    subresource: str | None = None
    groups: tuple[str, ...] = ("system:authenticated",)
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def uri(self) -> str:
        root = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        path = root + (f"/namespaces/{self.namespace}" if self.namespace else "") + f"/{self.resource}"
        if self.name:
            path += f"/{self.name}"
        if self.subresource:
            path += f"/{self.subresource}"
        if self.verb == "watch":
            return path + "?allowWatchBookmarks=true&resourceVersion=12345&timeout=7m3s&watch=true"
        if self.verb == "list":
            return path + "?limit=500&resourceVersion=0"
        return path


def _user(call: Call) -> dict[str, Any]:
    """user as a 1.29+ API server writes it: service accounts carry their pod and credential id."""
    user: dict[str, Any] = {"username": call.user}
    if call.user.startswith("system:serviceaccount:"):
        namespace = call.user.split(":")[2]
        digest = uuid.uuid5(uuid.NAMESPACE_URL, call.user)
        user["uid"] = str(digest)
        user["groups"] = ["system:serviceaccounts", f"system:serviceaccounts:{namespace}", *call.groups]
        user["extra"] = {"authentication.kubernetes.io/credential-id": [f"JTI={digest}"],
                         "authentication.kubernetes.io/node-name": ["node-1"],
                         "authentication.kubernetes.io/pod-name": [f"{call.user.split(':')[3]}-7d9f8b6c5-x2x9q"],
                         "authentication.kubernetes.io/pod-uid": [str(uuid.uuid5(digest, "pod"))]}
    else:
        user["groups"] = list(call.groups)
    return user


def _micro(stamp: datetime.datetime) -> str:
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event(call: Call, stage: str, audit_id: str, received: datetime.datetime, stage_time: datetime.datetime,
          *, level: str = "Metadata", code: int = 200, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """One audit.k8s.io/v1 Event of ``call`` at ``stage``."""
    record: dict[str, Any] = {
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": level, "auditID": audit_id, "stage": stage,
        "requestURI": call.uri, "verb": call.verb,
        "user": _user(call),
        "sourceIPs": ["10.0.0.7"], "userAgent": call.user_agent,
        "objectRef": {"resource": call.resource},
    }
    ref = record["objectRef"]
    if call.namespace:
        ref["namespace"] = call.namespace
    if call.name:
        ref["name"] = call.name
    if call.group:
        ref["apiGroup"] = call.group
    ref["apiVersion"] = call.version
    if call.subresource:
        ref["subresource"] = call.subresource
    if stage in ("ResponseStarted", "ResponseComplete", "Panic"):
        record["responseStatus"] = {"metadata": {}, "code": code}
    if body is not None and level in ("Request", "RequestResponse"):
        record["requestObject"] = body
    record["requestReceivedTimestamp"] = _micro(received)
    record["stageTimestamp"] = _micro(stage_time)
    record["annotations"] = {"authorization.k8s.io/decision": "allow",
                             "authorization.k8s.io/reason": "", **call.annotations}
    return record


def request_lines(call: Call, received: datetime.datetime, *, audit_id: str | None = None,
                  stages: Sequence[str] | None = None, level: str = "Metadata",
                  body: dict[str, Any] | None = None) -> list[str]:
    """The log lines of one request, one per stage, in the order the API server writes them."""
    audit_id = audit_id or str(uuid.uuid4())
    stages = stages or (STAGES_WATCH if call.verb == "watch" else STAGES_SHORT)
    lines = []
    for offset, stage in enumerate(stages):
        stage_time = received + datetime.timedelta(milliseconds=3 * offset)
        lines.append(json.dumps(event(call, stage, audit_id, received, stage_time, level=level, body=body),
                                separators=(",", ":")))
    return lines


# Everyday traffic of a cluster: none of it touches a deprecated API at 1.25.
KUBELET = "kubelet/v1.24.9 (linux/amd64) kubernetes/9710807"
CONTROLLER_MANAGER = "kube-controller-manager/v1.24.9 (linux/amd64) kubernetes/9710807/leader-election"
ORDINARY_CALLS: tuple[Call, ...] = (
    Call("get", "", "v1", "pods", "system:node:node-1", KUBELET, "shop", "web-7d9f8", None, ("system:nodes",)),
    Call("patch", "", "v1", "pods", "system:node:node-1", KUBELET, "shop", "web-7d9f8", "status", ("system:nodes",)),
    Call("update", "coordination.k8s.io", "v1", "leases", "system:node:node-2", KUBELET, "kube-node-lease", "node-2"),
    Call("get", "coordination.k8s.io", "v1", "leases", "system:kube-controller-manager", CONTROLLER_MANAGER,
         "kube-system", "kube-controller-manager"),
    Call("list", "", "v1", "configmaps", "system:serviceaccount:monitoring:prometheus",
         "prometheus/v2.45.0", "monitoring"),
    Call("watch", "apps", "v1", "deployments", "system:serviceaccount:argocd:argocd-application-controller",
         "argocd-application-controller/v2.8.4 (linux/amd64)"),
    Call("create", "", "v1", "events", "system:serviceaccount:kube-system:replicaset-controller",
         "kube-controller-manager/v1.24.9 (linux/amd64) kubernetes/9710807/system:serviceaccount:kube-system:"
         "replicaset-controller", "shop"),
    Call("get", "", "v1", "secrets", "alice@example.com", "kubectl/v1.24.3 (darwin/arm64) kubernetes/aef86a9",
         "shop", "db-credentials"),
)

# Calls to APIs removed in 1.25 (policy/v1beta1 PDBs, batch/v1beta1 CronJobs) and 1.22 (Ingress).
DEPRECATED_CALLS: tuple[Call, ...] = (
    Call("list", "policy", "v1beta1", "poddisruptionbudgets", "system:serviceaccount:ci:deployer",
         "helm/v3.7.0 (linux/amd64) kubernetes/$Format", "shop",
         annotations={"k8s.io/deprecated": "true", "k8s.io/removed-release": "1.25"}),
    Call("watch", "batch", "v1beta1", "cronjobs", "system:serviceaccount:tools:legacy-operator",
         "legacy-operator/v0.9.1 (linux/amd64)",
         annotations={"k8s.io/deprecated": "true", "k8s.io/removed-release": "1.25"}),
    Call("update", "batch", "v1beta1", "cronjobs", "system:serviceaccount:tools:legacy-operator",
         "legacy-operator/v0.9.1 (linux/amd64)", "tools", "nightly", "status"),
)


def generate(path: str, target_bytes: int, deprecated_share: float = 0.01, seed: int = 7) -> dict[str, int]:
    """Write about ``target_bytes`` of audit log lines to ``path``; ``deprecated_share`` of the
    requests call a deprecated API. Returns counts: requests, lines, deprecated requests, bytes."""
    chooser = random.Random(seed)
    received = BASE_TIME
    requests = lines = deprecated = written = 0
    with open(path, "w", encoding="utf-8") as out:
        while written < target_bytes:
            is_deprecated = chooser.random() < deprecated_share
            call = chooser.choice(DEPRECATED_CALLS if is_deprecated else ORDINARY_CALLS)
            received += datetime.timedelta(microseconds=chooser.randrange(200, 5000))
            body = None
            level = "Metadata"
            if call.verb in ("patch", "create", "update") and chooser.random() < 0.5:
                level, body = "Request", {"metadata": {"name": call.name or "x", "labels": {"app": "web"}},
                                          "status": {"conditions": [{"type": "Ready", "status": "True"}]}}
            audit_id = str(uuid.UUID(int=chooser.getrandbits(128), version=4))
            text = "\n".join(request_lines(call, received, audit_id=audit_id, level=level, body=body)) + "\n"
            out.write(text)
            written += len(text)
            requests += 1
            lines += text.count("\n")
            deprecated += is_deprecated
    return {"requests": requests, "lines": lines, "deprecated_requests": deprecated, "bytes": written}


def lines_of(calls: Sequence[tuple[Call, datetime.datetime]]) -> Iterator[str]:
    for call, received in calls:
        yield from request_lines(call, received)
