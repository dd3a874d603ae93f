"""deploy/chart/kdeprecate: rendered by Helm's own engine, validated strictly, scanned by kdeprecate itself.

Helm's Go engine runs through helm-python-sdk (the test extra), as pluto_py.sources.helm calls it,
at two Kubernetes releases; every object passes kubernetes-validate's strict schema of that release.
The ServiceMonitor (a Prometheus Operator CRD, not in those schemas) is validated against
tests/schemas/servicemonitor.minimal.schema.json instead: the only kind treated apart.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from pluto_py.core.versions import parse_version
from pluto_py.sources.helm import ENGINE_ENV, ENGINE_SDK, RenderRequest, render_with_sdk, served_apis
from tests.conftest import REPO_ROOT, CliResult

Cli = Callable[..., CliResult]
CHART = REPO_ROOT / "deploy" / "chart" / "kdeprecate"
RBAC = REPO_ROOT / "deploy" / "rbac" / "clusterrole.yaml"
VERSIONS = ("1.25", "1.31")
NAMESPACE = "platform"
SERVICE_MONITOR_SCHEMA = json.loads((REPO_ROOT / "tests" / "schemas" / "servicemonitor.minimal.schema.json")
                                    .read_text(encoding="utf-8"))
VALUES: dict[str, tuple[str, ...]] = {
    "defaults": (),
    "serviceMonitor": ("serviceMonitor.enabled=true", "serviceMonitor.labels.release=kube-prometheus-stack"),
    "external": ("pushgateway.urlSecret.name=pushgateway", "pushgateway.cluster=prod-eu", "scan.target=1.31",
                 "scan.extraArgs={--namespace,shop}", "image.digest=sha256:" + "a" * 64, "timeZone=Europe/Berlin"),
}
BASE_KINDS = {"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "CronJob"}
READ_VERBS = {"get", "list", "watch"}
Objects = tuple[dict[str, Any], ...]


@pytest.fixture(autouse=True)
def _no_user_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("KDEPRECATE_"):
            monkeypatch.delenv(name, raising=False)


def render(version: str, *set_values: str) -> Objects:
    request = RenderRequest(CHART, f"v{version}.0", served_apis(parse_version(version)).api_versions,
                            set_values=set_values, release_name="kdeprecate", namespace=NAMESPACE)
    objects = []
    for name, text in sorted(render_with_sdk(request).manifests.items()):
        if not name.endswith("NOTES.txt"):
            objects.extend(doc for doc in yaml.safe_load_all(text) if doc)
    return tuple(objects)


@cache
def rendered(version: str, values: str) -> Objects:
    return render(version, *VALUES[values])


def one(objects: Objects, kind: str) -> dict[str, Any]:
    [found] = [obj for obj in objects if obj["kind"] == kind]
    return found


def pod_specs(objects: Objects) -> list[dict[str, Any]]:
    specs = [obj["spec"]["jobTemplate"]["spec"]["template"]["spec"] for obj in objects if obj["kind"] == "CronJob"]
    return specs + [obj["spec"]["template"]["spec"] for obj in objects if obj["kind"] == "Deployment"]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("values", sorted(VALUES))
def test_every_rendered_object_passes_strict_validation(version: str, values: str) -> None:
    objects = rendered(version, values)
    expected = BASE_KINDS | ({"Deployment", "Service", "ServiceMonitor"} if values == "serviceMonitor" else set())
    assert sorted(obj["kind"] for obj in objects) == sorted(expected)
    for obj in objects:
        if obj["kind"] == "ServiceMonitor":  # a CRD: not in kubernetes-validate's schemas
            jsonschema.Draft7Validator(SERVICE_MONITOR_SCHEMA).validate(obj)
        else:
            kubernetes_validate.validate(obj, version, strict=True)


def test_strict_validation_and_the_minimal_schema_do_reject_unknown_fields() -> None:
    cronjob = json.loads(json.dumps(one(rendered("1.31", "defaults"), "CronJob")))
    cronjob["spec"]["concurrencyPolicyy"] = "Forbid"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(cronjob, "1.31", strict=True)
    monitor = json.loads(json.dumps(one(rendered("1.31", "serviceMonitor"), "ServiceMonitor")))
    monitor["spec"]["endpoints"][0]["honourLabels"] = True
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SERVICE_MONITOR_SCHEMA).validate(monitor)


@pytest.mark.parametrize("values", sorted(VALUES))
def test_pods_meet_the_restricted_pod_security_standard(values: str) -> None:
    specs = pod_specs(rendered("1.31", values))
    assert len(specs) == (2 if values == "serviceMonitor" else 1)
    for spec in specs:
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] > 0
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert not {"hostNetwork", "hostPID", "hostIPC"} & set(spec)
        assert all(set(volume) - {"name"} <= {"emptyDir", "configMap", "secret", "projected"}
                   for volume in spec.get("volumes", []))
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False and context["readOnlyRootFilesystem"] is True
            assert context["capabilities"] == {"drop": ["ALL"]}
            assert context["seccompProfile"] == {"type": "RuntimeDefault"}
            assert "memory" in container["resources"]["limits"]


def test_cronjob_runs_the_cluster_scan_once_at_a_time_with_the_shipped_script() -> None:
    objects = rendered("1.25", "defaults")
    cronjob = one(objects, "CronJob")
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid" and cronjob["spec"]["schedule"] == "17 */6 * * *"
    spec = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    [container] = spec["containers"]
    assert container["command"] == ["python3", "/etc/kdeprecate/scan_and_push.py"]
    assert container["args"] == ["scan", "--cluster"]
    assert container["image"] == "ghcr.io/kdeprecate/kdeprecate:0.1.0"
    assert "PUSHGATEWAY_URL" not in {env["name"] for env in container["env"]}  # no Pushgateway: log only
    assert spec["restartPolicy"] == "Never" and spec["automountServiceAccountToken"] is True
    assert spec["serviceAccountName"] == one(objects, "ServiceAccount")["metadata"]["name"]
    mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
    volumes = {volume["name"]: volume for volume in spec["volumes"]}
    assert volumes[mounts["/etc/kdeprecate"]]["configMap"]["name"] == one(objects, "ConfigMap")["metadata"]["name"]
    assert "emptyDir" in volumes[mounts["/tmp"]]  # the only writable place (read-only root filesystem)
    script = (CHART / "files" / "scan_and_push.py").read_text(encoding="utf-8")
    assert one(objects, "ConfigMap")["data"]["scan_and_push.py"] == script


def test_values_reach_the_scan_and_the_push() -> None:
    cronjob = one(rendered("1.25", "external"), "CronJob")
    assert cronjob["spec"]["timeZone"] == "Europe/Berlin"
    [container] = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["scan", "--cluster", "--target", "1.31", "--namespace", "shop"]
    assert container["image"] == "ghcr.io/kdeprecate/kdeprecate@sha256:" + "a" * 64
    env = {item["name"]: item for item in container["env"]}
    assert env["PUSHGATEWAY_URL"]["valueFrom"] == {"secretKeyRef": {"name": "pushgateway", "key": "url"}}
    assert env["PUSHGATEWAY_CLUSTER"]["value"] == "prod-eu" and env["PUSHGATEWAY_JOB"]["value"] == "kdeprecate"


def test_service_monitor_scrapes_the_pushgateway_the_scan_pushes_to() -> None:
    objects = rendered("1.31", "serviceMonitor")
    deployment, service, monitor = (one(objects, kind) for kind in ("Deployment", "Service", "ServiceMonitor"))
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    [endpoint] = monitor["spec"]["endpoints"]
    [port] = service["spec"]["ports"]
    assert endpoint["port"] == port["name"] and endpoint["honorLabels"] is True
    [container] = one(objects, "CronJob")["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    url = {item["name"]: item.get("value") for item in container["env"]}["PUSHGATEWAY_URL"]
    assert url == f"http://{service['metadata']['name']}.{NAMESPACE}.svc:{port['port']}"
    assert deployment["spec"]["template"]["spec"]["automountServiceAccountToken"] is False


def test_cluster_role_is_deploy_rbac_read_only_role() -> None:
    [canonical] = [doc for doc in yaml.safe_load_all(RBAC.read_text(encoding="utf-8"))
                   if doc and doc.get("kind") == "ClusterRole"]
    # The chart reads its rules from files/clusterrole.yaml: an exact copy of deploy/rbac/clusterrole.yaml.
    assert (CHART / "files" / "clusterrole.yaml").read_bytes() == RBAC.read_bytes(), (
        "refresh it: cp deploy/rbac/clusterrole.yaml deploy/chart/kdeprecate/files/clusterrole.yaml")
    for version in VERSIONS:
        objects = rendered(version, "defaults")
        role, binding = one(objects, "ClusterRole"), one(objects, "ClusterRoleBinding")
        assert role["rules"] == canonical["rules"]
        assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                      "name": role["metadata"]["name"]}
        account = one(objects, "ServiceAccount")["metadata"]
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": account["name"], "namespace": NAMESPACE}]
    verbs = {verb for rule in canonical["rules"] for verb in rule["verbs"]}
    assert verbs and verbs <= READ_VERBS, f"write verbs in the ClusterRole: {sorted(verbs - READ_VERBS)}"


def test_cluster_role_rules_come_from_the_rbac_file_whatever_else_it_holds(tmp_path: Path) -> None:
    chart = tmp_path / "kdeprecate"
    shutil.copytree(CHART, chart)
    rules = [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list"]}]
    (chart / "files" / "clusterrole.yaml").write_text(yaml.safe_dump_all([
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "x"}, "rules": "not these"},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "x"},
         "rules": rules}]))
    request = RenderRequest(chart, "v1.31.0", (), release_name="kdeprecate", namespace=NAMESPACE)
    role = yaml.safe_load(render_with_sdk(request).manifests["kdeprecate/templates/clusterrole.yaml"])
    assert role["rules"] == rules
    (chart / "files" / "clusterrole.yaml").write_text("# nothing\n")
    with pytest.raises(RuntimeError, match="must hold a ClusterRole with rules"):
        render_with_sdk(request)


def test_every_api_the_chart_uses_is_served_from_its_kube_version_floor() -> None:
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text(encoding="utf-8"))
    assert chart["apiVersion"] == "v2" and chart["kubeVersion"] == ">=1.21.0-0"
    served = set(served_apis(parse_version("1.21")).api_versions)
    used = {f"{obj['apiVersion']}/{obj['kind']}" for values in VALUES for obj in rendered("1.31", values)}
    assert used - served == {"monitoring.coreos.com/v1/ServiceMonitor"}


@pytest.mark.parametrize("bad, message", [
    (("pushgateway.url=http://pushgateway.monitoring:9091", "serviceMonitor.enabled=true"), "not both"),
    (("serviceMonitor.enable=true",), "additional properties 'enable' not allowed"),
    (("pushgateway.url=pushgateway:9091",), "does not match pattern"),
    (("serviceAccount.create=false",), "serviceAccount.name is required"),
])
def test_wrong_values_fail_the_install_with_a_reason(bad: tuple[str, ...], message: str) -> None:
    with pytest.raises(RuntimeError, match=message):
        render("1.31", *bad)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("values", ["defaults", "serviceMonitor"])
def test_kdeprecate_finds_nothing_in_its_own_chart(version: str, values: str, cli: Cli,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_ENV, ENGINE_SDK)
    monkeypatch.chdir(REPO_ROOT)
    options = [item for value in VALUES[values] for item in ("--set", value)]
    result = cli("scan", "deploy/chart/kdeprecate", "--no-config", "--target", version, "--fail-on", "deprecated",
                 "-o", "json", *options)
    assert result.code == 0, result.stdout + result.stderr
    report = result.json()
    assert report["findings"] == [] and report["errors"] == [] and report["notices"] == []
    assert report["summary"]["documents"] == len(rendered(version, values))

