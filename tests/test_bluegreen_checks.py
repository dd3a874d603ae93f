"""Each blue/green check: a case that fires and one that must not, on small cluster descriptions."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from typing import Any

import pytest

from pluto_py.bluegreen.checks import CHECK_IDS, CHECKS, AddonVerdict, CheckContext, check_by_id, run_checks
from pluto_py.bluegreen.checks.addon_unsupported import load_addon_support
from pluto_py.bluegreen.model import (
    BLOCKER,
    BLUE,
    GREEN,
    WARNING,
    ApiResource,
    CheckResult,
    ClusterObject,
    ClusterView,
    NotChecked,
    Where,
)
from pluto_py.core.model import SOURCE_FILE, SOURCE_LAST_APPLIED
from pluto_py.core.table import load_table
from pluto_py.core.versions import KubeVersion, parse_version

TABLE = load_table([])
V124, V129 = parse_version("1.24"), parse_version("1.29")


def obj(kind: str, name: str, namespace: str | None = None, *, api_version: str = "v1",
        applied_as: str | None = None, live: bool = True, spec: dict[str, Any] | None = None,
        status: dict[str, Any] | None = None, labels: dict[str, str] | None = None, owned: bool = False,
        extra: dict[str, Any] | None = None, path: str = "dump.yaml") -> ClusterObject:
    """An object as a dump shows it (``live``), with the configuration it was applied as (``applied_as``)."""
    metadata: dict[str, Any] = {"name": name, "uid": f"uid-{name}"}
    if namespace:
        metadata["namespace"] = namespace
    if labels:
        metadata["labels"] = labels
    if owned:
        metadata["ownerReferences"] = [{"kind": "Owner", "name": "o"}]
    data: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": metadata, **(extra or {})}
    if spec is not None:
        data["spec"] = spec
    if status is not None:
        data["status"] = status
    applied = None
    if applied_as is not None:
        applied = {**data, "apiVersion": applied_as, "metadata": {"name": name, "namespace": namespace}}
        applied.pop("status", None)
    if not live:
        return ClusterObject(kind, name, namespace, None, applied or data, Where(path, 1, SOURCE_FILE))
    source = SOURCE_LAST_APPLIED if applied is not None else "cluster"
    return ClusterObject(kind, name, namespace, data, applied, Where(path, 1, source))


def view(side: str, *objects: ClusterObject, version: KubeVersion | None = None,
         discovered: Iterable[ApiResource] = (), group_versions: Iterable[str] | None = None,
         objects_known: bool = True) -> ClusterView:
    found: dict[str, dict[str, ApiResource]] = {}
    for resource in discovered:
        found.setdefault(resource.group_version, {})[resource.kind] = resource
    return ClusterView(side, version=version, described_by=("test",), discovered=found,
                       group_versions=None if group_versions is None else frozenset(group_versions),
                       objects=tuple(objects) if objects_known else None)


def check(check_id: str, blue: ClusterView, green: ClusterView,
          addons: Any = None) -> list[CheckResult] | NotChecked:
    results, not_checked = run_checks(CheckContext(blue, green, TABLE, addons), [check_by_id(check_id)])
    return not_checked[0] if not_checked else results


def results(check_id: str, blue: ClusterView, green: ClusterView, addons: Any = None) -> list[CheckResult]:
    found = check(check_id, blue, green, addons)
    assert isinstance(found, list), found
    return found


def ns(name: str, labels: dict[str, str] | None = None) -> ClusterObject:
    return obj("Namespace", name, labels=labels)


def deployment(namespace: str, name: str, image: str = "app:1", *, replicas: int = 2,
               available: int | None = None, applied_as: str | None = "apps/v1",
               volumes: list[dict[str, Any]] | None = None) -> ClusterObject:
    pod: dict[str, Any] = {"containers": [{"name": "app", "image": image}]}
    if volumes:
        pod["volumes"] = volumes
    status = None if available is None else {"availableReplicas": available, "replicas": replicas}
    return obj("Deployment", name, namespace, api_version="apps/v1", applied_as=applied_as, status=status,
               spec={"replicas": replicas, "template": {"spec": pod}})


def crd(group: str, kind: str, plural: str, served: list[str], storage: str) -> ClusterObject:
    return obj("CustomResourceDefinition", f"{plural}.{group}", api_version="apiextensions.k8s.io/v1",
               spec={"group": group, "names": {"kind": kind, "plural": plural},
                     "versions": [{"name": v, "served": v in served, "storage": v == storage} for v in served]})


# --- the registry ------------------------------------------------------------------------------------


def test_registry_holds_every_contract_id_once_in_install_order() -> None:
    assert CHECK_IDS == ("namespace-missing", "crd-missing", "crd-version-not-served", "apiservice-missing",
                         "webhook-no-backend", "api-not-served", "psp-without-psa", "workload-missing",
                         "workload-not-ready", "image-drift", "stateful-data", "addon-unsupported")
    assert all(c.severity in (BLOCKER, WARNING) and c.summary.endswith(".") and c.help for c in CHECKS)


def test_every_check_is_a_registered_rule_whose_level_is_its_severity() -> None:
    """SARIF, JUnit and GitHub reports take a check's texts from the rule registry (core/rules.py)."""
    from pluto_py.core.rules import RULES

    for check in CHECKS:
        registered = RULES[check.id]
        assert registered.level == ("error" if check.severity == BLOCKER else "warning"), check.id
        assert (check.summary, check.help) == (registered.short, registered.help)
    assert [code for code in RULES if code in CHECK_IDS] == list(CHECK_IDS)  # docs/rules.md: the install order too


