"""Reading what clusters say about themselves: `kubectl get nodes` and `kubectl version` outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pluto_py.core.versions import parse_version
from pluto_py.skew import InputError, build_state, check, load_builtin_policy, load_nodes, load_version_info
from pluto_py.skew.inputs import parse_component_value

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "skew"
POLICY = load_builtin_policy()


def v(text: str):  # type: ignore[no-untyped-def]
    return parse_version(text)


@pytest.mark.parametrize("distribution, nodes_file, kubelets, proxies", [
    ("kubeadm", "nodes.json", {"cp-1": "1.28", "worker-2": "1.27", "worker-3": "1.25"},
     {"cp-1": "1.28", "worker-3": "1.25"}),
    ("eks", "nodes.json", {"ip-10-0-1-23.eu-west-1.compute.internal": "1.27",
                           "ip-10-0-1-208.eu-west-1.compute.internal": "1.24"}, {}),
    ("gke", "nodes.yaml", {"gke-prod-highmem-pool-653265ff-h4ts": "1.26"}, {}),
    ("k3s", "nodes.json", {"k3s-server-1": "1.27", "k3s-agent-2": "1.26"}, {"k3s-agent-2": "1.26"}),
    ("aks", "nodes.json", {}, {}),
    ("kubeadm-1.17", "nodes.json", {"master-1": "1.17", "node-1": "1.17"}, {}),
])
def test_nodes_from_each_distribution(distribution: str, nodes_file: str, kubelets: dict[str, str],
                                      proxies: dict[str, str]) -> None:
    nodes = {n.name: n for n in load_nodes(str(FIXTURES / distribution / nodes_file))}
    assert len(nodes) >= 3
    for name, version in kubelets.items():
        assert str(nodes[name].kubelet) == version
    for name, version in proxies.items():
        assert str(nodes[name].kube_proxy) == version


def test_raw_distribution_versions_are_kept() -> None:
    eks = load_nodes(str(FIXTURES / "eks" / "nodes.json"))
    assert {n.kubelet_raw for n in eks} == {"v1.27.8-eks-8cb36c9", "v1.24.17-eks-5e0fdde"}
    gke = load_nodes(str(FIXTURES / "gke" / "nodes.yaml"))
    assert "v1.28.3-gke.1203001" in {n.kubelet_raw for n in gke}
    k3s = {n.name: n for n in load_nodes(str(FIXTURES / "k3s" / "nodes.json"))}
    assert k3s["k3s-server-1"].kubelet_raw == "v1.27.4+k3s1"
    assert k3s["k3s-server-1"].roles == ("control-plane", "master")


def test_empty_kube_proxy_version_since_1_31_means_unknown() -> None:
    nodes = load_nodes(str(FIXTURES / "aks" / "nodes.json"))
    assert all(n.kube_proxy is None for n in nodes)
    state = build_state({}, nodes_files=[str(FIXTURES / "aks" / "nodes.json")])
    assert not state.of("kube-proxy")
    assert any("kubeProxyVersion is empty" in note for note in state.notes)


@pytest.mark.parametrize("distribution, server, client, server_raw", [
    ("kubeadm", "1.28", "1.29", "v1.28.4"),
    ("eks", "1.27", "1.28", "v1.27.8-eks-8cb36c9"),
    ("gke", "1.28", "1.28", "v1.28.3-gke.1203001"),
    ("k3s", "1.27", "1.27", "v1.27.4+k3s1"),
    ("aks", "1.31", "1.31", "v1.31.2"),
    ("kubeadm-1.17", "1.17", "1.17", "v1.17.17"),
])
def test_kubectl_version_json(distribution: str, server: str, client: str, server_raw: str) -> None:
    info = load_version_info(str(FIXTURES / distribution / "version.json"))
    assert (str(info.server), str(info.client), info.server_raw) == (server, client, server_raw)


def test_distribution_is_recognised_from_the_server_version() -> None:
    for name, expected in [("eks", "eks"), ("gke", "gke"), ("k3s", "k3s"), ("kubeadm", None), ("aks", None)]:
        nodes = "nodes.yaml" if name == "gke" else "nodes.json"
        state = build_state({}, nodes_files=[str(FIXTURES / name / nodes)],
                            version_file=str(FIXTURES / name / "version.json"))
        assert state.distribution == expected, name


@pytest.mark.parametrize("distribution, nodes_file, ok", [
    ("kubeadm", "nodes.json", True), ("eks", "nodes.json", False), ("gke", "nodes.yaml", True),
    ("k3s", "nodes.json", True), ("aks", "nodes.json", True), ("kubeadm-1.17", "nodes.json", True),
])
def test_fixture_clusters_against_the_policy(distribution: str, nodes_file: str, ok: bool) -> None:
    state = build_state({}, nodes_files=[str(FIXTURES / distribution / nodes_file)],
                        version_file=str(FIXTURES / distribution / "version.json"))
    found = check(state, POLICY)
    assert (not found) is ok
    if distribution == "eks":
        assert {(x.component, x.instance.node) for x in found} == {
            ("kubelet", "ip-10-0-1-208.eu-west-1.compute.internal"),
            ("kube-proxy", "ip-10-0-1-208.eu-west-1.compute.internal")}


def test_version_info_falls_back_to_major_minor_with_plus(tmp_path: Path) -> None:
    path = tmp_path / "version.json"
    path.write_text(json.dumps({"serverVersion": {"major": "1", "minor": "27+"},
                                "clientVersion": {"major": "1", "minor": "28"}}))
    info = load_version_info(str(path))
    assert (str(info.server), str(info.client)) == ("1.27", "1.28")


def test_version_info_without_server(tmp_path: Path) -> None:
    path = tmp_path / "version.json"
    path.write_text(json.dumps({"clientVersion": {"gitVersion": "v1.29.1", "major": "1", "minor": "29"},
                                "kustomizeVersion": "v5.0.4-0.20230601165947-6ce0bf390ce3"}))
    info = load_version_info(str(path))
    assert info.server is None and str(info.client) == "1.29"
    state = build_state({}, version_file=str(path))
    assert not state.apiservers and any("no serverVersion" in n for n in state.notes)


@pytest.mark.parametrize("text", [
    "Client Version: v1.28.2\nKustomize Version: v5.0.4-0.20230601165947-6ce0bf390ce3\n"
    "Server Version: v1.27.8-eks-8cb36c9\n",
    'Client Version: version.Info{Major:"1", Minor:"28", GitVersion:"v1.28.2", GitCommit:"89a4ea3e"}\n'
    'Server Version: version.Info{Major:"1", Minor:"27+", GitVersion:"v1.27.8-eks-8cb36c9", GitCommit:"fca3a87"}\n',
])
def test_kubectl_version_text_output(tmp_path: Path, text: str) -> None:
    path = tmp_path / "version.txt"
    path.write_text(text)
    info = load_version_info(str(path))
    assert (str(info.server), str(info.client)) == ("1.27", "1.28")


def test_kubectl_version_yaml_output(tmp_path: Path) -> None:
    path = tmp_path / "version.yaml"
    path.write_text("clientVersion:\n  gitVersion: v1.30.0\n  major: \"1\"\n  minor: \"30\"\n"
                    "serverVersion:\n  gitVersion: v1.29.4+k3s1\n  major: \"1\"\n  minor: \"29\"\n")
    info = load_version_info(str(path))
    assert (str(info.server), str(info.client)) == ("1.29", "1.30")


def test_a_single_node_object_is_accepted(tmp_path: Path) -> None:
    node = json.loads((FIXTURES / "kubeadm" / "nodes.json").read_text())["items"][0]
    path = tmp_path / "node.json"
    path.write_text(json.dumps(node))
    assert [n.name for n in load_nodes(str(path))] == ["cp-1"]


def test_development_kube_proxy_version_is_unknown(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "kubeadm" / "nodes.json").read_text())
    data["items"][0]["status"]["nodeInfo"]["kubeProxyVersion"] = "v0.0.0-master+$Format:%H$"
    path = tmp_path / "nodes.json"
    path.write_text(json.dumps(data))
    assert load_nodes(str(path))[0].kube_proxy is None


@pytest.mark.parametrize("content, message", [
    ("", "empty file"),
    ("{not json", "not valid JSON"),
    ("key: [unclosed", "not valid YAML"),
    ('{"kind": "List", "items": []}', "contains no nodes"),
    ('{"kind": "List"}', "no 'items' list"),
    ('{"kind": "List", "items": [{"kind": "Pod", "metadata": {"name": "p"}}]}', "a Pod, not a Node"),
    ('{"items": [{"kind": "Node", "metadata": {"name": "n1"}, "status": {}}]}', "node n1: no status.nodeInfo"),
    ('{"items": [{"kind": "Node", "metadata": {"name": "n1"}, "status": {"nodeInfo": {"kubeletVersion": "banana"}}}]}',
     "node n1: kubeletVersion"),
    ('{"items": [{"kind": "Node", "metadata": {"name": "n1"}, "status": {"nodeInfo": {}}}]}',
     "kubeletVersion is missing"),
    ("[1, 2]", "expected a Node list"),
])
def test_bad_nodes_files_name_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "nodes.json"
    path.write_text(content)
    with pytest.raises(InputError, match=message) as error:
        load_nodes(str(path))
    assert str(path) in str(error.value)
    assert "\n" not in str(error.value)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_nodes(str(tmp_path / "missing.json"))
    binary = tmp_path / "nodes.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="not UTF-8"):
        load_nodes(str(binary))
    with pytest.raises(InputError, match="cannot read"):
        load_version_info(str(tmp_path))


def test_bad_version_info(tmp_path: Path) -> None:
    path = tmp_path / "version.json"
    path.write_text('{"serverVersion": {"gitVersion": "latest"}}')
    with pytest.raises(InputError, match=r"serverVersion\.gitVersion"):
        load_version_info(str(path))
    path.write_text('{"hello": 1}')
    with pytest.raises(InputError, match="no clientVersion or serverVersion"):
        load_version_info(str(path))


def test_component_values() -> None:
    assert parse_component_value("--kubelet", "1.25") == (None, v("1.25"), "1.25")
    assert parse_component_value("--kubelet", "pool-a=v1.25.3") == ("pool-a", v("1.25"), "v1.25.3")
    with pytest.raises(InputError, match="--kubelet 'pool-a=latest'"):
        parse_component_value("--kubelet", "pool-a=latest")
    with pytest.raises(InputError, match="name missing"):
        parse_component_value("--kubelet", "=1.25")


def test_command_line_values_replace_file_values() -> None:
    state = build_state({"kube-apiserver": ["1.29"], "kubelet": ["worker-3=1.28"], "kube-proxy": ["worker-3=1.26"],
                         "kubectl": ["1.29"]},
                        nodes_files=[str(FIXTURES / "kubeadm" / "nodes.json")],
                        version_file=str(FIXTURES / "kubeadm" / "version.json"))
    assert [str(a.version) for a in state.apiservers] == ["1.29"]
    assert str(state.kubelet_on("worker-3").version) == "1.28"  # type: ignore[union-attr]
    proxy = [p for p in state.of("kube-proxy") if p.node == "worker-3"]
    assert [str(p.version) for p in proxy] == ["1.26"]
    assert [str(k.version) for k in state.of("kubectl")] == ["1.29"]


def test_duplicates_are_errors() -> None:
    with pytest.raises(InputError, match="given twice"):
        build_state({"kube-apiserver": ["cp-1=1.28", "cp-1=1.27"]})
    with pytest.raises(InputError, match="also listed"):
        path = str(FIXTURES / "kubeadm" / "nodes.json")
        build_state({}, nodes_files=[path, path])
