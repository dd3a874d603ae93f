"""Component configuration kept in ConfigMaps of a cluster dump, opened into objects of the view.

kubeadm keeps its ClusterConfiguration in kube-system/kubeadm-config (data.ClusterConfiguration)
and the kubelet's KubeletConfiguration in kube-system/kubelet-config (kubelet-config-1.NN before
1.24; data.kubelet), each as a YAML string. Those strings are parsed with the project's bounded
YAML reader, and the objects named after the ConfigMap and its key.
"""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.core.model import Document, ScanError
from pluto_py.core.parse import DocumentError, compose_yaml
from pluto_py.preflight.view import ClusterObject, text

EMBEDDED_KEYS = {"kubeadm-config": ("ClusterConfiguration",), "kubelet-config": ("kubelet",)}


def _keys_of(name: str) -> tuple[str, ...]:
    if name.startswith("kubelet-config-"):  # kubelet-config-1.23: one ConfigMap per minor before 1.24
        return EMBEDDED_KEYS["kubelet-config"]
    return EMBEDDED_KEYS.get(name, ())


def embedded_documents(config_maps: list[ClusterObject]) -> Iterator[tuple[Document, str] | ScanError]:
    """(document, name) for each configuration a kube-system ConfigMap holds; errors for unreadable ones."""
    for config_map in config_maps:
        if config_map.namespace != "kube-system":
            continue
        data = config_map.data.get("data")
        if not isinstance(data, dict):
            continue
        for key in _keys_of(config_map.name):
            body = text(data.get(key))
            if body is None:
                continue
            try:
                parsed, positions = compose_yaml(body, config_map.line)
            except DocumentError as exc:  # bounds (depth, aliases, size) are enforced by the reader
                yield ScanError(config_map.path, config_map.line,
                                f"ConfigMap kube-system/{config_map.name} data.{key}: not valid YAML: {exc.message}")
                continue
            yield (Document(config_map.path, 0, config_map.line, parsed, positions),
                   f"{config_map.name}.{key}")