# --- namespace-missing ---------------------------------------------------------------------------------


def test_namespace_missing_fires_for_a_namespace_with_objects_and_warns_for_an_empty_one() -> None:
    blue = view(BLUE, ns("legacy"), ns("empty"), ns("kube-system"), deployment("legacy", "worker"))
    green = view(GREEN, ns("shop"))
    found = results("namespace-missing", blue, green)
    assert [(r.object.name, r.severity) for r in found] == [("empty", WARNING), ("legacy", BLOCKER)]
    assert "holds 1 object on blue (Deployment)" in found[1].message


def test_namespace_missing_is_quiet_when_green_has_it_and_not_checked_without_green_namespaces() -> None:
    blue = view(BLUE, ns("shop"), deployment("shop", "web"))
    assert results("namespace-missing", blue, view(GREEN, ns("shop"))) == []
    not_checked = check("namespace-missing", blue, view(GREEN, deployment("shop", "web")))
    assert isinstance(not_checked, NotChecked) and "needs green's namespaces" in not_checked.reason


# --- crd-missing / crd-version-not-served ----------------------------------------------------------------


WIDGET = crd("example.com", "Widget", "widgets", ["v1"], "v1")


def test_crd_missing_names_the_crd_and_install_order() -> None:
    blue = view(BLUE, WIDGET, obj("Widget", "w1", "shop", api_version="example.com/v1", applied_as="example.com/v1"))
    green = view(GREEN, crd("other.io", "Thing", "things", ["v1"], "v1"))
    [found] = results("crd-missing", blue, green)
    assert (found.severity, found.object.kind, found.object.name) == (BLOCKER, "CustomResourceDefinition",
                                                                       "widgets.example.com")
    assert "CRDs first" in found.fix and "crd/widgets.example.com" in found.fix


def test_crd_missing_is_quiet_when_green_defines_or_discovers_the_kind_and_warns_for_unused_crds() -> None:
    widget = obj("Widget", "w1", "shop", api_version="example.com/v1", applied_as="example.com/v1")
    blue = view(BLUE, WIDGET, widget)
    assert results("crd-missing", blue, view(GREEN, WIDGET)) == []
    listed = view(GREEN, discovered=[ApiResource("widgets", "example.com/v1", "Widget", True)], objects_known=False)
    assert results("crd-missing", blue, listed) == []
    [unused] = results("crd-missing", view(BLUE, WIDGET), view(GREEN, crd("other.io", "Thing", "things", ["v1"], "v1")))
    assert unused.severity == WARNING
    assert isinstance(check("crd-missing", blue, view(GREEN, version=V129)), NotChecked)


