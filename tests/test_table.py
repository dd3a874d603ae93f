"""The built-in API table: schema, invariants, coverage, spot-checked facts, served-API consistency."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from ruamel.yaml import YAML

from pluto_py.core.table import (
    TableError,
    builtin_data_path,
    load_builtin_table,
    table_from_data,
    validate_table_data,
)
from pluto_py.core.versions import KubeVersion, parse_version

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
COVERS = KubeVersion(1, 37)
# Configuration file formats (kubeadm, kube-scheduler, audit policy, the kubelet's and kube-proxy's
# pre-beta groups): never served by the API server, so the served-API data says nothing about them;
# each of their rows cites its own source.
CONFIG_GROUPS = {"kubeadm.k8s.io", "kubescheduler.config.k8s.io", "audit.k8s.io", "componentconfig", "kubeletconfig"}


def _is_config(row: Any) -> bool:
    return row["api_version"].rpartition("/")[0] in CONFIG_GROUPS


def _load_yaml(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def _intermediate_served(row: dict[str, Any], removed: KubeVersion) -> bool:
    served = _load_yaml(builtin_data_path("served_apis.yaml"))
    group = row["api_version"].rpartition("/")[0]
    others = {e["api_version"] for e in served["apis"] if e["kind"] == row["kind"]}
    return any(
        removed.bump(-1) in _served_releases(served, other, row["kind"])
        for other in others
        if other != row["api_version"] and other.rpartition("/")[0] == group and other != row["replacement"]
    )


@pytest.fixture(scope="module")
def raw_table() -> Any:
    return _load_yaml(builtin_data_path("api_versions.yaml"))


@pytest.fixture(scope="module")
def served() -> Any:
    return _load_yaml(builtin_data_path("served_apis.yaml"))


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _v(text: str | None) -> KubeVersion | None:
    return None if text is None else parse_version(text)


def _served_releases(served: Any, api_version: str, kind: str) -> set[KubeVersion]:
    last = parse_version(served["releases"]["last"])
    releases: set[KubeVersion] = set()
    for entry in served["apis"]:
        if (entry["api_version"], entry["kind"]) != (api_version, kind):
            continue
        start = parse_version(entry["first"])
        end = last if entry["last"] is None else parse_version(entry["last"])
        releases.update(KubeVersion(1, minor) for minor in range(start.minor, end.minor + 1))
    return releases


# --- format and invariants -------------------------------------------------------------------------


def test_builtin_file_validates_against_the_json_schema(raw_table: Any) -> None:
    validate_table_data(raw_table, "api_versions.yaml")


def test_header(raw_table: Any) -> None:
    assert raw_table["schema_version"] == 1
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw_table["data_version"])
    assert raw_table["covers"] == "1.37"
    assert raw_table["sources"], "the table names its sources"


def test_loader_reads_the_builtin_table() -> None:
    table = load_builtin_table()
    assert len(table) > 100
    assert table.newest == COVERS, "no row may push the default target past the covered release"


def test_no_duplicate_rows(raw_table: Any) -> None:
    counts = Counter((row["api_version"], row["kind"]) for row in raw_table["apis"])
    assert [key for key, n in counts.items() if n > 1] == []


def test_versions_are_quoted_major_minor_strings(raw_table: Any) -> None:
    for row in raw_table["apis"]:
        for field in ("deprecated_in", "removed_in", "replacement_available_in"):
            value = row[field]
            assert value is None or (isinstance(value, str) and re.fullmatch(r"1\.\d+", value)), (row, field)
            assert value is None or parse_version(value) <= COVERS, (row, field)


def test_orderings(raw_table: Any) -> None:
    for row in raw_table["apis"]:
        deprecated, removed = _v(row["deprecated_in"]), _v(row["removed_in"])
        available = _v(row["replacement_available_in"])
        assert deprecated is not None or removed is not None, f"{row}: a row says something is deprecated or removed"
        if deprecated and removed:
            assert deprecated <= removed, row
        if available and removed and available > removed and not _is_config(row):
            # The replacement is the version to move to TODAY; it may postdate the removal when an
            # intermediate version was itself removed later (flowcontrol v1beta1 -> v1beta2/v1beta3 -> v1)
            # or when an alpha was dropped before its successor existed.
            assert "alpha" in row["api_version"] or _intermediate_served(row, removed), row
        assert (row["replacement"] is None) == (available is None), row
        assert row["component"] == "k8s"
        assert row.get("notes", "").strip(), f"{row['api_version']} {row['kind']}: notes say what to change"


def test_replacement_is_a_different_api_version(raw_table: Any) -> None:
    for row in raw_table["apis"]:
        if row["replacement"] is not None:
            assert (row["replacement"], row.get("replacement_kind", row["kind"])) != (row["api_version"], row["kind"])


def test_loader_rejects_a_duplicate_and_an_inverted_row() -> None:
    row = {
        "api_version": "apps/v1beta1",
        "kind": "Deployment",
        "deprecated_in": "1.8",
        "removed_in": "1.16",
        "replacement": "apps/v1",
        "replacement_available_in": "1.9",
        "component": "k8s",
    }
    with pytest.raises(TableError, match="duplicate"):
        table_from_data({"schema_version": 1, "apis": [row, dict(row)]}, "t")
    with pytest.raises(TableError, match="after removed_in"):
        table_from_data({"schema_version": 1, "apis": [dict(row, deprecated_in="1.20")]}, "t")
    with pytest.raises(TableError):
        validate_table_data({"schema_version": 1, "apis": [dict(row, removed_in=1.16)]}, "t")


# --- coverage --------------------------------------------------------------------------------------

# The Deprecated API Migration Guide, release by release. The guide's 1.16 section also names
# apps/v1beta1 ReplicaSet, which no release ever served (apps/v1beta1 had no ReplicaSet kind), so
# the table has no row for it.
GUIDE: dict[str, set[tuple[str, str]]] = {
    "1.16": {
        ("extensions/v1beta1", "DaemonSet"),
        ("extensions/v1beta1", "Deployment"),
        ("extensions/v1beta1", "ReplicaSet"),
        ("extensions/v1beta1", "NetworkPolicy"),
        ("extensions/v1beta1", "PodSecurityPolicy"),
        ("apps/v1beta1", "Deployment"),
        ("apps/v1beta1", "StatefulSet"),
        ("apps/v1beta1", "ControllerRevision"),
        ("apps/v1beta2", "DaemonSet"),
        ("apps/v1beta2", "Deployment"),
        ("apps/v1beta2", "ReplicaSet"),
        ("apps/v1beta2", "StatefulSet"),
        ("apps/v1beta2", "ControllerRevision"),
    },
    "1.22": {
        ("admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration"),
        ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
        ("apiregistration.k8s.io/v1beta1", "APIService"),
        ("authentication.k8s.io/v1beta1", "TokenReview"),
        ("authorization.k8s.io/v1beta1", "LocalSubjectAccessReview"),
        ("authorization.k8s.io/v1beta1", "SelfSubjectAccessReview"),
        ("authorization.k8s.io/v1beta1", "SelfSubjectRulesReview"),
        ("authorization.k8s.io/v1beta1", "SubjectAccessReview"),
        ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"),
        ("coordination.k8s.io/v1beta1", "Lease"),
        ("extensions/v1beta1", "Ingress"),
        ("networking.k8s.io/v1beta1", "Ingress"),
        ("networking.k8s.io/v1beta1", "IngressClass"),
        ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"),
        ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"),
        ("rbac.authorization.k8s.io/v1beta1", "Role"),
        ("rbac.authorization.k8s.io/v1beta1", "RoleBinding"),
        ("scheduling.k8s.io/v1beta1", "PriorityClass"),
        ("storage.k8s.io/v1beta1", "CSIDriver"),
        ("storage.k8s.io/v1beta1", "CSINode"),
        ("storage.k8s.io/v1beta1", "StorageClass"),
        ("storage.k8s.io/v1beta1", "VolumeAttachment"),
    },
    "1.25": {
        ("batch/v1beta1", "CronJob"),
        ("discovery.k8s.io/v1beta1", "EndpointSlice"),
        ("events.k8s.io/v1beta1", "Event"),
        ("autoscaling/v2beta1", "HorizontalPodAutoscaler"),
        ("policy/v1beta1", "PodDisruptionBudget"),
        ("policy/v1beta1", "PodSecurityPolicy"),
        ("node.k8s.io/v1beta1", "RuntimeClass"),
    },
    "1.26": {
        ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"),
        ("flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration"),
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler"),
    },
    "1.27": {("storage.k8s.io/v1beta1", "CSIStorageCapacity")},
    "1.29": {
        ("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema"),
        ("flowcontrol.apiserver.k8s.io/v1beta2", "PriorityLevelConfiguration"),
    },
    "1.32": {
        ("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema"),
        ("flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration"),
    },
}

# Alpha (and the one non-guide beta family) removed in the same releases: not in the guide.
NOT_IN_GUIDE: dict[str, set[tuple[str, str]]] = {
    "1.16": set(),
    "1.22": set(),
    "1.25": set(),
    "1.26": set(),
    "1.27": {
        ("resource.k8s.io/v1alpha1", "PodScheduling"),
        ("resource.k8s.io/v1alpha1", "ResourceClaim"),
        ("resource.k8s.io/v1alpha1", "ResourceClaimTemplate"),
        ("resource.k8s.io/v1alpha1", "ResourceClass"),
    },
    "1.29": {("networking.k8s.io/v1alpha1", "ClusterCIDR")},
    "1.32": {
        ("admissionregistration.k8s.io/v1alpha1", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io/v1alpha1", "ValidatingAdmissionPolicyBinding"),
        ("authentication.k8s.io/v1alpha1", "SelfSubjectReview"),
        ("coordination.k8s.io/v1alpha1", "LeaseCandidate"),
        ("resource.k8s.io/v1alpha3", "PodSchedulingContext"),
    },
}


@pytest.mark.parametrize("release", ["1.16", "1.22", "1.25", "1.26", "1.27", "1.29", "1.32"])
def test_each_guide_release_has_exactly_the_guide_kinds(raw_table: Any, release: str) -> None:
    removed = {(row["api_version"], row["kind"]) for row in raw_table["apis"]
               if row["removed_in"] == release and not _is_config(row)}
    assert removed == GUIDE[release] | NOT_IN_GUIDE[release]
    for api_version, _ in NOT_IN_GUIDE[release]:
        assert "alpha" in api_version


OTHER_REMOVALS = {
    "1.9": {("admissionregistration.k8s.io/v1alpha1", "ExternalAdmissionHookConfiguration")},
    "1.14": {("admissionregistration.k8s.io/v1alpha1", "InitializerConfiguration")},
    "1.17": {("discovery.k8s.io/v1alpha1", "EndpointSlice")},
    "1.19": {("auditregistration.k8s.io/v1alpha1", "AuditSink")},
    "1.20": {("settings.k8s.io/v1alpha1", "PodPreset")},
    "1.21": {
        ("batch/v2alpha1", "CronJob"),
        ("flowcontrol.apiserver.k8s.io/v1alpha1", "FlowSchema"),
        ("flowcontrol.apiserver.k8s.io/v1alpha1", "PriorityLevelConfiguration"),
    },
    "1.23": {
        ("rbac.authorization.k8s.io/v1alpha1", "ClusterRole"),
        ("rbac.authorization.k8s.io/v1alpha1", "ClusterRoleBinding"),
        ("rbac.authorization.k8s.io/v1alpha1", "Role"),
        ("rbac.authorization.k8s.io/v1alpha1", "RoleBinding"),
        ("scheduling.k8s.io/v1alpha1", "PriorityClass"),
        ("storage.k8s.io/v1alpha1", "VolumeAttachment"),
    },
    "1.24": {("node.k8s.io/v1alpha1", "RuntimeClass"), ("storage.k8s.io/v1alpha1", "CSIStorageCapacity")},
    "1.31": {
        ("networking.k8s.io/v1alpha1", "IPAddress"),
        ("networking.k8s.io/v1alpha1", "ServiceCIDR"),
        ("resource.k8s.io/v1alpha2", "PodSchedulingContext"),
        ("resource.k8s.io/v1alpha2", "ResourceClaim"),
        ("resource.k8s.io/v1alpha2", "ResourceClaimParameters"),
        ("resource.k8s.io/v1alpha2", "ResourceClaimTemplate"),
        ("resource.k8s.io/v1alpha2", "ResourceClass"),
        ("resource.k8s.io/v1alpha2", "ResourceClassParameters"),
        ("resource.k8s.io/v1alpha2", "ResourceSlice"),
    },
    "1.33": {("authentication.k8s.io/v1beta1", "SelfSubjectReview")},
    "1.34": {
        ("admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicyBinding"),
        ("resource.k8s.io/v1alpha3", "DeviceClass"),
        ("resource.k8s.io/v1alpha3", "ResourceClaim"),
        ("resource.k8s.io/v1alpha3", "ResourceClaimTemplate"),
        ("resource.k8s.io/v1alpha3", "ResourceSlice"),
    },
    "1.35": {
        ("certificates.k8s.io/v1alpha1", "PodCertificateRequest"),
        ("storage.k8s.io/v1alpha1", "VolumeAttributesClass"),
        ("storagemigration.k8s.io/v1alpha1", "StorageVersionMigration"),
    },
    "1.36": {("scheduling.k8s.io/v1alpha1", "Workload")},
    "1.37": {
        ("certificates.k8s.io/v1alpha1", "ClusterTrustBundle"),
        ("networking.k8s.io/v1beta1", "IPAddress"),
        ("networking.k8s.io/v1beta1", "ServiceCIDR"),
        ("storage.k8s.io/v1beta1", "VolumeAttributesClass"),
        ("scheduling.k8s.io/v1alpha2", "PodGroup"),
        ("scheduling.k8s.io/v1alpha2", "Workload"),
    },
}

DEPRECATED_STILL_SERVED = {
    ("v1", "ComponentStatus"),
    ("v1", "Endpoints"),
    ("admissionregistration.k8s.io/v1alpha1", "MutatingAdmissionPolicy"),
    ("admissionregistration.k8s.io/v1alpha1", "MutatingAdmissionPolicyBinding"),
    ("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicy"),
    ("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicyBinding"),
    ("certificates.k8s.io/v1beta1", "ClusterTrustBundle"),
    ("certificates.k8s.io/v1beta1", "PodCertificateRequest"),
    ("storagemigration.k8s.io/v1beta1", "StorageVersionMigration"),
    ("coordination.k8s.io/v1alpha2", "LeaseCandidate"),
    ("coordination.k8s.io/v1beta1", "LeaseCandidate"),
    ("resource.k8s.io/v1alpha3", "DeviceTaintRule"),
    ("resource.k8s.io/v1beta1", "DeviceClass"),
    ("resource.k8s.io/v1beta1", "ResourceClaim"),
    ("resource.k8s.io/v1beta1", "ResourceClaimTemplate"),
    ("resource.k8s.io/v1beta1", "ResourceSlice"),
    ("resource.k8s.io/v1beta2", "DeviceClass"),
    ("resource.k8s.io/v1beta2", "ResourceClaim"),
    ("resource.k8s.io/v1beta2", "ResourceClaimTemplate"),
    ("resource.k8s.io/v1beta2", "ResourceSlice"),
}


def test_every_removal_release_is_accounted_for(raw_table: Any) -> None:
    expected: dict[str, set[tuple[str, str]]] = {}
    for source in (GUIDE, NOT_IN_GUIDE, OTHER_REMOVALS):
        for release, keys in source.items():
            expected.setdefault(release, set()).update(keys)
    actual: dict[str, set[tuple[str, str]]] = {}
    for row in raw_table["apis"]:
        if row["removed_in"] is not None and not _is_config(row):
            actual.setdefault(row["removed_in"], set()).add((row["api_version"], row["kind"]))
    assert actual == expected


def test_deprecated_but_still_served_rows(raw_table: Any) -> None:
    table = load_builtin_table()
    warned = {row.key for row in table if row.status_at(COVERS) == "deprecated" and row.group not in CONFIG_GROUPS}
    assert warned == DEPRECATED_STILL_SERVED


# Configuration files: the release whose component no longer reads each version (their own sources).
CONFIG_REMOVALS = {
    ("audit.k8s.io/v1alpha1", "Policy"): ("1.21", "1.24"),
    ("audit.k8s.io/v1beta1", "Policy"): ("1.21", "1.24"),
    ("kubeadm.k8s.io/v1alpha1", "MasterConfiguration"): ("1.11", "1.12"),
    ("kubeadm.k8s.io/v1alpha2", "NodeConfiguration"): ("1.12", "1.13"),
    ("kubeadm.k8s.io/v1alpha3", "InitConfiguration"): ("1.13", "1.14"),
    ("kubeadm.k8s.io/v1beta1", "ClusterConfiguration"): ("1.17", "1.22"),
    ("kubeadm.k8s.io/v1beta2", "JoinConfiguration"): ("1.24", "1.27"),
    ("kubeadm.k8s.io/v1beta3", "ClusterConfiguration"): ("1.31", "1.36"),
    ("kubescheduler.config.k8s.io/v1beta1", "KubeSchedulerConfiguration"): (None, "1.23"),
    ("kubescheduler.config.k8s.io/v1beta2", "KubeSchedulerConfiguration"): ("1.25", "1.28"),
    ("kubescheduler.config.k8s.io/v1beta3", "KubeSchedulerConfiguration"): ("1.26", "1.29"),
}


@pytest.mark.parametrize("key", sorted(CONFIG_REMOVALS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_configuration_file_rows(key: tuple[str, str]) -> None:
    row = load_builtin_table().lookup(*key)
    assert row is not None and (row.deprecated_in, row.removed_in) == tuple(_v(v) for v in CONFIG_REMOVALS[key])


def test_configuration_file_rows_cite_their_sources(raw_table: Any) -> None:
    config = [row for row in raw_table["apis"] if _is_config(row)]
    assert len(config) >= len(CONFIG_REMOVALS)
    assert all(str(row.get("source", "")).startswith("https://") for row in config)


# --- spot-checked facts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("api_version", "kind", "deprecated", "removed", "replacement", "available"),
    [
        ("extensions/v1beta1", "Ingress", "1.14", "1.22", "networking.k8s.io/v1", "1.19"),
        ("networking.k8s.io/v1beta1", "Ingress", "1.19", "1.22", "networking.k8s.io/v1", "1.19"),
        ("extensions/v1beta1", "Deployment", "1.8", "1.16", "apps/v1", "1.9"),
        ("apps/v1beta2", "StatefulSet", "1.9", "1.16", "apps/v1", "1.9"),
        ("policy/v1beta1", "PodSecurityPolicy", "1.21", "1.25", None, None),
        ("extensions/v1beta1", "PodSecurityPolicy", "1.11", "1.16", None, None),
        (
            "flowcontrol.apiserver.k8s.io/v1beta1",
            "FlowSchema",
            "1.23",
            "1.26",
            "flowcontrol.apiserver.k8s.io/v1",
            "1.29",
        ),
        (
            "flowcontrol.apiserver.k8s.io/v1beta2",
            "PriorityLevelConfiguration",
            "1.26",
            "1.29",
            "flowcontrol.apiserver.k8s.io/v1",
            "1.29",
        ),
        (
            "flowcontrol.apiserver.k8s.io/v1beta3",
            "FlowSchema",
            "1.29",
            "1.32",
            "flowcontrol.apiserver.k8s.io/v1",
            "1.29",
        ),
        ("batch/v1beta1", "CronJob", "1.21", "1.25", "batch/v1", "1.21"),
        ("autoscaling/v2beta1", "HorizontalPodAutoscaler", "1.22", "1.25", "autoscaling/v2", "1.23"),
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.23", "1.26", "autoscaling/v2", "1.23"),
        ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", "1.16", "1.22", "apiextensions.k8s.io/v1", "1.16"),
        ("storage.k8s.io/v1beta1", "CSIStorageCapacity", "1.24", "1.27", "storage.k8s.io/v1", "1.24"),
        ("settings.k8s.io/v1alpha1", "PodPreset", None, "1.20", None, None),
        (
            "admissionregistration.k8s.io/v1beta1",
            "ValidatingAdmissionPolicy",
            "1.31",
            "1.34",
            "admissionregistration.k8s.io/v1",
            "1.30",
        ),
        (
            "admissionregistration.k8s.io/v1beta1",
            "MutatingAdmissionPolicy",
            "1.37",
            None,
            "admissionregistration.k8s.io/v1",
            "1.36",
        ),
        ("resource.k8s.io/v1beta1", "ResourceClaim", "1.35", None, "resource.k8s.io/v1", "1.34"),
        ("coordination.k8s.io/v1beta1", "LeaseCandidate", "1.36", None, None, None),
    ],
)
def test_spot_checked_facts(
    api_version: str,
    kind: str,
    deprecated: str | None,
    removed: str | None,
    replacement: str | None,
    available: str | None,
) -> None:
    row = load_builtin_table().lookup(api_version, kind)
    assert row is not None
    assert (row.deprecated_in, row.removed_in) == (_v(deprecated), _v(removed))
    assert (row.replacement, row.replacement_available_in) == (replacement, _v(available))


def test_endpoints_point_at_endpointslice() -> None:
    row = load_builtin_table().lookup("v1", "Endpoints")
    assert row is not None
    assert (row.replacement, row.replacement_kind) == ("discovery.k8s.io/v1", "EndpointSlice")


# --- consistency with the served-API data ----------------------------------------------------------


def test_served_file_header(served: Any) -> None:
    assert served["schema_version"] == 1
    assert served["releases"] == {"first": "1.9", "last": "1.37"}
    assert served["generated_by"].startswith("scripts/served_apis.py")
    for entry in served["apis"]:
        assert not entry["kind"].endswith("List")
        assert entry["kind"] not in {"DeleteOptions", "WatchEvent", "Status", "APIResourceList"}


def test_served_data_knows_current_apis(served: Any) -> None:
    assert KubeVersion(1, 37) in _served_releases(served, "apps/v1", "Deployment")
    assert _served_releases(served, "extensions/v1beta1", "Ingress") == {KubeVersion(1, m) for m in range(9, 22)}


def test_every_row_is_served_before_its_removal(raw_table: Any, served: Any) -> None:
    first = parse_version(served["releases"]["first"])
    for row in raw_table["apis"]:
        if _is_config(row):
            continue
        removed = _v(row["removed_in"])
        releases = _served_releases(served, row["api_version"], row["kind"])
        if removed is None:
            assert COVERS in releases, row
        elif removed > first:
            assert removed.bump(-1) in releases, row


def test_replacements_are_still_served(raw_table: Any, served: Any) -> None:
    for row in raw_table["apis"]:
        if row["replacement"] is None or _is_config(row):
            continue
        kind = row.get("replacement_kind", row["kind"])
        releases = _served_releases(served, row["replacement"], kind)
        assert COVERS in releases, f"{row['api_version']} {row['kind']}: replacement {row['replacement']} is gone"
        available = parse_version(row["replacement_available_in"])
        if available >= KubeVersion(1, 11):  # aggregator/CRD groups are absent from the 1.9-1.10 specs
            assert available in releases, row


# --- the cross-check script ------------------------------------------------------------------------


def test_check_table_script_is_clean_on_the_shipped_data() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / "check_table.py"), "-q"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 disagreement(s)" in result.stdout


def test_check_table_script_is_clean_on_the_installed_schemas() -> None:
    """Offline, from the installed kubernetes-validate only (it ships 1.25+; older releases need old wheels)."""
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / "check_table.py"), "-q", "--schemas"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_table_finds_planted_mistakes(raw_table: Any) -> None:
    check_table = _script("check_table")
    served = check_table.served_from_file(builtin_data_path("served_apis.yaml"))
    rows = [dict(row) for row in raw_table["apis"]]
    for row in rows:
        if (row["api_version"], row["kind"]) == ("extensions/v1beta1", "Ingress"):
            row["removed_in"] = "1.21"
        if (row["api_version"], row["kind"]) == ("batch/v1beta1", "CronJob"):
            row["replacement_available_in"] = "1.20"
    rows = [row for row in rows if (row["api_version"], row["kind"]) != ("settings.k8s.io/v1alpha1", "PodPreset")]
    errors = "\n".join(check_table.check(rows, served).errors)
    assert "extensions/v1beta1 Ingress: removed_in 1.21 but still served in 1.21" in errors
    assert (
        "batch/v1beta1 CronJob: replacement batch/v1 CronJob is not served at replacement_available_in 1.20" in errors
    )
    assert "settings.k8s.io/v1alpha1 PodPreset: served until 1.19, gone in 1.20, but has no row" in errors


def test_served_apis_script_reads_the_installed_schemas(tmp_path: Path) -> None:
    served_apis = _script("served_apis")
    releases = served_apis.merge_sources([served_apis.installed_schema_dir()])
    assert (1, 37) in releases
    kinds = releases[(1, 37)].kinds
    assert ("apps/v1", "Deployment") in kinds
    assert not any(kind.endswith("List") or kind == "DeleteOptions" for _, kind in kinds)
    out = tmp_path / "served.yaml"
    assert served_apis.main(["--installed", "--first", "1.25", "-o", str(out)]) == 0
    data = _load_yaml(out)
    assert data["releases"] == {"first": "1.25", "last": "1.37"}


def test_served_data_loads_through_the_one_loader() -> None:
    """Chart rendering and fix --from read data/served_apis.yaml through pluto_py.core.served."""
    from pluto_py.core.served import load_served
    from pluto_py.core.versions import parse_version

    served = load_served()
    assert served is not None and str(served.first) == "1.9" and served.last == load_builtin_table().newest
    v = parse_version
    assert served.served("extensions/v1beta1", "Ingress", v("1.21")) is True
    assert served.served("extensions/v1beta1", "Ingress", v("1.22")) is False
    assert served.served("networking.k8s.io/v1", "Ingress", v("1.18")) is False
    assert served.first_served("networking.k8s.io/v1", "Ingress") == v("1.19")
    assert served.served("v1", "ConfigMap", v("1.8")) is None  # before the data starts
    at_1_25 = served.api_versions_at(v("1.25"))
    assert "policy/v1/PodDisruptionBudget" in at_1_25 and "policy/v1beta1/PodDisruptionBudget" not in at_1_25
    assert served.covered_release(v("1.99"))[0] == served.last
