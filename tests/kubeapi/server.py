"""A local Kubernetes API server stand-in: real HTTPS on 127.0.0.1, the API's own wire format.

See the package docstring (tests/kubeapi/__init__.py) for how to use it.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import socket
import ssl
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import trustme
import yaml

from tests.kubeapi.catalog import builtin_kinds, resource_info, subresource_entry, version_priority

RESOURCE_VERSION = "424242"
_EXPIRED_MESSAGE = ("The provided continue parameter is too old to display a consistent list result. You can start "
                    "a new list without the continue parameter, or use the continue token in this response to "
                    "retrieve the remainder of the results. Continuing with the provided token results in an "
                    "inconsistent list - objects that were created, modified, or deleted between the time the "
                    "first chunk was returned and now may show up in the list.")
DEPRECATED_APIS_METRIC = "apiserver_requested_deprecated_apis"
METRICS_RESOURCES = (  # metrics-server's aggregated API (metrics.k8s.io/v1beta1)
    {"name": "nodes", "singularName": "", "namespaced": False, "kind": "NodeMetrics", "verbs": ["get", "list"]},
    {"name": "pods", "singularName": "", "namespaced": True, "kind": "PodMetrics", "verbs": ["get", "list"]},
)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it (tests assert read-only access with these)."""

    method: str
    path: str
    query: Mapping[str, str]
    user: str | None  # None: not authenticated


@dataclass
class _Fault:
    status: int = 0  # 0: no error, only the delay
    delay: float = 0.0
    times: int | None = None  # None: every time
    message: str | None = None
    user: str | None = None  # None: for every user