def test_crd_version_not_served_fires_for_the_applied_version_only() -> None:
    old = crd("cert-manager.io", "Certificate", "certificates", ["v1alpha2", "v1"], "v1")
    new = crd("cert-manager.io", "Certificate", "certificates", ["v1"], "v1")
    stale = obj("Certificate", "web", "shop", api_version="cert-manager.io/v1", applied_as="cert-manager.io/v1alpha2")
    current = obj("Certificate", "api", "shop", api_version="cert-manager.io/v1", applied_as="cert-manager.io/v1")
    controller_made = obj("Certificate", "made", "shop", api_version="cert-manager.io/v1alpha2")
    [found] = results("crd-version-not-served", view(BLUE, old, stale, current, controller_made), view(GREEN, new))
    assert found.object.name == "web" and "serves only v1" in found.message
    assert "cert-manager.io/v1" in found.fix and "blue serves cert-manager.io/v1 too" in found.fix
    # a CRD green lacks altogether is crd-missing's, not this check's
    assert results("crd-version-not-served", view(BLUE, old, stale), view(GREEN, WIDGET)) == []


# --- apiservice-missing ----------------------------------------------------------------------------------


def apiservice(group_version: str, service: tuple[str, str] | None, available: bool | None = None) -> ClusterObject:
    group, _, version = group_version.rpartition("/")
    spec: dict[str, Any] = {"group": group, "version": version}
    if service:
        spec["service"] = {"namespace": service[0], "name": service[1]}
    status = None if available is None else {"conditions": [{"type": "Available",
                                                             "status": "True" if available else "False"}]}
    return obj("APIService", f"{version}.{group}", api_version="apiregistration.k8s.io/v1", spec=spec, status=status)


CUSTOM_METRICS = apiservice("custom.metrics.k8s.io/v1beta1", ("monitoring", "prometheus-adapter"))
HPA = obj("HorizontalPodAutoscaler", "web", "shop", api_version="autoscaling/v2", applied_as="autoscaling/v2",
          spec={"metrics": [{"type": "Pods", "pods": {}}]})


def test_apiservice_missing_is_a_blocker_when_blue_uses_it_and_a_warning_otherwise() -> None:
    green = view(GREEN, version=V129, group_versions=["v1", "apps/v1", "autoscaling/v2"], objects_known=False)
    [used] = results("apiservice-missing", view(BLUE, CUSTOM_METRICS, HPA), green)
    assert used.severity == BLOCKER and "HorizontalPodAutoscaler shop/web" in used.message
    [unused] = results("apiservice-missing", view(BLUE, CUSTOM_METRICS), green)
    assert unused.severity == WARNING


def test_apiservice_missing_sees_an_unavailable_backend_and_is_quiet_when_served() -> None:
    down = view(GREEN, apiservice("custom.metrics.k8s.io/v1beta1", ("monitoring", "adapter"), available=False))
    [found] = results("apiservice-missing", view(BLUE, CUSTOM_METRICS, HPA), down)
    assert found.side == GREEN and "not Available" in found.message
    served = view(GREEN, group_versions=["v1", "custom.metrics.k8s.io/v1beta1"], objects_known=False)
    assert results("apiservice-missing", view(BLUE, CUSTOM_METRICS, HPA), served) == []
    local = apiservice("apps/v1", None)
    assert results("apiservice-missing", view(BLUE, local), served) == []
    assert isinstance(check("apiservice-missing", view(BLUE, CUSTOM_METRICS), view(GREEN, version=V129)), NotChecked)


# --- webhook-no-backend -------------------------------------------------------------------------------


def webhook(name: str, service: tuple[str, str], policy: str | None,
            api_version: str = "admissionregistration.k8s.io/v1",
            kind: str = "ValidatingWebhookConfiguration") -> ClusterObject:
    hook: dict[str, Any] = {"name": f"{name}.example.io", "clientConfig": {"service": {
        "namespace": service[0], "name": service[1]}}, "rules": [{"operations": ["CREATE"], "resources": ["pods"]}]}
    if policy:
        hook["failurePolicy"] = policy
    return obj(kind, name, api_version=api_version, extra={"webhooks": [hook]})


