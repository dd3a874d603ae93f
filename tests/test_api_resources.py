"""data/api_resources.yaml (resource name -> kind) and data/system_clients.yaml: valid, covering every
API the table and the served-API data know, and read through the package like the other data."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from pluto_py.core.api_resources import load_api_resources, load_system_clients, resources_from_data
from pluto_py.core.table import TableError, load_builtin_table
from tests.conftest import REPO_ROOT

DATA = REPO_ROOT / "data"


def _load(name: str) -> object:
    return YAML(typ="safe", pure=True).load((DATA / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["api_resources", "system_clients"])
def test_data_file_matches_its_schema(name: str) -> None:
    schema = json.loads((DATA / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(_load(f"{name}.yaml"), schema)


# Configuration files (kubeadm, kube-scheduler, audit policy, kubelet, kube-proxy) have table rows but are
# never served.
CONFIGURATION_GROUPS = {"kubeadm.k8s.io", "kubescheduler.config.k8s.io", "audit.k8s.io", "componentconfig",
                        "kubeletconfig"}


def test_every_table_row_has_a_resource() -> None:
    resources = load_api_resources()
    missing = [(row.api_version, row.kind) for row in load_builtin_table()
               if row.component == "k8s" and row.api_version.rpartition("/")[0] not in CONFIGURATION_GROUPS
               and not resources.resources_of(row.api_version, row.kind)]
    assert missing == []


def test_every_served_kind_is_a_resource_or_a_subresource_kind() -> None:
    served = _load("served_apis.yaml")
    assert isinstance(served, dict)
    resources = load_api_resources()
    uncovered = sorted({(row["api_version"], row["kind"]) for row in served["apis"]
                        if not resources.resources_of(row["api_version"], row["kind"])
                        and (row["api_version"], row["kind"]) not in resources.subresource_kinds})
    assert uncovered == []


def test_known_plurals_and_scopes() -> None:
    resources = load_api_resources()
    ingress = resources.lookup("extensions/v1beta1", "ingresses")
    assert ingress is not None and ingress.kind == "Ingress" and ingress.namespaced
    assert resources.kind_of("v1", "endpoints") == "Endpoints"
    assert resources.kind_of("policy/v1beta1", "podsecuritypolicies") == "PodSecurityPolicy"
    psp = resources.lookup("policy/v1beta1", "podsecuritypolicies")
    assert psp is not None and not psp.namespaced
    assert resources.kind_of("flowcontrol.apiserver.k8s.io/v1beta3", "prioritylevelconfigurations") == \
        "PriorityLevelConfiguration"
    assert resources.kind_of("policy/v1beta1", "evictions") is None  # pods/eviction, not a resource
    assert "pods/eviction" in resources.subresource_kinds[("policy/v1beta1", "Eviction")]
    assert all(r.source.startswith("https://") for r in resources)


def test_system_clients_are_control_plane_identities() -> None:
    clients = load_system_clients()
    assert "system:serviceaccount:kube-system:generic-garbage-collector" in clients
    assert "system:apiserver" in clients
    assert all(user.startswith("system:") for user in clients)


def test_broken_resource_data_is_a_table_error() -> None:
    with pytest.raises(TableError, match="broken resource list"):
        resources_from_data({"resources": [{"api_version": "v1"}]}, "x.yaml")
    with pytest.raises(TableError, match="duplicate resource"):
        row = {"api_version": "v1", "resource": "pods", "kind": "Pod", "namespaced": True, "source": "https://x"}
        resources_from_data({"resources": [row, row]}, "x.yaml")


def test_the_generator_names_its_output() -> None:
    text = (DATA / "api_resources.yaml").read_text(encoding="utf-8")
    assert "generated_by: scripts/api_resources.py" in text
    assert Path(REPO_ROOT / "scripts" / "api_resources.py").is_file()
