"""Resource names -> kinds per group/version (data/api_resources.yaml), and the control plane's own
clients (data/system_clients.yaml).

Requests (audit events, API server metrics, discovery) name a resource by its plural
(``ingresses``); the table speaks of kinds (``Ingress``). One loader, shared by the audit-log and
metrics sources and by anything else that meets resource names; ``usage_document`` turns requests
to one API into the Document the judge reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pluto_py.core.model import Document
from pluto_py.core.table import TableError, builtin_data_path
from pluto_py.core.usage import Usage

RESOURCES_FILE = "api_resources.yaml"
SYSTEM_CLIENTS_FILE = "system_clients.yaml"


@dataclass(frozen=True, slots=True)
class ApiResource:
    """One resource of a group/version: ``ingresses`` of extensions/v1beta1 is kind Ingress."""

    api_version: str
    resource: str
    kind: str
    namespaced: bool
    source: str


@dataclass(frozen=True, slots=True)
class ApiResources:
    """Every (api_version, resource) Kubernetes serves or served, and kinds served only as subresources."""

    by_resource: Mapping[tuple[str, str], ApiResource]
    subresource_kinds: Mapping[tuple[str, str], str]  # (api_version, kind) -> how it is served

    def lookup(self, api_version: str, resource: str) -> ApiResource | None:
        return self.by_resource.get((api_version, resource))

    def kind_of(self, api_version: str, resource: str) -> str | None:
        found = self.by_resource.get((api_version, resource))
        return found.kind if found is not None else None

    def resources_of(self, api_version: str, kind: str) -> list[ApiResource]:
        """The resources serving ``kind`` at ``api_version`` (normally one)."""
        return [r for r in self.by_resource.values() if r.api_version == api_version and r.kind == kind]

    def __iter__(self) -> Iterator[ApiResource]:
        return iter(self.by_resource.values())

    def __len__(self) -> int:
        return len(self.by_resource)


def _load_data(name: str) -> Any:
    from pluto_py.core.parse import DocumentError, compose_yaml

    path = builtin_data_path(name)
    try:
        data, _ = compose_yaml(path.read_text(encoding="utf-8"), 1)
    except DocumentError as exc:
        raise TableError(f"{path}: {exc.message}") from None
    return data, str(path)


def resources_from_data(data: Any, origin: str) -> ApiResources:
    """Build ApiResources from the parsed file; TableError when it is not one."""
    if not isinstance(data, Mapping) or not isinstance(data.get("resources"), list):
        raise TableError(f"{origin}: not a resource list (no 'resources' list)")
    by_resource: dict[tuple[str, str], ApiResource] = {}
    try:
        for row in data["resources"]:
            entry = ApiResource(str(row["api_version"]), str(row["resource"]), str(row["kind"]),
                                bool(row["namespaced"]), str(row["source"]))
            key = (entry.api_version, entry.resource)
            if key in by_resource:
                raise TableError(f"{origin}: duplicate resource {entry.resource} of {entry.api_version}")
            by_resource[key] = entry
        subresource_kinds = {(str(row["api_version"]), str(row["kind"])): str(row["served_as"])
                             for row in data.get("subresource_kinds") or []}
    except (KeyError, TypeError) as exc:
        raise TableError(f"{origin}: broken resource list: {exc}") from None
    return ApiResources(by_resource, subresource_kinds)


@cache
def load_api_resources() -> ApiResources:
    """The shipped resource list (validated against its JSON Schema by the test-suite)."""
    data, origin = _load_data(RESOURCES_FILE)
    return resources_from_data(data, origin)


@cache
def load_system_clients() -> frozenset[str]:
    """User names of the control plane's own clients (set aside unless asked for)."""
    data, origin = _load_data(SYSTEM_CLIENTS_FILE)
    try:
        return frozenset(str(row["user"]) for row in data["clients"])
    except (KeyError, TypeError) as exc:
        raise TableError(f"{origin}: broken system client list: {exc}") from None


def usage_document(api_version: str, kind: str, usage: Usage, path: str, line: int, source: str,
                   context: Mapping[str, str]) -> Document:
    """The Document that stands for requests to (api_version, kind): judged like a manifest of that
    apiVersion and kind, its findings carry ``usage`` and ``context``, at ``path``:``line``."""
    return Document(path=path, index=0, line=line, data={"apiVersion": api_version, "kind": kind},
                    positions={("apiVersion",): (line, 1)}, source=source, context=dict(context), usage=usage)
