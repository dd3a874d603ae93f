"""Kubernetes audit logs: who called which API, counted once per request.

Reads audit.k8s.io Event lines as the API server's log backend writes them (plain, gzip, rotated
files, stdin) and the same events exported from cloud log services one per line:

- a plain event line (log backend; EKS CloudWatch messages), optionally after a prefix without
  ``{`` (``aws logs tail`` prints a timestamp and the log stream first);
- a wrapper object holding the event, as an object or as JSON text, under ``jsonPayload``,
  ``log``, ``message``, ``@message`` or ``properties`` (fluentd / fluent-bit, CloudWatch exports,
  Azure diagnostic-setting exports keep it in ``properties.log``);
- a Google Cloud Logging LogEntry whose ``protoPayload`` is a ``google.cloud.audit.AuditLog``
  with ``serviceName: k8s.io`` (GKE): group/version from ``resourceName``, resource, subresource
  and verb from ``methodName`` (``io.k8s.<group>.<version>.<resource>[.<subresource>].<verb>``),
  user from ``authenticationInfo.principalEmail``, user agent from
  ``requestMetadata.callerSuppliedUserAgent``; one entry per request.

A request is logged at several stages (RequestReceived, ResponseStarted for watches,
ResponseComplete, Panic) under one auditID: it is counted once. Only requests to the resources the
table flags at the target are looked at; each line is first checked with a cheap bytes search for
the version tokens of those resources (``beta``, ``alpha``, or ``/<resource>`` for GA versions) and
only lines that mention one are parsed. Lines that are skipped that way are still checked to be one
JSON object on one line. Non-resource requests (``/healthz``, discovery) and other kinds of lines
are skipped.
"""

from __future__ import annotations

import datetime
import json
import re
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from pluto_py.model import ScanError, Usage
from pluto_py.sources.loglines import read_line_batches

MAX_ERRORS_PER_FILE = 20  # malformed lines reported one by one; the rest are counted
MAX_TRACKED_REQUESTS = 200_000  # auditIDs remembered to count each request once (oldest forgotten first)
_UNWRAP_DEPTH = 3
_WRAPPER_KEYS = ("jsonPayload", "log", "message", "@message", "properties")
_VERSION = re.compile(r"^v[0-9]+(?:(?:alpha|beta)[0-9]+)?$")
_URI = re.compile(r"^/(?:api|apis/([^/?]+))/([^/?]+)/")
_TIMESTAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$")


class AuditRequest(NamedTuple):
    """The parts of one audit event that usage needs."""

    audit_id: str | None
    api_version: str  # "v1" or "group/version"
    resource: str
    subresource: str | None
    verb: str
    user: str
    user_agent: str
    timestamp: datetime.datetime | None
    server_deprecated: bool
    server_removed_release: str | None


class UsageKey(NamedTuple):
    api_version: str
    resource: str
    user: str | None
    user_agent: str | None


class Tally:
    """What is known of one (api_version, resource, user, user agent) so far."""

    __slots__ = ("count", "first", "last", "line", "path", "server_deprecated", "server_removed_release",
                 "subresources", "verbs")

    def __init__(self) -> None:
        self.count = 0
        self.verbs: set[str] = set()
        self.subresources: set[str] = set()
        self.first: datetime.datetime | None = None
        self.last: datetime.datetime | None = None
        self.path = ""
        self.line = 1
        self.server_deprecated = False
        self.server_removed_release: str | None = None

    def see(self, request: AuditRequest, path: str, line: int, new: bool) -> None:
        if new:
            self.count += 1
        if request.verb:
            self.verbs.add(request.verb)
        if request.subresource:
            self.subresources.add(request.subresource)
        stamp = request.timestamp
        if stamp is not None:
            if self.first is None or stamp < self.first:
                self.first = stamp
            if self.last is None or stamp >= self.last:
                self.last = stamp
                self.path, self.line = path, line
        elif self.last is None:
            self.path, self.line = path, line
        self.server_deprecated = self.server_deprecated or request.server_deprecated
        self.server_removed_release = request.server_removed_release or self.server_removed_release

    def usage(self, key: UsageKey) -> Usage:
        return Usage(resource=key.resource,
                     subresource=",".join(sorted(self.subresources)) if self.subresources else None,
                     user=key.user, user_agent=key.user_agent, verbs=tuple(sorted(self.verbs)), count=self.count,
                     first_seen=format_timestamp(self.first), last_seen=format_timestamp(self.last))

    def context(self) -> dict[str, str]:
        """The server's own word on the API (k8s.io/deprecated annotations): extra evidence only."""
        context: dict[str, str] = {}
        if self.server_deprecated:
            context["server_deprecated"] = "true"
        if self.server_removed_release:
            context["server_removed_release"] = self.server_removed_release
        return context