def test_webhook_failing_closed_without_its_namespace_is_a_blocker() -> None:
    green = view(GREEN, ns("default"), webhook("kyverno", ("kyverno", "kyverno-svc"), None))
    [found] = results("webhook-no-backend", view(BLUE), green)
    assert found.severity == BLOCKER and found.side == GREEN
    assert "namespace kyverno does not exist on green" in found.message and "CREATE of pods" in found.message
    assert "failurePolicy: Ignore" in found.fix


def test_webhook_without_ready_endpoints_is_a_blocker_but_one_that_answers_is_not() -> None:
    service = obj("Service", "hook", "sec")
    empty = obj("Endpoints", "hook", "sec", extra={"subsets": []})
    ready = obj("Endpoints", "hook", "sec", extra={"subsets": [{"addresses": [{"ip": "10.0.0.1"}]}]})
    config = webhook("guard", ("sec", "hook"), "Fail")
    [found] = results("webhook-no-backend", view(BLUE), view(GREEN, ns("sec"), service, empty, config))
    assert "no ready endpoints" in found.message
    assert results("webhook-no-backend", view(BLUE), view(GREEN, ns("sec"), service, ready, config)) == []


def test_webhooks_that_fail_open_are_not_reported() -> None:
    ignore = webhook("vpa", ("kube-system", "vpa"), "Ignore", kind="MutatingWebhookConfiguration")
    old_default = webhook("legacy", ("gone", "svc"), None, api_version="admissionregistration.k8s.io/v1beta1")
    assert results("webhook-no-backend", view(BLUE), view(GREEN, ns("kube-system"), ignore, old_default)) == []
    assert isinstance(check("webhook-no-backend", view(BLUE), view(GREEN, version=V129, objects_known=False)),
                      NotChecked)


# --- api-not-served ------------------------------------------------------------------------------------


def test_api_not_served_judges_what_was_applied_and_says_fix_migrates_it() -> None:
    cron = obj("CronJob", "nightly", "jobs", api_version="batch/v1", applied_as="batch/v1beta1")
    live_only = obj("Deployment", "web", "shop", api_version="extensions/v1beta1")  # as a client asked for it
    [found] = results("api-not-served", view(BLUE, cron, live_only, version=V124), view(GREEN, version=V129))
    assert (found.severity, found.object.api_version, found.side) == (BLOCKER, "batch/v1beta1", BLUE)
    assert "green (1.29) does not serve: removed in 1.25; use batch/v1, available since 1.21" in found.message
    assert "move it to batch/v1 (blue serves it too" in found.fix
    assert "`kdeprecate fix --target 1.29` migrates the manifest it was applied from" in found.fix


def test_api_not_served_names_the_file_of_a_manifest_and_skips_custom_resources() -> None:
    manifest = obj("PodDisruptionBudget", "web", "shop", api_version="policy/v1beta1", live=False,
                   path="manifests/pdb.yaml")
    custom = obj("Widget", "w", "shop", api_version="example.com/v1alpha1", applied_as="example.com/v1alpha1")
    served = obj("Deployment", "web", "shop", api_version="apps/v1", applied_as="apps/v1")
    [found] = results("api-not-served", view(BLUE, manifest, custom, served), view(GREEN, version=V129))
    assert "`kdeprecate fix --target 1.29 manifests/pdb.yaml` migrates it" in found.fix


def test_api_not_served_by_discovery_alone_uses_api_versions_to_complete_api_resources() -> None:
    hpa = obj("HorizontalPodAutoscaler", "web", "shop", api_version="autoscaling/v2", applied_as="autoscaling/v2beta2")
    preferred = [ApiResource("horizontalpodautoscalers", "autoscaling/v2", "HorizontalPodAutoscaler", True)]
    only_preferred = view(GREEN, discovered=preferred, objects_known=False)
    assert results("api-not-served", view(BLUE, hpa), only_preferred) == []  # v2beta2 may still be served
    complete = view(GREEN, discovered=preferred, group_versions=["v1", "autoscaling/v1", "autoscaling/v2"],
                    objects_known=False)
    [found] = results("api-not-served", view(BLUE, hpa), complete)
    assert found.fix == "use a version green serves: autoscaling/v2"


