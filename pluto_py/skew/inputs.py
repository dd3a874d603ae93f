"""Read what a cluster says about itself, and the versions given on the command line.

* ``kubectl get nodes -o json`` / ``-o yaml`` (a List or NodeList, or one Node): each node's
  ``status.nodeInfo.kubeletVersion`` and ``kubeProxyVersion``. The latter is written by the kubelet
  (its own version) and left empty since 1.31 (KEP-4004); empty means "not known".
* ``kubectl version -o json`` / ``-o yaml`` (clientVersion, serverVersion, kustomizeVersion), or
  its plain text output ("Client Version: v1.28.2" / "Server Version: ...").
* ``--kubelet 1.25`` or ``--kubelet NODE=1.25`` style values for every component.

Every problem raises InputError with one line that names the file or the option.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pluto_py.core.skew_policy import COMPONENTS, KUBE_APISERVER, KUBE_PROXY, KUBECTL, KUBELET
from pluto_py.core.userfiles import UserFileError, read_user_text
from pluto_py.core.versions import KubeVersion, VersionError, parse_version
from pluto_py.skew.model import ClusterState, Instance, distribution_of

_MAX_BYTES = 64 * 1024 * 1024
# `kubectl version` text: "Client Version: v1.28.2", or before 1.28 "Client Version: version.Info{...}".
_TEXT_VERSION_RE = re.compile(
    r'^\s*(Client|Server)\s+Version:\s*(?:version\.Info\{.*?GitVersion:"([^"]+)".*|(\S+))\s*$',
    re.MULTILINE,
)


# The command-line option that gives each component's version.
OPTION_OF: dict[str, str] = {
    KUBE_APISERVER: "--apiserver",
    "kube-controller-manager": "--controller-manager",
    "kube-scheduler": "--scheduler",
    "cloud-controller-manager": "--cloud-controller-manager",
    KUBELET: "--kubelet",
    KUBE_PROXY: "--kube-proxy",
    KUBECTL: "--kubectl",
}


class InputError(ValueError):
    """Input that cannot be used: a bad version, an unreadable or malformed file."""


@dataclass(frozen=True, slots=True)
class NodeVersions:
    name: str
    kubelet: KubeVersion
    kubelet_raw: str
    kube_proxy: KubeVersion | None
    kube_proxy_raw: str | None
    roles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VersionInfo:
    server: KubeVersion | None
    server_raw: str | None
    client: KubeVersion | None
    client_raw: str | None


def _read_text(path: str) -> str:
    """A file's text (or stdin's, for '-'), bounded like every user file (core/userfiles)."""

    try:
        return read_user_text(path, "kubectl output", _MAX_BYTES, stdin=True)
    except UserFileError as exc:
        raise InputError(str(exc)) from None


def _parse_structured(text: str, path: str, max_values: int | None = None) -> Any:
    """JSON, or YAML (a superset); one document. Parsed with the bounds of every user file
    (core/userfiles: size, aliases, nesting), errors naming the file and the line."""
    from pluto_py.core.userfiles import parse_user_json, parse_user_yaml

    stripped = text.lstrip()
    if not stripped:
        raise InputError(f"{path}: empty file")
    try:
        if stripped[0] in "{[":
            return parse_user_json(text, path)
        data = parse_user_yaml(text, path) if max_values is None else parse_user_yaml(text, path, max_values)
    except UserFileError as exc:
        raise InputError(str(exc)) from None
    if data is None:
        raise InputError(f"{path}: expected one document, found 0")
    return data


def parse_version_text(text: str, where: str) -> KubeVersion:
    try:
        return parse_version(text)
    except VersionError as exc:
        raise InputError(f"{where}: {exc}") from None


def _node_versions(item: Any, path: str, index: int) -> NodeVersions:
    where = f"{path}: item {index}"
    if not isinstance(item, Mapping):
        raise InputError(f"{where}: not a Node object")
    kind = item.get("kind")
    if kind is not None and kind != "Node":
        raise InputError(f"{where}: a {kind}, not a Node (expected `kubectl get nodes -o json` output)")
    metadata = item.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    if not isinstance(name, str) or not name:
        raise InputError(f"{where}: node without metadata.name")
    where = f"{path}: node {name}"
    status = item.get("status")
    info = status.get("nodeInfo") if isinstance(status, Mapping) else None
    if not isinstance(info, Mapping):
        raise InputError(f"{where}: no status.nodeInfo (was the file written by `kubectl get nodes -o json`?)")
    kubelet_raw = info.get("kubeletVersion")
    if not isinstance(kubelet_raw, str) or not kubelet_raw.strip():
        raise InputError(f"{where}: status.nodeInfo.kubeletVersion is missing")
    kubelet = parse_version_text(kubelet_raw, f"{where}: kubeletVersion")
    proxy_raw = info.get("kubeProxyVersion")
    proxy: KubeVersion | None = None
    if isinstance(proxy_raw, str) and proxy_raw.strip():
        try:
            proxy = parse_version(proxy_raw)
        except VersionError:
            proxy = None  # e.g. "v0.0.0-master+$Format:%H$" from a development build: unknown
        if proxy is not None and proxy.major == 0:
            proxy = None
    labels = metadata.get("labels") if isinstance(metadata, Mapping) else None
    roles: tuple[str, ...] = ()
    if isinstance(labels, Mapping):
        roles = tuple(sorted(str(k).removeprefix("node-role.kubernetes.io/") for k in labels
                             if str(k).startswith("node-role.kubernetes.io/")))
    return NodeVersions(name, kubelet, kubelet_raw.strip(), proxy,
                        proxy_raw.strip() if proxy is not None and isinstance(proxy_raw, str) else None, roles)


def load_nodes(path: str) -> list[NodeVersions]:
    """The nodes in a `kubectl get nodes -o json|yaml` file (or '-' for stdin)."""
    from pluto_py.core.parse import MAX_NODES

    data = _parse_structured(_read_text(path), path, MAX_NODES)  # (a large cluster's nodes hold many values)
    return nodes_from_data(data, path)


def nodes_from_data(data: Any, path: str) -> list[NodeVersions]:
    """The nodes of a Node list (or one Node) read from ``path`` (a file, or a live cluster)."""
    if not isinstance(data, Mapping):
        raise InputError(f"{path}: expected a Node list (`kubectl get nodes -o json`), got {type(data).__name__}")
    if data.get("kind") == "Node":
        items: Any = [data]
    else:
        items = data.get("items")
        if not isinstance(items, list):
            raise InputError(f"{path}: no 'items' list (expected `kubectl get nodes -o json` output)")
    if not items:
        raise InputError(f"{path}: contains no nodes")
    nodes = [_node_versions(item, path, index) for index, item in enumerate(items)]
    seen: set[str] = set()
    for node in nodes:
        if node.name in seen:
            raise InputError(f"{path}: node {node.name} is listed twice")
        seen.add(node.name)
    return nodes


def info_version(raw: Any, path: str, which: str) -> tuple[KubeVersion | None, str | None]:
    """The version in a `kubectl version` serverVersion/clientVersion object, and its spelling; (None, None)
    when absent. Raises InputError naming ``path`` and ``which``."""
    if raw is None:
        return None, None
    if not isinstance(raw, Mapping):
        raise InputError(f"{path}: {which} is not an object")
    git = raw.get("gitVersion")
    if isinstance(git, str) and git.strip():
        return parse_version_text(git, f"{path}: {which}.gitVersion"), git.strip()
    major, minor = raw.get("major"), raw.get("minor")
    if isinstance(major, str) and isinstance(minor, str):
        # Managed clusters report e.g. minor "27+"; the digits are what count.
        spelled = f"{major.rstrip('+')}.{minor.rstrip('+')}"
        return parse_version_text(spelled, f"{path}: {which}.major/minor"), spelled
    raise InputError(f"{path}: {which} has neither gitVersion nor major/minor")


def server_version_info(info: Mapping[str, Any], origin: str) -> VersionInfo:
    """The server's version from its /version answer (a live cluster); no client version."""
    server, server_raw = info_version(info, origin, "serverVersion")
    return VersionInfo(server, server_raw, None, None)