def parse_timestamp(value: Any) -> datetime.datetime | None:
    """An RFC 3339 time (any number of fraction digits, Z or an offset) as an aware datetime."""
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP.match(value)
    if match is None:
        return None
    base, fraction, zone = match.groups()
    micro = (fraction or "")[:6].ljust(6, "0")
    try:
        stamp = datetime.datetime.fromisoformat(f"{base}.{micro}{'+00:00' if zone == 'Z' else zone}")
    except ValueError:
        return None
    return stamp.astimezone(datetime.UTC)


def format_timestamp(stamp: datetime.datetime | None) -> str | None:
    if stamp is None:
        return None
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- reading one event -------------------------------------------------------------------------

def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _is_event(data: Mapping[str, Any]) -> bool:
    return data.get("kind") == "Event" and _text(data.get("apiVersion")).startswith("audit.k8s.io/")


def request_of(data: Any, depth: int = 0) -> AuditRequest | None:
    """The resource request an input line describes, or None (another kind of line, a non-resource
    request). ``data`` is the parsed line: an event, a wrapper around one, or a GKE LogEntry."""
    if not isinstance(data, dict):
        return None
    if _is_event(data):
        return _event_request(data)
    payload = data.get("protoPayload")
    if isinstance(payload, dict) and payload.get("serviceName") == "k8s.io":
        return _gke_request(data, payload)
    if depth >= _UNWRAP_DEPTH:
        return None
    for key in _WRAPPER_KEYS:
        inner = data.get(key)
        if isinstance(inner, str) and inner.lstrip()[:1] == "{":
            try:
                inner = json.loads(inner)
            except (ValueError, RecursionError):
                continue
        if isinstance(inner, dict):
            found = request_of(inner, depth + 1)
            if found is not None:
                return found
    return None


def _event_request(event: Mapping[str, Any]) -> AuditRequest | None:
    ref = event.get("objectRef")
    if not isinstance(ref, dict):
        return None  # a non-resource request (/healthz, /version, discovery of /apis)
    resource = _text(ref.get("resource"))
    if not resource:
        return None
    group, version = _text(ref.get("apiGroup")), _text(ref.get("apiVersion"))
    if "/" in version:  # audit.k8s.io/v1alpha1 wrote group/version here
        group, _, version = version.rpartition("/")
    if not version:
        match = _URI.match(_text(event.get("requestURI")))
        if match is None:
            return None
        group, version = match.group(1) or "", match.group(2)
    user = event.get("user")
    annotations = event.get("annotations")
    annotations = annotations if isinstance(annotations, dict) else {}
    stamp = (parse_timestamp(event.get("requestReceivedTimestamp")) or parse_timestamp(event.get("stageTimestamp"))
             or parse_timestamp(event.get("timestamp")))
    return AuditRequest(
        audit_id=_text(event.get("auditID")) or None,
        api_version=f"{group}/{version}" if group else version,
        resource=resource,
        subresource=_text(ref.get("subresource")) or None,
        verb=_text(event.get("verb")),
        user=_text(user.get("username")) if isinstance(user, dict) else "",
        user_agent=_text(event.get("userAgent")),
        timestamp=stamp,
        server_deprecated=annotations.get("k8s.io/deprecated") == "true",
        server_removed_release=_text(annotations.get("k8s.io/removed-release")) or None,
    )


def _gke_request(entry: Mapping[str, Any], payload: Mapping[str, Any]) -> AuditRequest | None:
    method = _text(payload.get("methodName")).split(".")
    if method[:2] != ["io", "k8s"]:
        return None
    index = next((i for i in range(3, len(method) - 2) if _VERSION.match(method[i])), None)
    if index is None or len(method) - index not in (3, 4):
        return None  # not io.k8s.<group>.<version>.<resource>[.<subresource>].<verb>
    version, resource, verb = method[index], method[index + 1], method[-1]
    subresource = method[index + 2] if len(method) - index == 4 else None
    name = _text(payload.get("resourceName")).split("/")
    if version not in name:
        return None
    group = "/".join(name[:name.index(version)])
    if group == "core":
        group = ""
    auth = payload.get("authenticationInfo")
    metadata = payload.get("requestMetadata")
    return AuditRequest(
        audit_id=_text(entry.get("insertId")) or None,
        api_version=f"{group}/{version}" if group else version,
        resource=resource,
        subresource=subresource,
        verb=verb,
        user=_text(auth.get("principalEmail")) if isinstance(auth, dict) else "",
        user_agent=_text(metadata.get("callerSuppliedUserAgent")) if isinstance(metadata, dict) else "",
        timestamp=parse_timestamp(entry.get("timestamp")) or parse_timestamp(entry.get("receiveTimestamp")),
        server_deprecated=False,
        server_removed_release=None,
    )


# --- the cheap check before parsing ------------------------------------------------------------

