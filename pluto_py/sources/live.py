"""A live cluster as a source: what `kubectl get` of every resource would dump, read page by page.

Connection is made as kubectl makes it, by the ``kubernetes`` client library (the ``cluster``
extra): ``--kubeconfig``, else every file of ``KUBECONFIG`` merged, else ``~/.kube/config``, else the
pod's service account; contexts, client certificates, tokens and token files, ``exec`` credential
plugins, CAs, ``insecure-skip-tls-verify``, ``proxy-url``. The library is imported only here, and
this module only for ``--cluster`` (docs/live-cluster.md says why this library).

What is read: discovery of every group/version (built-in, CRDs, aggregated APIs), then every
listable resource in its preferred version, ``limit``/``continue`` page by page (an expired continue
token restarts that list once, past the last object already read), a few resources at a time, every
request with a timeout. Pages are turned into Documents as they arrive; nothing holds the cluster.

List items carry no apiVersion/kind of their own: the request says what they are. Each item is
then judged exactly as an object of a ``kubectl get -o yaml`` dump (sources/cluster.py): by its
last-applied configuration (and ``--annotation``), Helm release records (Secrets and ConfigMaps) by
the latest deployed revision of each release, custom resources by their CRD's deprecated versions.
Secret values are only ever decoded in memory.

With ``ClusterOptions.metrics`` (`scan --cluster`, unless --no-metrics) the API server's /metrics is
read too, streamed, and its ``apiserver_requested_deprecated_apis`` gauge judged through
sources/metrics.py: the deprecated APIs any client requested since the server started. A 403 or 404
there is a notice (``cluster-metrics-unreadable``), not an error: the objects are all read.
``Discovery`` keeps every group/version served and every resource of each, not only what is listed
(blue/green describes a cluster by it).

Errors are never silent: an unreachable server, a TLS failure, rejected credentials, and each
resource that cannot be listed (403, 5xx, timeout) is a ScanError naming it; everything readable
is still judged. Resources that RBAC hides are also summed up in a Notice naming the ClusterRole
that would let the user read them (deploy/rbac/clusterrole.yaml).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, ClassVar

from pluto_py.core.model import NO_LINE, NOTICE_INFO, NOTICE_WARNING, SOURCE_CLUSTER, Document, Notice, ScanError
from pluto_py.core.prescan import DEFAULT_ANNOTATIONS
from pluto_py.core.versions import KubeVersion, VersionError, parse_version
from pluto_py.sources import InputStats, SourceRequest

PAGE_SIZE = 500
WORKERS = 6
REQUEST_TIMEOUT = 30.0  # seconds, per request (kubectl's --request-timeout has no default; a scan must end)
CONNECT_TIMEOUT = 10.0
CLUSTER_ROLE = "kdeprecate-reader"
CLUSTER_ROLE_FILE = "deploy/rbac/clusterrole.yaml"
SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
IN_CLUSTER = "in-cluster"
EXTRA_HINT = "the live-cluster client is not installed: pip install 'kdeprecate[cluster]'"
METRICS_PATH = "/metrics"
# /metrics is read a line at a time and only the deprecated-API gauge's lines are kept: memory stays flat
# whatever its size (tens of MiB on a big cluster). These bound an answer that would never end.
MAX_METRICS_BYTES = 1024 * 1024 * 1024
MAX_METRICS_LINE = 4 * 1024 * 1024
NOTICE_METRICS_UNREADABLE = "cluster-metrics-unreadable"

# Resources that are the same objects as another group's (one storage, two APIs): listing both
# would judge each object twice. The newer group is listed; these only when it is not served.
_SAME_STORAGE: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "events"): ("events.k8s.io",),
    ("extensions", "deployments"): ("apps",), ("extensions", "daemonsets"): ("apps",),
    ("extensions", "replicasets"): ("apps",), ("extensions", "ingresses"): ("networking.k8s.io",),
    ("extensions", "networkpolicies"): ("networking.k8s.io",), ("extensions", "podsecuritypolicies"): ("policy",),
}
_HELM_STORAGE = frozenset({("", "secrets"), ("", "configmaps")})
_CRD = ("apiextensions.k8s.io", "customresourcedefinitions")


class LiveClusterError(Exception):
    """The cluster cannot be read at all (no kubeconfig, unreachable, TLS, credentials)."""


class ClientMissingError(LiveClusterError):
    """The ``cluster`` extra (the kubernetes client library) is not installed."""


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    """What `--cluster` was given."""

    kubeconfig: str | None = None  # --kubeconfig (else KUBECONFIG, ~/.kube/config, the service account)
    context: str | None = None
    namespaces: tuple[str, ...] = ()  # empty: all namespaces, and cluster-scoped resources
    # Every object as it runs, not only those holding their applied configuration: what a command
    # judging the cluster's state needs (preflight: budgets, pods, nodes, webhooks, endpoints).
    all_objects: bool = False
    # Also read the API server's /metrics (apiserver_requested_deprecated_apis): `scan --cluster`.
    metrics: bool = False
    timeout: float = REQUEST_TIMEOUT
    workers: int = WORKERS
    page_size: int = PAGE_SIZE
    service_account_dir: str = SERVICE_ACCOUNT_DIR


@dataclass(frozen=True, slots=True)
class ApiResource:
    """One listable resource, in the version it is read."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool

    @property
    def name(self) -> str:
        """kubectl's name: ``pods``, ``deployments.apps``."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, namespace: str | None = None) -> str:
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        return f"{base}/namespaces/{namespace}/{self.plural}" if namespace else f"{base}/{self.plural}"


class RequestFailure(Exception):
    """One request that failed: HTTP status (0 when there was no answer) and a one-line reason."""

    def __init__(self, status: int, message: str, *, fatal: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.fatal = fatal  # the server cannot be reached at all: no other request will do better


def printable(text: str, limit: int = 300) -> str:
    """Text from the server, safe for a terminal: no control characters, bounded length."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in " ".join(str(text).split()))
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 3] + "..."