@dataclass
class _Resource:
    """One listable resource: where its objects are kept, and how discovery describes it."""

    group: str
    plural: str
    kind: str
    namespaced: bool
    items: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (etcd key, item), sorted
    generated: tuple[int, Callable[[int], dict[str, Any]]] | None = None  # (count, make item i)

    @property
    def name(self) -> str:
        """kubectl's name for it: ``pods``, ``deployments.apps``."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def count(self) -> int:
        return self.generated[0] if self.generated else len(self.items)

    def item(self, index: int) -> tuple[str, dict[str, Any]]:
        if self.generated:
            made = self.generated[1](index)
            metadata = made.get("metadata", {})
            return _key(metadata), made
        return self.items[index]


def _key(metadata: Mapping[str, Any]) -> str:
    namespace = metadata.get("namespace")
    return f"{namespace}/{metadata.get('name')}" if namespace else str(metadata.get("name"))


def _status(code: int, reason: str, message: str, details: Mapping[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": message, "reason": reason, "code": code}
    if details:
        body["details"] = dict(details)
    return body


_REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
            410: "Expired", 429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable",
            504: "Timeout"}


class KubeAPIServer:
    """A Kubernetes API server stand-in for tests; see tests/kubeapi/__init__.py."""

    def __init__(self, release: str = "1.29", git_version: str | None = None, *,
                 tokens: Mapping[str, str] | None = None, metrics_api: bool = True) -> None:
        self.release = release
        major, minor = release.split(".")
        self.git_version = git_version or f"v{release}.0"
        self.version_info = {
            "major": major, "minor": minor, "gitVersion": self.git_version, "gitCommit": "0" * 40,
            "gitTreeState": "clean", "buildDate": "2024-04-01T00:00:00Z", "goVersion": "go1.21.9",
            "compiler": "gc", "platform": "linux/amd64",
        }
        self.tokens: dict[str, str] = dict(tokens or {"t0ken-admin": "admin"})  # bearer token -> user
        self.metrics_api = metrics_api
        self.requests: list[RecordedRequest] = []
        self.ca = trustme.CA()
        self._server_cert = self.ca.issue_cert("127.0.0.1", "localhost")
        self._objects: list[dict[str, Any]] = []
        self._generated: list[tuple[str, str, str, int, Callable[[int], dict[str, Any]]]] = []
        self._faults: dict[str, _Fault] = {}
        self._deprecated_requested: list[dict[str, str]] = []  # label sets of the deprecated-API gauge
        self._unavailable: set[str] = set()  # aggregated group/versions whose backend does not answer
        self._expire: dict[str, int] = {}
        self._lock = threading.Lock()
        self._index: dict[tuple[str, str], _Resource] | None = None
        self._discovery: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self._httpd: _Server | None = None
        self._stopping = threading.Event()

    # --- loading ---------------------------------------------------------------------------------

    def add(self, *objects: Mapping[str, Any]) -> KubeAPIServer:
        """Objects to serve (with apiVersion and kind, as in a manifest or a dump); Lists are unpacked.

        Objects get the metadata of live ones (uid, resourceVersion, creationTimestamp) when missing.
        CRD objects make their custom resources discoverable.
        """
        for obj in objects:
            if str(obj.get("kind", "")).endswith("List") and isinstance(obj.get("items"), list):
                self.add(*obj["items"])
                continue
            item = copy.deepcopy(dict(obj))
            metadata = item.setdefault("metadata", {})
            metadata.setdefault("uid", str(uuid.uuid5(uuid.NAMESPACE_URL, f"{item.get('kind')}/{_key(metadata)}")))
            metadata.setdefault("resourceVersion", RESOURCE_VERSION)
            metadata.setdefault("creationTimestamp", "2024-01-01T00:00:00Z")
            self._objects.append(item)
        self._index = None
        return self

    def load_yaml(self, source: str | Path) -> KubeAPIServer:
        """Objects from a YAML/JSON file (or text): documents, Lists and ``kubectl get -o yaml`` dumps."""
        text = Path(source).read_text(encoding="utf-8") if isinstance(source, Path) else source
        return self.add(*(d for d in yaml.safe_load_all(text) if isinstance(d, dict)))

    def add_generated(self, api_version: str, kind: str, plural: str, count: int,
                      make: Callable[[int], dict[str, Any]]) -> KubeAPIServer:
        """``count`` objects made on demand by ``make(i)`` (never stored: for benchmarks).

        ``make`` must return items in key order (namespace/name), as etcd lists them, without
        apiVersion/kind. The group/version must be served (built in, or by a CRD added with ``add``).
        """
        group = api_version.rpartition("/")[0]
        self._generated.append((group, kind, plural, count, make))
        self._index = None
        return self

    def deprecated_api_requested(self, group: str, version: str, resource: str, removed_release: str = "",
                                 subresource: str = "") -> KubeAPIServer:
        """Set the ``apiserver_requested_deprecated_apis`` gauge of /metrics for this API (what a server
        does when a client requests a deprecated API)."""
        self._deprecated_requested.append({"group": group, "removed_release": removed_release,
                                           "resource": resource, "subresource": subresource, "version": version})
        return self

    def metrics_text(self) -> str:
        """/metrics as kube-apiserver writes it (Prometheus text format 0.0.4): HELP and TYPE lines, label
        pairs sorted by name, other metrics around the deprecated-API gauge (which has no sample until a
        deprecated API is requested)."""
        def sample(name: str, labels: Mapping[str, str], value: str) -> str:
            pairs = ",".join(f'{key}="{labels[key]}"' for key in sorted(labels))
            return f"{name}{{{pairs}}} {value}"

        with self._lock:
            requests = len(self.requests)
            deprecated = list(self._deprecated_requested)
        lines = [
            "# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run "
            "value, group, version, resource, scope, component, and HTTP response code.",
            "# TYPE apiserver_request_total counter",
            sample("apiserver_request_total", {"code": "200", "component": "apiserver", "dry_run": "", "group": "",
                                               "resource": "pods", "scope": "cluster", "subresource": "",
                                               "verb": "LIST", "version": "v1"}, str(requests)),
            f"# HELP {DEPRECATED_APIS_METRIC} [STABLE] Gauge of deprecated APIs that have been requested, broken out "
            "by API group, version, resource, subresource, and removed_release.",
            f"# TYPE {DEPRECATED_APIS_METRIC} gauge",
            *(sample(DEPRECATED_APIS_METRIC, labels, "1") for labels in deprecated),
            "# HELP process_start_time_seconds [ALPHA] Start time of the process since unix epoch in seconds.",
            "# TYPE process_start_time_seconds gauge",
            "process_start_time_seconds 1.7094e+09",
        ]
        return "\n".join(lines) + "\n"

    # --- faults ----------------------------------------------------------------------------------

    def fail(self, target: str, status: int, *, times: int | None = None, message: str | None = None,
             user: str | None = None) -> None:
        """Answer ``status`` for ``target``: a resource (``deployments.apps``, ``pods``) or a path; only
        to ``user`` when given (RBAC: one user may read what another may not)."""
        self._faults[f"{user}@{target}" if user else target] = _Fault(status=status, times=times, message=message)

    def delay(self, target: str, seconds: float) -> None:
        """Answer requests for ``target`` (resource or path) only after ``seconds``."""
        self._faults[target] = _Fault(delay=seconds)

    def expire_continue(self, resource: str, times: int = 1) -> None:
        """The next ``times`` continue tokens for ``resource`` are answered 410 Gone (reason Expired)."""
        self._expire[resource] = times

    # --- credentials -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start() the server first"
        return f"https://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def ca_pem(self) -> bytes:
        return self.ca.cert_pem.bytes()

    def client_cert(self, user: str, groups: Iterable[str] = ()) -> tuple[bytes, bytes]:
        """(certificate PEM, key PEM) for ``user`` signed by the server's client CA (CN=user, O=group)."""
        issued = self.ca.issue_cert(f"{user}@kubeapi.test", common_name=user,
                                    organization_name=next(iter(groups), "kubeapi-test"))
        return issued.cert_chain_pems[0].bytes(), issued.private_key_pem.bytes()

    def kubeconfig(self, *, context: str = "test", user: Mapping[str, Any] | None = None,
                   cluster: Mapping[str, Any] | None = None, server: str | None = None) -> dict[str, Any]:
        """A kubeconfig (dict) for this server: the CA as certificate-authority-data, ``user`` as the
        user entry (default: the admin token). ``cluster`` entries replace the defaults."""
        cluster_entry: dict[str, Any] = {"server": server or self.url,
                                         "certificate-authority-data": base64.b64encode(self.ca_pem).decode()}
        cluster_entry.update(cluster or {})
        return {
            "apiVersion": "v1", "kind": "Config", "current-context": context, "preferences": {},
            "clusters": [{"name": f"{context}-cluster", "cluster": cluster_entry}],
            "users": [{"name": f"{context}-user", "user": dict(user or {"token": next(iter(self.tokens))})}],
            "contexts": [{"name": context, "context": {"cluster": f"{context}-cluster", "user": f"{context}-user"}}],
        }

    # --- running ---------------------------------------------------------------------------------

    def start(self) -> KubeAPIServer:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._server_cert.configure_cert(context)
        self.ca.configure_trust(context)
        context.verify_mode = ssl.CERT_OPTIONAL  # a client certificate is one way to authenticate
        self._httpd = _Server(("127.0.0.1", 0), _Handler, self, context)
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> KubeAPIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def paths_requested(self, method: str | None = None) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests if method is None or r.method == method]

    # --- the API ---------------------------------------------------------------------------------

    def _build_index(self) -> dict[tuple[str, str], _Resource]:
        """Discovery documents and object storage, from the release, the CRDs and the objects."""
        with self._lock:
            if self._index is not None:
                return self._index
            discovery: dict[str, dict[str, list[dict[str, Any]]]] = {}
            index: dict[tuple[str, str], _Resource] = {}
            by_kind: dict[tuple[str, str], _Resource] = {}  # (group, kind)
            new_names = tuple(int(p) for p in self.release.split(".")) >= (1, 27)  # singularName filled since 1.27
            for group, versions in builtin_kinds(self.release).items():
                for version, kinds in versions.items():
                    entries = discovery.setdefault(group, {}).setdefault(version, [])
                    for kind in kinds:
                        info = resource_info(kind)
                        entry: dict[str, Any] = {
                            "name": info.plural, "singularName": kind.lower() if new_names else "",
                            "namespaced": info.namespaced, "kind": kind, "verbs": list(info.verbs)}
                        if info.short_names:
                            entry["shortNames"] = list(info.short_names)
                        if info.categories:
                            entry["categories"] = list(info.categories)
                        entries.append(entry)
                        entries.extend(subresource_entry(info.plural, kind, info.namespaced, sub)
                                       for sub in info.subresources)
                        resource = index.setdefault((group, info.plural),
                                                    _Resource(group, info.plural, kind, info.namespaced))
                        by_kind[(group, kind)] = resource
            for crd in [o for o in self._objects if o.get("kind") == "CustomResourceDefinition"]:
                self._add_crd(crd, discovery, index, by_kind)
            self._unavailable = set()
            for service in [o for o in self._objects if o.get("kind") == "APIService"]:
                self._add_aggregated(service, discovery)
            if self.metrics_api:
                for version_entries in (discovery.setdefault("metrics.k8s.io", {}).setdefault("v1beta1", []),):
                    version_entries.extend(copy.deepcopy(list(METRICS_RESOURCES)))
                for entry in METRICS_RESOURCES:
                    resource = _Resource("metrics.k8s.io", str(entry["name"]), str(entry["kind"]),
                                         bool(entry["namespaced"]))
                    index[("metrics.k8s.io", resource.plural)] = resource
                    by_kind[("metrics.k8s.io", resource.kind)] = resource
            for obj in self._objects:
                group = str(obj.get("apiVersion", "")).rpartition("/")[0]
                resource = by_kind.get((group, str(obj.get("kind"))))
                if resource is None:
                    raise ValueError(f"{obj.get('apiVersion')} {obj.get('kind')} is not served by this server "
                                     f"(release {self.release}; add its CRD first)")
                item = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
                resource.items.append((_key(item.get("metadata", {})), item))
            for resource in index.values():
                resource.items.sort(key=lambda pair: pair[0].encode())
            for group, kind, plural, count, make in self._generated:
                resource = by_kind.get((group, kind)) or index.get((group, plural))
                if resource is None:
                    raise ValueError(f"{group} {kind} is not served: add its CRD first")
                resource.generated = (count, make)
            self._discovery = discovery
            self._index = index
            return index

    @staticmethod
    def _add_crd(crd: Mapping[str, Any], discovery: dict[str, dict[str, list[dict[str, Any]]]],
                 index: dict[tuple[str, str], _Resource], by_kind: dict[tuple[str, str], _Resource]) -> None:
        spec = crd.get("spec", {})
        group, names = spec.get("group"), spec.get("names", {})
        namespaced = spec.get("scope", "Namespaced") == "Namespaced"
        resource = _Resource(group, names["plural"], names["kind"], namespaced)
        index[(group, resource.plural)] = resource
        by_kind[(group, resource.kind)] = resource
        versions = spec.get("versions") or [{"name": spec.get("version"), "served": True,
                                              "subresources": spec.get("subresources")}]
        for version in versions:
            if not version.get("served", True):
                continue
            entry: dict[str, Any] = {"name": resource.plural, "singularName": names.get("singular", ""),
                                     "namespaced": namespaced, "kind": resource.kind, "verbs": list(
                                         ("delete", "deletecollection", "get", "list", "patch", "create", "update",
                                          "watch"))}
            if names.get("shortNames"):
                entry["shortNames"] = list(names["shortNames"])
            if names.get("categories"):
                entry["categories"] = list(names["categories"])
            entries = discovery.setdefault(group, {}).setdefault(version["name"], [])
            entries.append(entry)
            for sub in (version.get("subresources") or spec.get("subresources") or {}):
                entries.append(subresource_entry(resource.plural, resource.kind, namespaced, sub))

    def _add_aggregated(self, service: Mapping[str, Any], discovery: dict[str, dict[str, list[dict[str, Any]]]]
                        ) -> None:
        """An APIService served by a Service (an aggregated API): its group/version is discovered (the
        resources of metrics-server's metrics.k8s.io, none for others); answered 503 when not Available."""
        spec = service.get("spec") or {}
        group, version = spec.get("group"), spec.get("version")
        if not spec.get("service") or not group or not version:
            return  # served by kube-apiserver itself (built-in groups, CRDs)
        entries = discovery.setdefault(group, {}).setdefault(version, [])
        if not entries and (group, version) == ("metrics.k8s.io", "v1beta1"):
            entries.extend(copy.deepcopy(list(METRICS_RESOURCES)))
        conditions = (service.get("status") or {}).get("conditions") or []
        if any(c.get("type") == "Available" and c.get("status") == "False" for c in conditions):
            self._unavailable.add(f"{group}/{version}")

    def _group_list(self) -> dict[str, Any]:
        groups = []
        for group in sorted(g for g in self._discovery if g):
            versions = sorted(self._discovery[group], key=version_priority, reverse=True)
            entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
            groups.append({"name": group, "versions": entries, "preferredVersion": entries[0]})
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}

    def handle(self, method: str, raw_path: str, user: str | None) -> tuple[int, dict[str, Any] | str]:
        """The answer to one request: (HTTP status, JSON body, or text for /metrics)."""
        parts = urlsplit(raw_path)
        path = parts.path.rstrip("/") or "/"
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self._lock:
            self.requests.append(RecordedRequest(method, path, query, user))
        if user is None:
            return 401, _status(401, "Unauthorized", "Unauthorized")
        index = self._build_index()
        segments = [s for s in path.split("/") if s]
        resource = self._resource_of(segments, index)
        fault = self._fault_for(path, resource, user)
        if fault is not None:
            if fault.delay:
                self._stopping.wait(fault.delay)
            if fault.status:
                return fault.status, self._fault_body(fault, resource, user, path)
        if method != "GET":
            return 405, _status(405, "MethodNotAllowed", f"the server does not allow this method ({method}) here "
                                "(a read-only stand-in)")
        if path == "/version":
            return 200, dict(self.version_info)
        if path == "/api":
            return 200, {"kind": "APIVersions", "versions": ["v1"],
                         "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "10.0.0.1:443"}]}
        if path == "/apis":
            return 200, self._group_list()
        if path == "/metrics":
            return 200, self.metrics_text()
        group_version = self._group_version(segments)
        if group_version is not None and len(segments) == (2 if segments[0] == "api" else 3):
            group, version = group_version
            if f"{group}/{version}" in self._unavailable:
                return 503, _status(503, "ServiceUnavailable", "the server is currently unable to handle the request")
            entries = self._discovery.get(group, {}).get(version)
            if entries is None:
                return 404, _status(404, "NotFound", "the server could not find the requested resource")
            return 200, {"kind": "APIResourceList", "apiVersion": "v1",
                         "groupVersion": f"{group}/{version}" if group else version, "resources": entries}
        if resource is None or group_version is None:
            return 404, _status(404, "NotFound", "the server could not find the requested resource")
        return self._list_or_get(segments, group_version, resource, query)

    def _group_version(self, segments: list[str]) -> tuple[str, str] | None:
        if len(segments) >= 2 and segments[0] == "api":
            return "", segments[1]
        if len(segments) >= 3 and segments[0] == "apis":
            return segments[1], segments[2]
        return None

    def _resource_of(self, segments: list[str], index: Mapping[tuple[str, str], _Resource]) -> _Resource | None:
        group_version = self._group_version(segments)
        if group_version is None:
            return None
        rest = segments[2:] if segments[0] == "api" else segments[3:]
        if len(rest) >= 3 and rest[0] == "namespaces":
            rest = rest[2:]
        if not rest:
            return None
        group, version = group_version
        resource = index.get((group, rest[0]))
        served = {e["name"] for e in self._discovery.get(group, {}).get(version, [])}
        return resource if resource is not None and resource.plural in served else None

    def _fault_for(self, path: str, resource: _Resource | None, user: str) -> _Fault | None:
        with self._lock:
            targets = [path, *([resource.name] if resource else [])]
            for key in [f"{user}@{t}" for t in targets] + targets:
                fault = self._faults.get(key) if key else None
                if fault is None:
                    continue
                if fault.times is not None:
                    if fault.times <= 0:
                        continue
                    fault.times -= 1
                return fault
        return None

    @staticmethod
    def _fault_body(fault: _Fault, resource: _Resource | None, user: str, path: str) -> dict[str, Any]:
        reason = _REASONS.get(fault.status, "InternalError")
        if fault.message:
            message = fault.message
        elif fault.status == 403 and resource is None:  # a non-resource URL (/metrics, /version)
            message = f'forbidden: User "{user}" cannot get path "{path}"'
        elif fault.status == 404:
            message = "the server could not find the requested resource"
        elif fault.status == 403 and resource is not None:
            message = (f'{resource.name} is forbidden: User "{user}" cannot list resource "{resource.plural}" in '
                       f'API group "{resource.group}" at the cluster scope')
        elif fault.status == 503:
            message = "the server is currently unable to handle the request"
        else:
            message = "Internal error occurred: etcdserver: request timed out"
        details = {"group": resource.group, "kind": resource.plural} if resource else None
        return _status(fault.status, reason, message, details)

    def _list_or_get(self, segments: list[str], group_version: tuple[str, str], resource: _Resource,
                     query: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        group, version = group_version
        api_version = f"{group}/{version}" if group else version
        rest = segments[2:] if segments[0] == "api" else segments[3:]
        namespace, tail = (rest[1], rest[2:]) if len(rest) >= 3 and rest[0] == "namespaces" else (None, rest)
        name = tail[1] if len(tail) == 2 else None
        if name is not None:
            for index in range(resource.count()):
                key, item = resource.item(index)
                if key == (f"{namespace}/{name}" if namespace else name):
                    return 200, {"apiVersion": api_version, "kind": resource.kind, **item}
            return 404, _status(404, "NotFound", f'{resource.name} "{name}" not found',
                                {"name": name, "group": group, "kind": resource.plural})
        start = 0
        token = query.get("continue")
        if token:
            try:
                state = json.loads(base64.urlsafe_b64decode(token.encode()))
                start = int(state["start"])
                if state["resource"] != resource.name:
                    raise ValueError("another resource's token")
            except (ValueError, KeyError, TypeError):
                return 400, _status(400, "BadRequest", "continue key is not valid: invalid token")
            with self._lock:
                left = self._expire.get(resource.name, 0)
                if left > 0:
                    self._expire[resource.name] = left - 1
                    return 410, _status(410, "Expired", _EXPIRED_MESSAGE)
        limit = int(query.get("limit") or 0)
        selector = _label_selector(query.get("labelSelector", ""))
        items: list[dict[str, Any]] = []
        position = start
        total = resource.count()
        while position < total and (limit <= 0 or len(items) < limit):
            key, item = resource.item(position)
            position += 1
            if namespace is not None and not key.startswith(f"{namespace}/"):
                continue
            if not selector(item.get("metadata", {}).get("labels") or {}):
                continue
            items.append(item)
        metadata: dict[str, Any] = {"resourceVersion": RESOURCE_VERSION}
        if position < total and limit > 0:
            state = {"resource": resource.name, "start": position, "rv": RESOURCE_VERSION}
            metadata["continue"] = base64.urlsafe_b64encode(json.dumps(state).encode()).decode()
            metadata["remainingItemCount"] = total - position
        return 200, {"kind": f"{resource.kind}List", "apiVersion": api_version, "metadata": metadata,
                     "items": items}


def _label_selector(text: str) -> Callable[[Mapping[str, Any]], bool]:
    """Equality-based selectors (``a=b,c!=d,e``), which is what the clients here send."""
    terms = [t.strip() for t in text.split(",") if t.strip()]

    def matches(labels: Mapping[str, Any]) -> bool:
        for term in terms:
            if "!=" in term:
                key, value = term.split("!=", 1)
                if labels.get(key) == value:
                    return False
            elif "=" in term:
                key, value = term.replace("==", "=").split("=", 1)
                if labels.get(key) != value:
                    return False
            elif term not in labels:
                return False
        return True

    return matches


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], api: KubeAPIServer,
                 context: ssl.SSLContext) -> None:
        super().__init__(address, handler)
        self.api = api
        self.context = context

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The TLS handshake runs in the request's own thread: a client that fails it (an unknown CA)
        # or stalls does not hold up the others.
        try:
            request.settimeout(10)
            # Headers and body go out in two writes: without this, Nagle's algorithm and the client's
            # delayed ACK add ~40 ms to every answer.
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            with contextlib.suppress(OSError):
                tls.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away mid-answer (a timeout test) is not an error of the server


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _user(self) -> str | None:
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer":  # the scheme is case-insensitive (the in-cluster client sends "bearer")
            return self.server.api.tokens.get(token.strip())
        if header:
            return None
        connection = self.connection
        if isinstance(connection, ssl.SSLSocket):
            peer = connection.getpeercert()
            if peer:
                for rdn in peer.get("subject", ()):
                    for name, value in rdn:
                        if name == "commonName":
                            return str(value)
        return None

    def _answer(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        try:
            status, body = self.server.api.handle(method, self.path, self._user())
        except Exception as exc:  # a bug of the stand-in shows as a 500 naming it, not as a dropped connection
            status, body = 500, _status(500, "InternalError", f"kubeapi stand-in: {exc.__class__.__name__}: {exc}")
        text = isinstance(body, str)
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8" if text else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Audit-Id", str(uuid.uuid4()))
            self.end_headers()
            self.wfile.write(data)
        except (TimeoutError, BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def do_PUT(self) -> None:
        self._answer("PUT")

    def do_PATCH(self) -> None:
        self._answer("PATCH")

    def do_DELETE(self) -> None:
        self._answer("DELETE")