def prefilter_needles(flagged: Iterable[tuple[str, str]]) -> tuple[bytes, ...]:
    """Bytes that any line about one of the ``flagged`` (api_version, resource) pairs contains, in
    every supported shape (request URI, objectRef, GKE methodName/resourceName): the prerelease
    marker of a non-GA version (``beta``, ``alpha``), ``/<resource>`` for a GA version."""
    needles: set[bytes] = set()
    for api_version, resource in flagged:
        version = api_version.rpartition("/")[2]
        stage = next((word for word in ("alpha", "beta") if word in version), None)
        needles.add(stage.encode() if stage else f"/{resource}".encode())
    return tuple(sorted(needles))


# --- the reader --------------------------------------------------------------------------------

class AuditReader:
    """Reads audit logs into tallies per (api_version, resource, user, user agent).

    ``flagged``: the (api_version, resource) pairs to count (the table's deprecated and removed APIs
    at the target). Requests of ``system_users`` are counted apart (``set_aside``) unless
    ``include_system``.
    """

    def __init__(self, flagged: Iterable[tuple[str, str]], system_users: frozenset[str] = frozenset(),
                 include_system: bool = False) -> None:
        self.flagged = frozenset(flagged)
        self.system_users = system_users
        self.include_system = include_system
        self.tallies: dict[UsageKey, Tally] = {}
        self.set_aside: dict[str, int] = {}  # system user -> requests
        self.files = 0
        self.events = 0  # lines parsed as an audit event of a flagged API (all stages)
        self._needles = prefilter_needles(self.flagged)
        self._seen: set[str] = set()
        self._seen_order: deque[str] = deque()

    def _new_request(self, audit_id: str | None) -> bool:
        """Whether this auditID is new (each event without one is a request of its own)."""
        if audit_id is None:
            return True
        if audit_id in self._seen:
            return False
        self._seen.add(audit_id)
        self._seen_order.append(audit_id)
        if len(self._seen_order) > MAX_TRACKED_REQUESTS:
            self._seen.discard(self._seen_order.popleft())
        return True

    def read(self, path: str, display: str | None = None) -> list[ScanError]:
        """Read one log (``-``: stdin); the errors, each naming the file and line."""
        shown = display or path
        self.files += 1
        errors: list[ScanError] = []
        malformed = 0
        needles = self._needles
        for batch in read_line_batches(path, shown):
            if isinstance(batch, ScanError):
                errors.append(batch)
                continue
            first, lines, complete = batch
            for number, data in enumerate(lines, first):
                # The cheap check: the request URI of a native event line, else the whole line
                # (wrapped and cloud shapes), must mention a version token of a flagged API. A last
                # line without its line break is parsed whatever it mentions: it may be cut short.
                start = data.find(_URI_KEY)
                region = data[start + _URI_SKIP:data.find(b'"', start + _URI_SKIP)] if start >= 0 else data
                for needle in needles:
                    if needle in region:
                        break
                else:
                    if complete and (data[-1:] == b"}" or _json_object_shape(data)):
                        continue
                problem = self._parse(data, shown, number)
                if problem is None:
                    continue
                malformed += 1
                if not complete:
                    problem = ("last line is cut short (the log is still being written?); the lines before it "
                               "were read")
                if malformed <= MAX_ERRORS_PER_FILE or not complete:
                    errors.append(ScanError(shown, number, problem))
        if malformed > MAX_ERRORS_PER_FILE:
            errors.append(ScanError(shown, None, f"{malformed - MAX_ERRORS_PER_FILE} more malformed lines "
                                                 "(not shown one by one)"))
        return errors

    def _parse(self, data: bytes, shown: str, number: int) -> str | None:
        """Parse and count one line; a problem with it, or None."""
        start = data.find(b"{")
        if start < 0:
            return None if not data.strip() else "not a JSON object on one line"
        try:
            parsed = json.loads(data[start:] if start else data)
        except (ValueError, RecursionError) as exc:
            return f"not valid JSON ({exc.__class__.__name__}: {_short(str(exc))})"
        request = request_of(parsed)
        if request is None or (request.api_version, request.resource) not in self.flagged:
            return None
        self.events += 1
        new = self._new_request(request.audit_id)
        if request.user in self.system_users and not self.include_system:
            if new:
                self.set_aside[request.user] = self.set_aside.get(request.user, 0) + 1
            return None
        key = UsageKey(request.api_version, request.resource, request.user or None, request.user_agent or None)
        tally = self.tallies.get(key)
        if tally is None:
            tally = self.tallies[key] = Tally()
        tally.see(request, shown, number, new)
        return None


_URI_KEY = b'"requestURI":"'
_URI_SKIP = len(_URI_KEY)


def _json_object_shape(data: bytes) -> bool:
    """Whether a line not parsed looks like one JSON object (or is blank): the check lines skipped
    by the cheap search still get."""
    stripped = data.strip()
    return not stripped or (stripped[-1:] == b"}" and b"{" in stripped)


def _short(text: str) -> str:
    """A parser's message, on one line, without control characters, at most 100 characters."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in " ".join(text.split()))
    return clean if len(clean) <= 100 else clean[:97] + "..."