def test_alpha_apis_are_served_only_when_green_lists_them() -> None:
    alpha = obj("VolumeAttributesClass", "fast", api_version="storage.k8s.io/v1alpha1",
                applied_as="storage.k8s.io/v1alpha1")
    [unknown] = results("api-not-served", view(BLUE, alpha), view(GREEN, version=V129))
    assert unknown.severity == WARNING and "alpha API" in unknown.message
    listed = view(GREEN, version=V129, group_versions=["v1", "storage.k8s.io/v1", "storage.k8s.io/v1alpha1"],
                  objects_known=False)
    assert results("api-not-served", view(BLUE, alpha), listed) == []
    unlisted = view(GREEN, version=V129, group_versions=["v1", "storage.k8s.io/v1"], objects_known=False)
    assert [r.severity for r in results("api-not-served", view(BLUE, alpha), unlisted)] == [BLOCKER]
    assert isinstance(check("api-not-served", view(BLUE, alpha), view(GREEN, ns("x"))), NotChecked)


# --- psp-without-psa --------------------------------------------------------------------------------------

PSP = obj("PodSecurityPolicy", "restricted", api_version="policy/v1beta1", applied_as="policy/v1beta1")
ENFORCE = {"pod-security.kubernetes.io/enforce": "baseline"}


def test_psp_without_psa_fires_for_green_namespaces_without_an_enforce_label() -> None:
    blue = view(BLUE, PSP, deployment("payments", "api"), deployment("shop", "web"), deployment("kube-system", "dns"))
    green = view(GREEN, ns("payments"), ns("shop", ENFORCE), ns("kube-system"), version=V129)
    [found] = results("psp-without-psa", blue, green)
    assert (found.object.kind, found.object.name, found.side) == ("Namespace", "payments", GREEN)
    assert "kubectl label namespace payments pod-security.kubernetes.io/enforce=baseline" in found.fix


def test_psp_without_psa_is_quiet_before_1_25_and_warns_when_green_namespaces_are_unknown() -> None:
    blue = view(BLUE, PSP, deployment("payments", "api"))
    assert results("psp-without-psa", blue, view(GREEN, ns("payments"), version=V124)) == []
    assert results("psp-without-psa", view(BLUE, deployment("payments", "api")),
                   view(GREEN, ns("payments"), version=V129)) == []
    [warning] = results("psp-without-psa", blue, view(GREEN, version=V129, objects_known=False))
    assert warning.severity == WARNING and warning.object.name == "restricted"
    assert isinstance(check("psp-without-psa", blue, view(GREEN, ns("payments"))), NotChecked)


# --- workloads ------------------------------------------------------------------------------------------


def test_workload_missing_and_not_ready() -> None:
    blue = view(BLUE, deployment("shop", "web"), deployment("shop", "cart"), deployment("pay", "ledger"))
    green = view(GREEN, deployment("shop", "web", available=2), deployment("shop", "cart", available=1))
    [missing] = results("workload-missing", blue, green)
    assert (missing.object.name, missing.side) == ("ledger", BLUE)
    [not_ready] = results("workload-not-ready", blue, green)
    assert (not_ready.object.name, not_ready.side) == ("cart", GREEN)
    assert "has 1 of 2 replicas available on green" in not_ready.message


def test_readiness_of_daemonsets_statefulsets_and_manifests() -> None:
    ds_blue = obj("DaemonSet", "agent", "mon", api_version="apps/v1", applied_as="apps/v1")
    ds_green = obj("DaemonSet", "agent", "mon", api_version="apps/v1",
                   status={"desiredNumberScheduled": 3, "numberAvailable": 2})
    sts_blue = obj("StatefulSet", "db", "shop", api_version="apps/v1", applied_as="apps/v1", spec={"replicas": 3})
    sts_green = obj("StatefulSet", "db", "shop", api_version="apps/v1", spec={"replicas": 3},
                    status={"readyReplicas": 3})  # before 1.22: no availableReplicas
    manifest = deployment("shop", "web", applied_as=None)  # no status: nothing known about how it runs
    blue = view(BLUE, ds_blue, sts_blue, deployment("shop", "web"))
    found = results("workload-not-ready", blue, view(GREEN, ds_green, sts_green, manifest))
    assert [(r.object.kind, r.message.split(" has ")[1]) for r in found] == [
        ("DaemonSet", "2 of 3 replicas available on green")]
    assert isinstance(check("workload-missing", blue, view(GREEN, ns("shop"))), NotChecked)