# --- connecting ----------------------------------------------------------------------------------


def _kubeconfig_files(options: ClusterOptions) -> list[str]:
    """The kubeconfig files kubectl would read, in order (empty: none; use the service account)."""
    if options.kubeconfig:
        return [options.kubeconfig]
    listed = os.environ.get("KUBECONFIG", "")
    if listed:
        return [p for p in (os.path.expanduser(p) for p in listed.split(os.pathsep) if p) if os.path.exists(p)]
    default = os.path.expanduser("~/.kube/config")
    return [default] if os.path.exists(default) else []


def _current_context(files: Sequence[str]) -> str | None:
    """kubectl's current context: the first file that sets one wins (the library takes the last)."""
    from pluto_py.core.userfiles import UserFileError, parse_user_yaml, read_user_text

    for path in files:
        try:
            data = parse_user_yaml(read_user_text(Path(path), "kubeconfig"), path)
        except UserFileError as exc:
            raise LiveClusterError(str(exc)) from None
        if isinstance(data, Mapping) and isinstance(data.get("current-context"), str) and data["current-context"]:
            return str(data["current-context"])
    return None


class _LogCapture(logging.Handler):
    """The library logs (and then ignores) a failing exec plugin: keep its message for the error."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(printable(record.getMessage()))


class ClusterConnection:
    """An authenticated client for one cluster (context): GET requests returning JSON."""

    __slots__ = ("_api", "auth_notes", "context", "options", "server", "verified")

    def __init__(self, api_client: Any, context: str, server: str, options: ClusterOptions,
                 auth_notes: Sequence[str] = ()) -> None:
        self._api = api_client
        self.context = context
        self.server = server
        self.options = options
        self.auth_notes = tuple(auth_notes)  # e.g. the exec plugin's failure, for a 401
        self.verified = True  # False: insecure-skip-tls-verify

    @property
    def display(self) -> str:
        return f"cluster:{self.context}"

    def _send(self, path: str, query: Sequence[tuple[str, str | int]], accept: str) -> Any:
        """The answer to GET ``path``, its body not read yet (the library's RESTResponse). Raises RequestFailure."""
        try:
            method, url, headers, _body, _post = self._api.param_serialize(
                "GET", path, query_params=list(query), header_params={"Accept": accept},
                auth_settings=["BearerToken"])
            return self._api.call_api(method, url, header_params=headers,
                                      _request_timeout=(CONNECT_TIMEOUT, self.options.timeout))
        except Exception as exc:
            raise self._failure_of(exc) from None

    def _failure_of(self, exc: Exception) -> Exception:
        """The RequestFailure that a request's exception ``exc`` stands for; ``exc`` itself when it is none of
        a request's (a bug of ours, which must not pass for the cluster's answer)."""
        import urllib3
        from kubernetes.client.exceptions import ApiException

        if isinstance(exc, RequestFailure):
            return exc
        if isinstance(exc, ApiException):  # the library turns TLS errors into status 0
            return RequestFailure(0, self._transport_message(str(exc.reason or exc)), fatal=True)
        if isinstance(exc, urllib3.exceptions.HTTPError):
            return self._transport_failure(exc)
        if isinstance(exc, OSError | ValueError):  # a CA or key file that cannot be read; a bad header value
            return RequestFailure(0, printable(f"cannot send the request: {exc}"), fatal=True)
        return exc

    def get(self, path: str, query: Sequence[tuple[str, str | int]] = ()) -> dict[str, Any]:
        """The JSON object at ``path``. Raises RequestFailure."""
        response = self._send(path, query, "application/json")
        try:
            data = response.read()
        except Exception as exc:
            raise self._failure_of(exc) from None
        if response.status >= 400:
            raise RequestFailure(response.status, self._status_message(response.status, data))
        try:
            body = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise RequestFailure(response.status, "the answer is not JSON") from None
        if not isinstance(body, dict):
            raise RequestFailure(response.status, "the answer is not a JSON object")
        return body

    def text_lines(self, path: str, max_bytes: int = MAX_METRICS_BYTES,
                   max_line: int = MAX_METRICS_LINE) -> Iterator[str]:
        """The text at ``path`` (``/metrics``), a line at a time as it arrives: a large answer is never held
        whole. Raises RequestFailure, also while the lines are read."""
        response = self._send(path, (), "text/plain")
        try:
            if response.status >= 400:
                raise RequestFailure(response.status, self._status_message(response.status, response.read()))
            carried = b""
            total = 0
            for chunk in response.response.stream(64 * 1024):
                total += len(chunk)
                if total > max_bytes:
                    raise RequestFailure(response.status, f"the answer is larger than {max_bytes // (1 << 20)} MiB")
                *lines, carried = (carried + chunk).split(b"\n")
                if len(carried) > max_line:
                    raise RequestFailure(response.status, f"a line is longer than {max_line // (1 << 20)} MiB")
                for line in lines:
                    yield line.decode("utf-8", "replace")
            if carried:
                yield carried.decode("utf-8", "replace")
        except Exception as exc:
            raise self._failure_of(exc) from None
        finally:
            with contextlib.suppress(Exception):  # an answer cut short must not be reused: never pooled
                response.response.close()

    def _transport_message(self, reason: str) -> str:
        text = printable(reason)
        if "SSL" in text or "certificate" in text.lower() or "TLS" in text:
            return (f"TLS failure talking to {self.server}: {text} (check the cluster's certificate-authority, or "
                    "the server's name)")
        return f"cannot reach {self.server}: {text}"

    def _transport_failure(self, exc: Exception) -> RequestFailure:
        import urllib3

        reason = getattr(exc, "reason", None) or exc
        if isinstance(reason, urllib3.exceptions.ReadTimeoutError | urllib3.exceptions.TimeoutError) and not \
                isinstance(reason, urllib3.exceptions.ConnectTimeoutError):
            return RequestFailure(0, f"timed out after {self.options.timeout:g} s")
        if isinstance(reason, urllib3.exceptions.SSLError):
            return RequestFailure(0, self._transport_message(f"SSLError {reason}"), fatal=True)
        if isinstance(reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError):
            detail = str(reason).rpartition(": ")[2] or str(reason)
            return RequestFailure(0, self._transport_message(detail), fatal=True)
        return RequestFailure(0, self._transport_message(f"{type(reason).__name__}: {reason}"),
                              fatal=isinstance(reason, urllib3.exceptions.ProxyError))

    def _status_message(self, status: int, data: bytes) -> str:
        reason = ""
        message = ""
        try:
            body = json.loads(data)
            if isinstance(body, dict):
                reason, message = str(body.get("reason") or ""), str(body.get("message") or "")
        except (UnicodeDecodeError, json.JSONDecodeError):
            message = data[:200].decode("utf-8", "replace")
        head = f"{status} {reason}".strip()
        if status == 401:
            note = "; ".join(self.auth_notes)
            return (f"{head}: the API server rejected the credentials of context {self.context}"
                    + (f" ({note})" if note else ""))
        return f"{head}: {printable(message)}" if message else head

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing is best effort: the answers are already read
            self._api.close()


def connect(options: ClusterOptions) -> ClusterConnection:
    """A connection as kubectl would make it. Raises LiveClusterError (ClientMissingError)."""
    try:
        import urllib3
        from kubernetes.client import ApiClient, Configuration
        from kubernetes.config import incluster_config, kube_config
        from kubernetes.config.config_exception import ConfigException
    except ImportError:
        raise ClientMissingError(EXTRA_HINT) from None

    configuration = Configuration()
    files = _kubeconfig_files(options)
    capture = _LogCapture()
    root = logging.getLogger()
    root.addHandler(capture)
    try:
        if files:
            context = options.context or _current_context(files)
            if context is None:
                raise LiveClusterError(f"{', '.join(files)}: no current-context; give --context NAME")
            try:
                kube_config.load_kube_config(  # type: ignore[no-untyped-call]
                    config_file=os.pathsep.join(files), context=context, client_configuration=configuration,
                    persist_config=False)
            except ConfigException as exc:
                raise LiveClusterError(f"kubeconfig {', '.join(files)}: {printable(str(exc))}") from None
            except (OSError, ValueError, TypeError, KeyError) as exc:
                raise LiveClusterError(f"kubeconfig {', '.join(files)}: cannot be used ({printable(str(exc))})") \
                    from None
        elif options.kubeconfig is None and os.environ.get("KUBERNETES_SERVICE_HOST"):
            context = options.context or IN_CLUSTER
            directory = Path(options.service_account_dir)
            try:
                loader = incluster_config.InClusterConfigLoader(  # type: ignore[no-untyped-call]
                    token_filename=str(directory / "token"), cert_filename=str(directory / "ca.crt"))
                loader.load_and_set(configuration)  # type: ignore[no-untyped-call]
            except ConfigException as exc:
                raise LiveClusterError(f"in-cluster service account: {printable(str(exc))}") from None
        else:
            raise LiveClusterError("no kubeconfig: give --kubeconfig FILE, set KUBECONFIG, or create ~/.kube/config")
    finally:
        root.removeHandler(capture)
    _trim_token(configuration)
    # One quick retry of a refused connection; a read is never repeated (the list restarts instead).
    configuration.retries = urllib3.util.Retry(total=1, connect=1, read=0, redirect=0, status=0, other=0)
    configuration.connection_pool_maxsize = options.workers + 2
    notes = [f"exec credential plugin failed: {m}" for m in capture.messages if m.startswith("exec")]
    connection = ClusterConnection(ApiClient(configuration), context, str(configuration.host), options, notes)
    if not configuration.verify_ssl:  # said once, as a notice, instead of urllib3's warning on every request
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        connection.verified = False
    return connection


def _trim_token(configuration: Any) -> None:
    """kubectl trims a token file's whitespace (a trailing newline, as `echo` writes); the library
    sends it as it is, which urllib3 rejects as a header value. Trim it, now and at each refresh.

    The library's refresh hook (called before every request, from every worker thread) writes the
    token, and itself, back into the configuration: it runs on a scratch object instead, under a
    lock, and only the trimmed token is copied over.
    """
    from types import SimpleNamespace

    token = configuration.api_key.get("BearerToken")
    if isinstance(token, str):
        configuration.api_key["BearerToken"] = token.strip()
    refresh = configuration.refresh_api_key_hook
    if refresh is None:
        return
    lock = threading.Lock()

    def refreshed(config: Any) -> None:
        with lock:
            scratch = SimpleNamespace(api_key={}, refresh_api_key_hook=None)
            refresh(scratch)
            fresh = scratch.api_key.get("BearerToken")
            if isinstance(fresh, str):
                config.api_key["BearerToken"] = fresh.strip()

    configuration.refresh_api_key_hook = refreshed


# --- what the cluster says ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServerVersion:
    raw: str  # gitVersion, e.g. v1.29.4-gke.1043002
    version: KubeVersion
    info: Mapping[str, Any] = field(default_factory=dict)


def server_version(connection: ClusterConnection) -> ServerVersion:
    """/version. Raises RequestFailure."""
    info = connection.get("/version")
    raw = info.get("gitVersion")
    try:
        if isinstance(raw, str) and raw.strip():
            return ServerVersion(raw.strip(), parse_version(raw), info)
        spelled = f"{str(info.get('major', '')).rstrip('+')}.{str(info.get('minor', '')).rstrip('+')}"
        return ServerVersion(spelled, parse_version(spelled), info)
    except VersionError as exc:
        raise RequestFailure(200, f"/version: {exc}") from None


@dataclass(frozen=True, slots=True)
class ServedResource:
    """One resource of a group/version's discovery document, listable or not (a line of `kubectl
    api-resources`): what the server serves, which is more than what is listed."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    verbs: tuple[str, ...] = ()
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


@dataclass(frozen=True, slots=True)
class Discovery:
    """What /api and /apis say: the resources to list (each once, in its group's preferred version),
    every resource of every group/version served (not only the preferred ones), every group/version
    named, and those whose discovery failed (an aggregated API whose backend does not answer)."""

    listed: tuple[ApiResource, ...]
    served: tuple[ServedResource, ...]
    group_versions: tuple[str, ...]
    failed: tuple[tuple[str, int], ...] = ()  # (group/version, HTTP status; 0: no answer)
    errors: tuple[ScanError, ...] = ()


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _served_of(document: Mapping[str, Any], group: str, version: str) -> list[ServedResource]:
    found = []
    for entry in document.get("resources") or []:
        if not isinstance(entry, Mapping):
            continue
        name, kind = entry.get("name"), entry.get("kind")
        if not isinstance(name, str) or "/" in name or not isinstance(kind, str):
            continue  # subresources (pods/status): not resources of their own
        found.append(ServedResource(group, version, name, kind, bool(entry.get("namespaced")),
                                    _strings(entry.get("verbs")), _strings(entry.get("shortNames")),
                                    _strings(entry.get("categories"))))
    return found


def read_discovery(connection: ClusterConnection) -> Discovery:
    """Every group/version /api and /apis name, each one's discovery document read (a few at a time); the
    resources to list are each listable resource once, in its group's preferred version (else the first
    version serving it, in the server's order). Group/versions whose discovery fails are errors naming
    them. Raises RequestFailure when discovery itself is refused (401, unreachable)."""
    core = connection.get("/api")
    groups = connection.get("/apis")
    wanted: list[tuple[str, str]] = [("", str(v)) for v in core.get("versions") or []]
    for group in groups.get("groups") or []:
        name = str(group.get("name", ""))
        preferred = str((group.get("preferredVersion") or {}).get("version", ""))
        versions = [str(v.get("version", "")) for v in group.get("versions") or []]
        if preferred in versions:  # the preferred version first: a resource is read in it when it has it
            versions = [preferred, *(v for v in versions if v != preferred)]
        wanted.extend((name, version) for version in versions)
    wanted = list(dict.fromkeys(wanted))
    documents = _parallel_get(connection, [(g, v, f"/apis/{g}/{v}" if g else f"/api/{v}") for g, v in wanted])
    chosen: dict[tuple[str, str], ApiResource] = {}
    served: list[ServedResource] = []
    failed: list[tuple[str, int]] = []
    errors: list[ScanError] = []
    for group, version, outcome in documents:
        if isinstance(outcome, RequestFailure):
            if outcome.fatal or outcome.status == 401:
                raise outcome
            group_version = f"{group}/{version}" if group else version
            failed.append((group_version, outcome.status))
            errors.append(ScanError(connection.display, None, f"cannot discover {group_version}: {outcome.message}"))
            continue
        for resource in _served_of(outcome, group, version):
            served.append(resource)
            if "list" in resource.verbs:  # not what cannot be listed (tokenreviews)
                chosen.setdefault((group, resource.plural), ApiResource(group, version, resource.plural,
                                                                        resource.kind, resource.namespaced))
    served_groups = {group for group, _ in chosen}
    listed = [r for key, r in chosen.items() if not (set(_SAME_STORAGE.get(key, ())) & served_groups)]
    return Discovery(tuple(listed), tuple(served), tuple(f"{g}/{v}" if g else v for g, v in wanted), tuple(failed),
                     tuple(errors))


def _parallel_get(connection: ClusterConnection, requests: Sequence[tuple[str, str, str]]
                  ) -> list[tuple[str, str, dict[str, Any] | RequestFailure]]:
    from concurrent.futures import ThreadPoolExecutor

    def one(request: tuple[str, str, str]) -> tuple[str, str, dict[str, Any] | RequestFailure]:
        group, version, path = request
        try:
            return group, version, connection.get(path)
        except RequestFailure as failure:
            return group, version, failure

    with ThreadPoolExecutor(max_workers=max(1, connection.options.workers)) as pool:
        return list(pool.map(one, requests))


# --- listing -------------------------------------------------------------------------------------


def _item_key(item: Mapping[str, Any]) -> bytes:
    """The object's etcd key within its resource (lists come in this order)."""
    metadata = item.get("metadata") if isinstance(item.get("metadata"), Mapping) else {}
    assert isinstance(metadata, Mapping)
    namespace, name = metadata.get("namespace"), metadata.get("name")
    return (f"{namespace}/{name}" if namespace else str(name)).encode()


def list_pages(connection: ClusterConnection, resource: ApiResource, namespace: str | None = None,
               stop: threading.Event | None = None) -> Iterator[list[dict[str, Any]]]:
    """The items of ``resource``, a page at a time. An expired continue token (410) restarts the
    list once, from past the last item already given. Raises RequestFailure."""
    token: str | None = None
    restarted = False
    resume_after: bytes | None = None
    last: bytes | None = None
    while stop is None or not stop.is_set():
        query: list[tuple[str, str | int]] = [("limit", connection.options.page_size)]
        if token:
            query.append(("continue", token))
        try:
            body = connection.get(resource.path(namespace), query)
        except RequestFailure as failure:
            if failure.status == 410 and token and not restarted:
                restarted, token, resume_after = True, None, last
                continue
            if failure.status == 410:
                raise RequestFailure(410, f"{failure.message} (the list expired again after a restart)") from None
            raise
        items = [i for i in body.get("items") or [] if isinstance(i, dict)]
        if resume_after is not None:
            items = [i for i in items if _item_key(i) > resume_after]
            if items:
                resume_after = None
        if items:
            last = _item_key(items[-1])
            yield items
        metadata = body.get("metadata")
        token = metadata.get("continue") if isinstance(metadata, Mapping) else None
        if not token:
            return


@dataclass(frozen=True, slots=True)
class _Task:
    resource: ApiResource
    namespace: str | None


_DONE = object()


def read_items(connection: ClusterConnection, resources: Sequence[ApiResource],
               namespaces: Sequence[str] = ()) -> Iterator[tuple[_Task, list[dict[str, Any]] | RequestFailure]]:
    """(task, page of items) as pages arrive, from ``options.workers`` lists at a time; a task that
    fails gives (task, RequestFailure) once. At most two pages per worker are in memory at any time
    (one being read, one waiting in the queue)."""
    tasks: queue.Queue[_Task | None] = queue.Queue()
    count = 0
    for resource in resources:
        for namespace in (namespaces if resource.namespaced and namespaces else [None]):
            tasks.put(_Task(resource, namespace))
            count += 1
    workers = max(1, min(connection.options.workers, count))
    for _ in range(workers):
        tasks.put(None)
    results: queue.Queue[Any] = queue.Queue(maxsize=workers)
    stop = threading.Event()

    def put(value: Any) -> bool:
        while not stop.is_set():
            try:
                results.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        while not stop.is_set():
            task = tasks.get()
            if task is None:
                break
            try:
                for page in list_pages(connection, task.resource, task.namespace, stop):
                    if not put((task, page)):
                        return
            except RequestFailure as failure:
                put((task, failure))
            except Exception as exc:  # a bug of ours on one resource must not hang the scan
                put((task, RequestFailure(0, f"internal error ({exc.__class__.__name__}: {exc})")))
        put(_DONE)

    threads = [threading.Thread(target=work, daemon=True, name=f"kdeprecate-list-{i}") for i in range(workers)]
    for thread in threads:
        thread.start()
    running = workers
    try:
        while running:
            value = results.get()
            if value is _DONE:
                running -= 1
                continue
            yield value
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=1.0)  # daemon threads: one still waiting on a slow answer ends with it


# --- the source ----------------------------------------------------------------------------------


class _Candidates:
    """The Helm release records that may be the one to judge, per release: the newest deployed and
    the newest of any status (choose_revisions picks among these as it would among all)."""

    __slots__ = ("by_release",)

    def __init__(self) -> None:
        self.by_release: dict[tuple[str | None, str | None], dict[str, tuple[int, ApiResource, dict[str, Any]]]] = {}

    def offer(self, record: Any, resource: ApiResource, item: dict[str, Any]) -> None:
        revision = record.revision if record.revision is not None else -1
        slots = self.by_release.setdefault(record.key, {})
        for slot in ("any", "deployed") if record.status == "deployed" else ("any",):
            held = slots.get(slot)
            if held is None or revision > held[0]:
                slots[slot] = (revision, resource, item)

    def items(self) -> Iterator[tuple[ApiResource, dict[str, Any]]]:
        for slots in self.by_release.values():
            seen: set[int] = set()
            for _revision, resource, item in slots.values():
                if id(item) not in seen:
                    seen.add(id(item))
                    yield resource, item


class LiveCluster:
    """A live cluster, opened: what the ``live-cluster`` source reads (``SourceRequest.settings``).

    ``open`` connects and reads /version (``version`` then defaults --from, before the scan starts);
    a cluster that cannot be reached is not raised but reported by ``documents`` as one error, so
    that the files of the same scan are still judged.
    """

    __slots__ = ("_crd_warning", "_fatal", "_metrics_notice", "_unreadable", "connection", "discovery", "display",
                 "options", "version")

    def __init__(self, options: ClusterOptions) -> None:
        self.options = options
        self.connection: ClusterConnection | None = None
        self.version: ServerVersion | None = None
        self.discovery: Discovery | None = None  # once ``documents`` has read it (bluegreen describes a cluster by it)
        self.display = f"cluster:{options.context or 'current-context'}"
        self._fatal: str | None = None
        self._unreadable: list[tuple[str, int]] = []  # (resource, status) hidden by RBAC
        self._crd_warning: str | None = None  # with --namespace, CRDs could not be listed
        self._metrics_notice: Notice | None = None  # /metrics could not be read (403, 404)

    @classmethod
    def open(cls, options: ClusterOptions) -> LiveCluster:
        """Connect and read /version. Raises ClientMissingError only (a setup problem, not the cluster's)."""
        source = cls(options)
        try:
            source.connection = connect(options)
        except ClientMissingError:
            raise
        except LiveClusterError as exc:
            source._fatal = str(exc)
            return source
        source.display = source.connection.display
        try:
            source.version = server_version(source.connection)
        except RequestFailure as failure:
            source._fatal = failure.message
        return source

    def documents(self, stats: InputStats, annotations: Sequence[str] = DEFAULT_ANNOTATIONS
                  ) -> Iterator[Document | ScanError | Notice]:
        """The cluster's objects as Documents (and errors), streamed; Helm release records last; then,
        with ``options.metrics``, the deprecated APIs its /metrics says were requested.

        Only objects carrying one of ``annotations`` (their applied configuration) are yielded: the
        others say only what the request asked for. With ``options.all_objects`` every object is (the
        cluster-dump expander still judges each by its applied configuration, or not at all).
        """
        connection = self.connection
        if connection is None or self._fatal is not None:
            yield ScanError(self.display, None, self._fatal or "not connected")
            self._close()
            return
        try:
            self.discovery = read_discovery(connection)
        except RequestFailure as failure:
            yield ScanError(self.display, None, failure.message)
            self._close()
            return
        yield from self.discovery.errors
        resources = list(self.discovery.listed)
        if self.options.namespaces:  # cluster-scoped objects are outside the namespaces asked for;
            # CRDs are still read, to judge the custom resources in those namespaces
            resources = [r for r in resources if r.namespaced or (r.group, r.plural) == _CRD]
        candidates = _Candidates()
        stats.files += 1
        fatal_seen = False
        # CRDs first, alone: custom resources read before their CRD would wait (as small records, but one
        # per object) until the end of the scan to be judged.
        crds = [r for r in resources if (r.group, r.plural) == _CRD]
        rest = [r for r in resources if (r.group, r.plural) != _CRD]
        pages = chain(read_items(connection, crds, self.options.namespaces) if crds else (),
                      read_items(connection, rest, self.options.namespaces))
        try:
            for task, page in pages:
                resource = task.resource
                if isinstance(page, RequestFailure):
                    error = self._failure(task, page)
                    if error is not None and not (page.fatal and fatal_seen):
                        yield error
                    fatal_seen = fatal_seen or page.fatal
                    continue
                yield from self._page_documents(resource, page, tuple(annotations), candidates, stats)
            for resource, item in candidates.items():
                stats.documents += 1
                yield self._document(item, resource)
            if self.options.metrics and not fatal_seen:
                yield from self._metrics_documents(connection)
        finally:
            self._close()

    def _page_documents(self, resource: ApiResource, page: list[dict[str, Any]], annotations: tuple[str, ...],
                        candidates: _Candidates, stats: InputStats) -> Iterator[Document]:
        from pluto_py.sources.cluster import release_record_of

        key = (resource.group, resource.plural)
        for item in page:
            item["apiVersion"] = resource.api_version  # the request says what the items are
            item["kind"] = resource.kind
            stats.documents += 1
            if key in _HELM_STORAGE:
                record = release_record_of(item)
                if record is not None:
                    candidates.offer(record, resource, item)  # judged at the end, once the latest is known
                    stats.documents -= 1
                    continue
            if key == _CRD:
                yield self._document(_crd_declaration(item), resource)
            if self.options.all_objects:
                yield self._document(item, resource)
                continue
            metadata = item.get("metadata")
            applied = metadata.get("annotations") if isinstance(metadata, Mapping) else None
            if isinstance(applied, Mapping) and any(a in applied for a in annotations):
                yield self._document(item, resource)
            # Without an applied-configuration annotation a live object says only what the request
            # asked for: nothing to judge (the cluster-dump expander would drop it too).

    def _metrics_documents(self, connection: ClusterConnection) -> Iterator[Document | ScanError | Notice]:
        """The deprecated APIs the server says were requested since it started (its /metrics, parsed by
        sources/metrics.py), judged like a ``--metrics`` file's. /metrics is a non-resource URL that RBAC
        grants apart: a 403 (or a server that does not expose it, 404) is a notice, not an error."""
        from dataclasses import replace

        from pluto_py.sources.metrics import METRIC, metrics_documents_from_text

        kept: list[str] = []
        try:
            kept.extend(line for line in connection.text_lines(METRICS_PATH) if METRIC in line)
        except RequestFailure as failure:
            if failure.status in (403, 404):
                self._metrics_notice = Notice(
                    self.display, None, NOTICE_METRICS_UNREADABLE,
                    f"cannot read {METRICS_PATH} ({failure.message}): API usage since the API server started "
                    f"(apiserver_requested_deprecated_apis) is not reported. It needs get on the non-resource URL "
                    f"{METRICS_PATH}, which the ClusterRole {CLUSTER_ROLE} ({CLUSTER_ROLE_FILE}) grants; "
                    "--no-metrics skips it", NOTICE_INFO)
            else:
                yield ScanError(self.display, None, f"cannot read {METRICS_PATH}: {failure.message}")
            return
        cluster = self.display.removeprefix("cluster:")
        # A scrape has no lines to point at (the next one differs): like the cluster's objects, no line.
        for item in metrics_documents_from_text("\n".join(kept), self.display):
            if isinstance(item, Document):
                yield replace(item, line=NO_LINE, positions={}, context={"cluster": cluster, **item.context})
            elif isinstance(item, ScanError):
                yield item._replace(line=None)
            else:
                yield replace(item, line=None)

    def _document(self, data: dict[str, Any], resource: ApiResource) -> Document:
        metadata = data.get("metadata")
        namespace = metadata.get("namespace") if isinstance(metadata, Mapping) else None
        context = {"cluster": self.display.removeprefix("cluster:"), "resource": resource.name,
                   "namespace": namespace if isinstance(namespace, str) else ""}
        return Document(self.display, 0, NO_LINE, data, {}, SOURCE_CLUSTER, None, context)

    def _failure(self, task: _Task, failure: RequestFailure) -> ScanError | None:
        resource = task.resource
        where = f" in namespace {task.namespace}" if task.namespace else ""
        if failure.fatal:
            return ScanError(self.display, None, failure.message)
        if failure.status in (401, 403):
            self._unreadable.append((resource.name + (f" (namespace {task.namespace})" if task.namespace else ""),
                                     failure.status))
        if self.options.namespaces and (resource.group, resource.plural) == _CRD:
            self._crd_warning = failure.message
            return None  # reported as a notice: custom resources are judged without their CRDs
        return ScanError(self.display, None,
                         f"cannot list {resource.name} ({resource.api_version}){where}: {failure.message}")

    def notices(self) -> list[Notice]:
        found: list[Notice] = []
        if self.connection is not None and not self.connection.verified:
            found.append(Notice(self.display, None, "cluster-tls-unverified",
                                "insecure-skip-tls-verify: the API server's certificate was not checked"))
        if self._metrics_notice is not None:
            found.append(self._metrics_notice)
        if self._crd_warning:
            found.append(Notice(self.display, None, "cluster-crds-unreadable",
                                f"cannot list customresourcedefinitions ({self._crd_warning}): custom resources "
                                "are judged without the deprecations their CRDs declare"))
        if self._unreadable:
            names = ", ".join(f"{name} ({status})" for name, status in sorted(self._unreadable))
            found.append(Notice(
                self.display, None, "cluster-unreadable",
                f"could not read {len(self._unreadable)} resource(s): {names}. The ClusterRole {CLUSTER_ROLE} "
                f"({CLUSTER_ROLE_FILE}) grants get/list on every resource and nothing else", NOTICE_WARNING))
        return found

    def _close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def _crd_declaration(item: Mapping[str, Any]) -> dict[str, Any]:
    """What a CRD declares about its versions, without the live metadata (so that the cluster-dump
    expander leaves it alone and the CRD tracker learns from it)."""
    metadata = item.get("metadata") if isinstance(item.get("metadata"), Mapping) else {}
    assert isinstance(metadata, Mapping)
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": metadata.get("name")}, "spec": item.get("spec")}



class LiveClusterSource:
    """The ``live-cluster`` source: the documents of the cluster in ``request.settings["live-cluster"]``
    (a LiveCluster, opened by `scan --cluster`), read after the files and judged like a dump's objects
    (the ``cluster-dump`` expander: last-applied configurations, Helm release records); then its notices."""

    name: ClassVar[str] = "live-cluster"

    def __init__(self, request: SourceRequest) -> None:
        cluster = request.settings.get(self.name)
        if not isinstance(cluster, LiveCluster):
            raise ValueError(f"settings[{self.name!r}]: expected a LiveCluster, got {type(cluster).__name__}")
        self.cluster = cluster

    def wanted(self, request: SourceRequest) -> bool:
        return True  # made only when the request holds its settings (sources_for)

    def documents(self, request: SourceRequest, stats: InputStats) -> Iterator[Document | ScanError | Notice]:
        yield from self.cluster.documents(stats, request.annotations)
        yield from self.cluster.notices()

    @property
    def warnings(self) -> Sequence[str]:
        return ()