def load_version_info(path: str) -> VersionInfo:
    """Server and client versions from `kubectl version -o json|yaml` (or its text output)."""
    text = _read_text(path)
    stripped = text.lstrip()
    if stripped and stripped[0] != "{" and "Version:" in text and "Version: " in text \
            and not stripped.startswith(("clientVersion", "serverVersion", "kustomizeVersion")):
        found: dict[str, str] = {}
        for match in _TEXT_VERSION_RE.finditer(text):
            found[match.group(1)] = str(match.group(2) or match.group(3))
        if found:
            server_raw, client_raw = found.get("Server"), found.get("Client")
            return VersionInfo(
                parse_version_text(server_raw, f"{path}: Server Version") if server_raw else None, server_raw,
                parse_version_text(client_raw, f"{path}: Client Version") if client_raw else None, client_raw,
            )
    data = _parse_structured(text, path)
    if not isinstance(data, Mapping) or not ({"clientVersion", "serverVersion"} & set(data)):
        raise InputError(f"{path}: no clientVersion or serverVersion (expected `kubectl version -o json` output)")
    server, server_raw = info_version(data.get("serverVersion"), path, "serverVersion")
    client, client_raw = info_version(data.get("clientVersion"), path, "clientVersion")
    return VersionInfo(server, server_raw, client, client_raw)


