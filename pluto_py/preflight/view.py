"""The cluster as preflight sees it: every object of the inputs, whatever source read them.

Manifests, charts, `kubectl get -A -o yaml` dumps (Lists are opened into their items) and the live
cluster source all yield Documents; the view indexes the objects in them by kind and namespace.
An object read twice (a dump and a `--nodes` file) counts once: the first reading wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from pluto_py.core.model import Document
from pluto_py.preflight.model import ObjectRef


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class ClusterObject:
    kind: str
    api_version: str
    name: str
    namespace: str | None
    data: Mapping[str, Any]
    path: str
    line: int

    @property
    def metadata(self) -> Mapping[str, Any]:
        return mapping(self.data.get("metadata"))

    @property
    def spec(self) -> Mapping[str, Any]:
        return mapping(self.data.get("spec"))

    @property
    def status(self) -> Mapping[str, Any]:
        return mapping(self.data.get("status"))

    @property
    def labels(self) -> Mapping[str, Any]:
        return mapping(self.metadata.get("labels"))

    @property
    def annotations(self) -> Mapping[str, Any]:
        return mapping(self.metadata.get("annotations"))

    @property
    def controller(self) -> Mapping[str, Any] | None:
        """The ownerReference with ``controller: true`` (what recreates it), if any."""
        refs = self.metadata.get("ownerReferences")
        if isinstance(refs, list):
            for ref in refs:
                if isinstance(ref, Mapping) and ref.get("controller") is True:
                    return ref
        return None

    @property
    def live(self) -> bool:
        """Read from a cluster (it has a uid or resourceVersion), not a manifest someone wrote."""
        return any(self.metadata.get(key) not in (None, "") for key in ("uid", "resourceVersion"))

    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, self.name, self.namespace, self.api_version, self.path, self.line)


# Configuration files of components (kubelet, kubeadm) carry no metadata.name: they are named
# after their file (or the ConfigMap that holds them).
CONFIG_KINDS = frozenset({"KubeletConfiguration", "ClusterConfiguration", "InitConfiguration", "JoinConfiguration",
                          "KubeProxyConfiguration"})


def _objects_of(document: Document) -> Iterator[tuple[Mapping[str, Any], int]]:
    data = document.data
    if not isinstance(data, Mapping):
        return
    kind, items = data.get("kind"), data.get("items")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, Mapping):
                yield item, document.position(("items", index))[0]
        return
    yield data, document.line


class ClusterView:
    """The objects of the inputs, indexed by kind (and namespace)."""

    def __init__(self, objects: Iterable[ClusterObject] = ()) -> None:
        self._objects: list[ClusterObject] = []
        self._index: dict[tuple[str, str | None, str], ClusterObject] = {}
        self._by_kind: dict[str, list[ClusterObject]] = {}
        for obj in objects:
            self.add(obj)

    def add(self, obj: ClusterObject) -> None:
        key = (obj.kind, obj.namespace, obj.name)
        if key in self._index:
            return
        self._index[key] = obj
        self._objects.append(obj)
        self._by_kind.setdefault(obj.kind, []).append(obj)

    def add_document(self, document: Document, default_name: str | None = None) -> None:
        for data, line in _objects_of(document):
            kind, api_version = text(data.get("kind")), text(data.get("apiVersion"))
            metadata = mapping(data.get("metadata"))
            name = text(metadata.get("name"))
            if name is None and kind in CONFIG_KINDS:
                name = default_name or PurePath(document.path).stem or kind
            if kind is None or name is None:
                continue  # not an object (e.g. a values file): nothing to judge
            namespace = text(metadata.get("namespace")) or None
            self.add(ClusterObject(kind, api_version or "", name, namespace, data, document.path, line))

    def __len__(self) -> int:
        return len(self._objects)

    def __iter__(self) -> Iterator[ClusterObject]:
        return iter(self._objects)

    def of_kind(self, *kinds: str) -> list[ClusterObject]:
        found: list[ClusterObject] = []
        for kind in kinds:
            found.extend(self._by_kind.get(kind, ()))
        return found

    def has_kind(self, kind: str) -> bool:
        return bool(self._by_kind.get(kind))

    def get(self, kind: str, namespace: str | None, name: str) -> ClusterObject | None:
        return self._index.get((kind, namespace, name))

    def containing(self, path: str, line: int | None) -> ClusterObject | None:
        """The object of ``path`` whose text holds ``line`` (the last one starting at or before it);
        None when objects there have no lines (a live cluster) or none starts before it."""
        if not line or line < 1:
            return None
        held = [obj for obj in self._objects if obj.path == path and 0 < obj.line <= line]
        return max(held, key=lambda obj: obj.line) if held else None