def test_image_drift_compares_containers_by_name() -> None:
    blue = view(BLUE, deployment("shop", "web", "web:2.4"), deployment("shop", "cart", "cart:1"))
    green = view(GREEN, deployment("shop", "web", "web:2.5"), deployment("shop", "cart", "cart:1"))
    [found] = results("image-drift", blue, green)
    assert found.severity == WARNING and "app: web:2.4 on blue, web:2.5 on green" in found.message


def test_stateful_data_lists_the_claims_of_statefulsets_and_mounted_pvcs() -> None:
    sts = obj("StatefulSet", "pg", "shop", api_version="apps/v1", applied_as="apps/v1",
              spec={"replicas": 2, "volumeClaimTemplates": [{"metadata": {"name": "data"}}]})
    ledger = deployment("pay", "ledger", volumes=[{"name": "d", "persistentVolumeClaim": {"claimName": "ledger"}}])
    scratch = deployment("pay", "api", volumes=[{"name": "tmp", "emptyDir": {}}])
    found = results("stateful-data", view(BLUE, sts, ledger, scratch), view(GREEN, version=V129))
    assert sorted((r.object.name, r.severity) for r in found) == [("ledger", WARNING), ("pg", WARNING)]
    assert any("data-pg-0, data-pg-1" in r.message for r in found)


# --- addon-unsupported -----------------------------------------------------------------------------------


def fake_support(image: str, version: KubeVersion) -> AddonVerdict | None:
    """An AddonLookup as pluto_py/addons.py will provide: cert-manager 1.5 supports 1.16-1.22 only."""
    if image.endswith("cert-manager-controller:v1.5.5"):
        return AddonVerdict("cert-manager", "1.5.5", version <= parse_version("1.22"), "1.16-1.22")
    return None


def test_addon_unsupported_uses_the_support_interface_on_green_workloads() -> None:
    green = view(GREEN, deployment("cert-manager", "cert-manager", "quay.io/jetstack/cert-manager-controller:v1.5.5"),
                 deployment("shop", "web", "web:1"), version=V129)
    [found] = results("addon-unsupported", view(BLUE), green, fake_support)
    assert found.severity == BLOCKER and "does not support green's Kubernetes 1.29" in found.message
    assert results("addon-unsupported", view(BLUE), view(GREEN, deployment("shop", "web"), version=V129),
                   fake_support) == []


def test_addon_unsupported_is_not_checked_without_add_on_data() -> None:
    not_checked = check("addon-unsupported", view(BLUE), view(GREEN, version=V129), None)
    assert isinstance(not_checked, NotChecked) and "this build does not have" in not_checked.reason


def test_the_add_on_lookup_answers_from_the_add_on_data_when_the_build_has_it() -> None:
    lookup = load_addon_support()
    if importlib.util.find_spec("pluto_py.addons") is None:
        assert lookup is None  # a build without pluto_py/addons (issue 15): the check is not run
        return
    assert lookup is not None
    verdict = lookup("quay.io/jetstack/cert-manager-controller:v1.5.5", V129)
    assert verdict is not None and verdict.supported is False and verdict.version == "1.5.5"
    assert lookup("registry.example.com/shop/web:2.5.0", V129) is None


@pytest.mark.parametrize("check_id", CHECK_IDS)
def test_every_check_is_quiet_when_blue_and_green_are_the_same_healthy_cluster(check_id: str) -> None:
    same = [ns("shop", ENFORCE), deployment("shop", "web", available=2)]
    found = check(check_id, view(BLUE, *same, version=V129), view(GREEN, *same, version=V129), fake_support)
    assert found == [] or isinstance(found, NotChecked)