def parse_component_value(option: str, value: str) -> tuple[str | None, KubeVersion, str]:
    """``VERSION`` or ``NAME=VERSION`` -> (name, version, raw version)."""
    name, sep, raw = value.partition("=")
    if not sep:
        name, raw = "", value
    name = name.strip()
    if sep and not name:
        raise InputError(f"{option} {value!r}: name missing before '='")
    return (name or None), parse_version_text(raw.strip(), f"{option} {value!r}" if sep else option), raw.strip()


def build_state(
    flags: Mapping[str, Sequence[str]],
    *,
    nodes_files: Sequence[str] = (),
    version_file: str | None = None,
    nodes: Sequence[NodeVersions] = (),
    version_record: VersionInfo | None = None,
) -> ClusterState:
    """A ClusterState from command-line values and cluster output files.

    ``flags`` maps a component name to its values (``VERSION`` or ``NAME=VERSION``). Command-line
    values win over files: ``--apiserver`` replaces the server version of ``--version-info``,
    ``--kubectl`` its client version, and ``--kubelet NODE=V`` / ``--kube-proxy NODE=V`` replace that
    node's versions from ``--nodes`` (or add a node). ``nodes`` and ``version_record`` are the records
    read from a live cluster (``skew --cluster``), taken as one more --nodes file and the version file.
    """
    unknown = set(flags) - set(COMPONENTS)
    if unknown:
        raise InputError(f"unknown component(s): {', '.join(sorted(unknown))}")
    instances: list[Instance] = []
    raws: list[str] = []
    notes: list[str] = []

    def add(component: str, version: KubeVersion, raw: str | None, node: str | None, key: str) -> None:
        instances.append(Instance(component, version, key, node, raw))
        if raw:
            raws.append(raw)

    # Nodes first; command-line values for the same node replace them.
    node_values: dict[str, dict[str, tuple[KubeVersion, str | None]]] = {}
    sources = [*((path, load_nodes(path)) for path in nodes_files), *([("the cluster", list(nodes))] if nodes else [])]
    for path, listed in sources:
        for node in listed:
            if node.name in node_values:
                raise InputError(f"{path}: node {node.name} is also listed in another --nodes file")
            entry: dict[str, tuple[KubeVersion, str | None]] = {KUBELET: (node.kubelet, node.kubelet_raw)}
            if node.kube_proxy is not None:
                entry[KUBE_PROXY] = (node.kube_proxy, node.kube_proxy_raw)
            node_values[node.name] = entry
    missing_proxy = [name for name, entry in node_values.items() if KUBE_PROXY not in entry]

    info = load_version_info(version_file) if version_file else version_record
    for component in COMPONENTS:
        values = list(flags.get(component, ()))
        if component == KUBECTL and len(values) > 1:
            raise InputError("--kubectl given more than once")
        anonymous = 0
        for value in values:
            option = OPTION_OF[component]
            name, version, raw = parse_component_value(option, value)
            if component in (KUBELET, KUBE_PROXY) and name is not None:
                # Named node components belong to that node; they replace its --nodes values.
                node_values.setdefault(name, {})[component] = (version, raw)
                if component == KUBE_PROXY and name in missing_proxy:
                    missing_proxy.remove(name)
                continue
            anonymous += 1
            key = f"{component}/{name}" if name else f"{component}#{anonymous}"
            if any(i.key == key for i in instances):
                raise InputError(f"{option}: {name} given twice")
            add(component, version, raw, name, key)
        if component == KUBE_APISERVER and not values and info is not None and info.server is not None:
            add(KUBE_APISERVER, info.server, info.server_raw, None, f"{KUBE_APISERVER}#1")
        if component == KUBECTL and not values and info is not None and info.client is not None:
            add(KUBECTL, info.client, info.client_raw, None, f"{KUBECTL}#1")
    if info is not None and info.server is None and not flags.get(KUBE_APISERVER):
        notes.append(f"{version_file} has no serverVersion (kubectl could not reach the cluster?)")

    for name in sorted(node_values):
        for component in (KUBELET, KUBE_PROXY):
            if component in node_values[name]:
                node_version, node_raw = node_values[name][component]
                add(component, node_version, node_raw, name, f"{component}/{name}")
    if missing_proxy:
        more = len(missing_proxy) - 3
        shown = ", ".join(missing_proxy[:3]) + (f" and {more} more" if more > 0 else "")
        notes.append(f"kube-proxy version not reported for {len(missing_proxy)} node(s) ({shown}): "
                     "status.nodeInfo.kubeProxyVersion is empty since Kubernetes 1.31; "
                     "give --kube-proxy NODE=VERSION to check it")

    # The kube-apiserver's version string says most about who runs the control plane.
    server_raws = [i.raw for i in instances if i.component == KUBE_APISERVER and i.raw]
    distributions = {d for d in (distribution_of(raw) for raw in (server_raws or raws)) if d}
    distribution = next(iter(distributions)) if len(distributions) == 1 else None
    return ClusterState(tuple(instances), distribution, tuple(notes))
