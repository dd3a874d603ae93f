#!/usr/bin/env python3
"""Write the blue/green fixtures under fixtures/bluegreen/: a blue 1.24 and a green 1.29 cluster.

A platform team moves its shop from a kubeadm cluster at 1.24 (blue) to a new one at 1.29 (green). Each
directory holds what `kubectl get ... -o yaml` prints (Lists, status included, managedFields left out,
last-applied annotations where kubectl applied the object), one file per command:

blue-1.24/   version.yaml (kubectl version -o yaml), namespaces.yaml, crds.yaml (cert-manager 1.5 serving
             v1alpha2..v1, prometheus-operator, a Redis operator), apiservices.yaml (built-in, CRD groups,
             metrics-server and prometheus-adapter), workloads.yaml, custom-resources.yaml, policies.yaml
             (HPA, PDB, CronJob, PodSecurityPolicy), webhooks.yaml, helm-releases.yaml (Helm 3 release
             Secrets, see make_helm_release_fixture.py)
green-1.29/  version.yaml, namespaces.yaml (Pod Security Admission labels on some), crds.yaml (cert-manager
             1.14: v1 only), apiservices.yaml, workloads.yaml (with status), services.yaml (Services and
             Endpoints), webhooks.yaml, and discovery as kubectl prints it: api-resources-wide.txt
             (`kubectl api-resources -o wide`), api-resources.txt (`kubectl api-resources`), api-versions.txt

What the move meets (the README walks through it): a namespace and a CRD green lacks, a custom resource at a
version green's CRD dropped, the custom metrics API gone, a webhook whose backend is not installed, APIs
removed by 1.25/1.26, PodSecurityPolicy without Pod Security Admission labels, missing and unready
workloads, changed images and data in volumes.

Deterministic: rerunning rewrites the same bytes, which a test checks.
Usage: python scripts/make_bluegreen_fixtures.py [--check] [OUTPUT_DIR]
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_helm_release_fixture as helm

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = "scripts/make_bluegreen_fixtures.py"
TIME = "2024-03-01T10:00:00Z"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
ALL_VERBS = "create,delete,deletecollection,get,list,patch,update,watch"


# --- objects ---------------------------------------------------------------------------------------


def meta(cluster: str, kind: str, name: str, namespace: str | None = None, *, labels: dict[str, str] | None = None,
         annotations: dict[str, str] | None = None, applied: dict[str, Any] | None = None,
         owner: tuple[str, str, str] | None = None, generation: int | None = None) -> dict[str, Any]:
    """metadata as the API server returns it (keys sorted, like kubectl's output)."""
    uid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{cluster}/{kind}/{namespace}/{name}"))
    notes = dict(annotations or {})
    if applied is not None:
        notes[LAST_APPLIED] = json.dumps(applied, separators=(",", ":"), sort_keys=True) + "\n"
    out: dict[str, Any] = {}
    if notes:
        out["annotations"] = dict(sorted(notes.items()))
    out["creationTimestamp"] = TIME
    if generation is not None:
        out["generation"] = generation
    if labels:
        out["labels"] = dict(sorted(labels.items()))
    out["name"] = name
    if namespace is not None:
        out["namespace"] = namespace
    if owner is not None:
        api_version, owner_kind, owner_name = owner
        out["ownerReferences"] = [{
            "apiVersion": api_version, "blockOwnerDeletion": True, "controller": True, "kind": owner_kind,
            "name": owner_name, "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{cluster}/{owner_kind}/{namespace}/"
                                                                           f"{owner_name}"))}]
    out["resourceVersion"] = str(10000 + int(uuid.UUID(uid).int % 90000))
    out["uid"] = uid
    return out


def applied_config(api_version: str, kind: str, name: str, namespace: str | None, spec: dict[str, Any],
                   labels: dict[str, str] | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """What `kubectl apply` records: the manifest as written, with an empty annotations map added."""
    metadata: dict[str, Any] = {"annotations": {}, "name": name}
    if labels:
        metadata["labels"] = labels
    if namespace is not None:
        metadata["namespace"] = namespace
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **({"spec": spec} if spec else {}),
            **(extra or {})}


def pod_template(app: str, containers: list[tuple[str, str]], volumes: list[dict[str, Any]] | None = None,
                 **spec: Any) -> dict[str, Any]:
    pod: dict[str, Any] = {"containers": [{"image": image, "name": name, "resources": {}} for name, image in
                                          containers], **spec}
    if volumes:
        pod["volumes"] = volumes
        pod["containers"][0]["volumeMounts"] = [{"mountPath": "/data", "name": volumes[0]["name"]}]
    return {"metadata": {"labels": {"app": app}}, "spec": pod}


def deployment(cluster: str, namespace: str, name: str, containers: list[tuple[str, str]], *, replicas: int,
               available: int | None = None, applied_as: str | None = "apps/v1", helm_release: str | None = None,
               volumes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    template = pod_template(name, containers, volumes)
    spec = {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, "template": template}
    labels = {"app": name}
    annotations = {"deployment.kubernetes.io/revision": "4"}
    applied = None
    if helm_release is not None:
        labels["app.kubernetes.io/managed-by"] = "Helm"
        annotations.update({"meta.helm.sh/release-name": helm_release, "meta.helm.sh/release-namespace": namespace})
    elif applied_as is not None:
        applied = applied_config(applied_as, "Deployment", name, namespace, spec, {"app": name})
    ready = replicas if available is None else available
    status: dict[str, Any] = {"availableReplicas": ready, "observedGeneration": 4, "readyReplicas": ready,
                              "replicas": replicas, "updatedReplicas": replicas}
    conditions = [{"lastTransitionTime": TIME, "lastUpdateTime": TIME,
                   "message": "Deployment has minimum availability.", "reason": "MinimumReplicasAvailable",
                   "status": "True", "type": "Available"}]
    if ready < replicas:
        status["unavailableReplicas"] = replicas - ready
        conditions = [{"lastTransitionTime": TIME, "lastUpdateTime": TIME,
                       "message": "Deployment does not have minimum availability.",
                       "reason": "MinimumReplicasUnavailable", "status": "False", "type": "Available"}]
    status["conditions"] = conditions
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": meta(cluster, "Deployment", name, namespace, labels=labels, annotations=annotations,
                             applied=applied, generation=4),
            "spec": {"progressDeadlineSeconds": 600, **spec, "strategy": {"type": "RollingUpdate"}},
            "status": status}


def statefulset(cluster: str, namespace: str, name: str, image: str, claim: str, *, replicas: int,
                owner: tuple[str, str, str] | None = None) -> dict[str, Any]:
    template = pod_template(name, [(name, image)])
    template["spec"]["containers"][0]["volumeMounts"] = [{"mountPath": "/data", "name": claim}]
    claims = [{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": claim},
               "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "20Gi"}},
                        "storageClassName": "gp3", "volumeMode": "Filesystem"}}]
    spec = {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, "serviceName": name,
            "template": template, "volumeClaimTemplates": claims}
    applied = None if owner else applied_config("apps/v1", "StatefulSet", name, namespace, spec, {"app": name})
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": meta(cluster, "StatefulSet", name, namespace, labels={"app": name}, applied=applied,
                             owner=owner, generation=2),
            "spec": {**spec, "podManagementPolicy": "OrderedReady", "updateStrategy": {"type": "RollingUpdate"}},
            "status": {"availableReplicas": replicas, "currentReplicas": replicas, "observedGeneration": 2,
                       "readyReplicas": replicas, "replicas": replicas, "updatedReplicas": replicas}}


def daemonset(cluster: str, namespace: str, name: str, image: str, nodes: int) -> dict[str, Any]:
    spec = {"selector": {"matchLabels": {"app": name}},
            "template": pod_template(name, [(name, image)], hostNetwork=True, hostPID=True)}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": meta(cluster, "DaemonSet", name, namespace, labels={"app": name}, generation=3,
                             applied=applied_config("apps/v1", "DaemonSet", name, namespace, spec, {"app": name})),
            "spec": {**spec, "updateStrategy": {"type": "RollingUpdate"}},
            "status": {"currentNumberScheduled": nodes, "desiredNumberScheduled": nodes, "numberAvailable": nodes,
                       "numberMisscheduled": 0, "numberReady": nodes, "observedGeneration": 3,
                       "updatedNumberScheduled": nodes}}


def namespace(cluster: str, name: str, labels: dict[str, str] | None = None, *, applied: bool = True) -> dict[str, Any]:
    all_labels = {"kubernetes.io/metadata.name": name, **(labels or {})}
    config = applied_config("v1", "Namespace", name, None, {}, labels) if applied else None
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": meta(cluster, "Namespace", name, labels=all_labels, applied=config),
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}


def crd(cluster: str, group: str, kind: str, plural: str, versions: list[str], storage: str, *,
        scope: str = "Namespaced", short: list[str] | None = None, categories: list[str] | None = None,
        helm_release: str | None = None, served_versions: list[str] | None = None) -> dict[str, Any]:
    name = f"{plural}.{group}"
    names: dict[str, Any] = {"kind": kind, "listKind": f"{kind}List", "plural": plural, "singular": kind.lower()}
    if short:
        names["shortNames"] = short
    if categories:
        names["categories"] = categories
    served = served_versions if served_versions is not None else versions
    labels = {"app.kubernetes.io/managed-by": "Helm"} if helm_release else None
    annotations = ({"meta.helm.sh/release-name": helm_release, "meta.helm.sh/release-namespace": helm_release}
                   if helm_release else None)
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": meta(cluster, "CustomResourceDefinition", name, labels=labels, annotations=annotations,
                             generation=1),
            "spec": {"conversion": {"strategy": "None"}, "group": group, "names": names, "scope": scope,
                     "versions": [{"name": v, "schema": {"openAPIV3Schema": {
                         "type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                         "served": v in served, "storage": v == storage, "subresources": {"status": {}}}
                         for v in versions]},
            "status": {"acceptedNames": names, "conditions": [
                {"lastTransitionTime": TIME, "message": "no conflicts found", "reason": "NoConflicts",
                 "status": "True", "type": "NamesAccepted"},
                {"lastTransitionTime": TIME, "message": "the initial names have been accepted",
                 "reason": "InitialNamesAccepted", "status": "True", "type": "Established"}],
                "storedVersions": [storage]}}


# Built-in group/versions a kubeadm cluster serves by default (alpha APIs are off), with their priorities.
BUILTIN_1_24 = ["v1", "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1", "apiregistration.k8s.io/v1",
                "apps/v1", "authentication.k8s.io/v1", "authorization.k8s.io/v1", "autoscaling/v1", "autoscaling/v2",
                "autoscaling/v2beta1", "autoscaling/v2beta2", "batch/v1", "batch/v1beta1", "certificates.k8s.io/v1",
                "coordination.k8s.io/v1", "discovery.k8s.io/v1", "discovery.k8s.io/v1beta1", "events.k8s.io/v1",
                "events.k8s.io/v1beta1", "flowcontrol.apiserver.k8s.io/v1beta1", "flowcontrol.apiserver.k8s.io/v1beta2",
                "networking.k8s.io/v1", "node.k8s.io/v1", "node.k8s.io/v1beta1", "policy/v1", "policy/v1beta1",
                "rbac.authorization.k8s.io/v1", "scheduling.k8s.io/v1", "storage.k8s.io/v1", "storage.k8s.io/v1beta1"]
BUILTIN_1_29 = ["v1", "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1", "apiregistration.k8s.io/v1",
                "apps/v1", "authentication.k8s.io/v1", "authorization.k8s.io/v1", "autoscaling/v1", "autoscaling/v2",
                "batch/v1", "certificates.k8s.io/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1",
                "events.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1beta3",
                "networking.k8s.io/v1", "node.k8s.io/v1", "policy/v1", "rbac.authorization.k8s.io/v1",
                "scheduling.k8s.io/v1", "storage.k8s.io/v1"]


def apiservice(cluster: str, group_version: str, service: tuple[str, str] | None = None,
               available: bool = True) -> dict[str, Any]:
    group, _, version = group_version.rpartition("/")
    name = f"{version}.{group}" if group else version
    spec: dict[str, Any] = {"group": group, "groupPriorityMinimum": 18000 if not group else
                            (100 if service else 1000 if "." in group and "k8s.io" not in group else 17000),
                            "version": version, "versionPriority": 15 if version.startswith("v1") else 9}
    labels = {"kube-aggregator.kubernetes.io/automanaged": "onstart"} if service is None else None
    if service is not None:
        spec.update({"insecureSkipTLSVerify": True, "service": {"name": service[1], "namespace": service[0],
                                                                 "port": 443}})
    condition = ({"lastTransitionTime": TIME, "message": "Local APIServices are always available",
                  "reason": "Local", "status": "True", "type": "Available"} if service is None else
                 {"lastTransitionTime": TIME, "message": "all checks passed", "reason": "Passed",
                  "status": "True", "type": "Available"} if available else
                 {"lastTransitionTime": TIME, "message": f"endpoints for service/{service[1]} in \"{service[0]}\" have "
                  "no addresses with port name \"https\"", "reason": "MissingEndpoints", "status": "False",
                  "type": "Available"})
    return {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
            "metadata": meta(cluster, "APIService", name, labels=labels), "spec": spec,
            "status": {"conditions": [condition]}}


def webhook_config(cluster: str, kind: str, name: str, hook_name: str, service: tuple[str, str], failure_policy: str,
                   rules: list[dict[str, Any]], helm_release: str | None = None) -> dict[str, Any]:
    annotations = {"cert-manager.io/inject-ca-from-secret": f"{service[0]}/{service[1]}-ca"} if helm_release else {}
    if helm_release:
        annotations.update({"meta.helm.sh/release-name": helm_release, "meta.helm.sh/release-namespace": service[0]})
    hook = {"admissionReviewVersions": ["v1"],
            "clientConfig": {"caBundle": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
                             "service": {"name": service[1], "namespace": service[0], "path": "/validate",
                                         "port": 443}},
            "failurePolicy": failure_policy, "matchPolicy": "Equivalent", "name": hook_name,
            "namespaceSelector": {}, "objectSelector": {}, "rules": rules, "sideEffects": "None",
            "timeoutSeconds": 10}
    return {"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind,
            "metadata": meta(cluster, kind, name, annotations=annotations, generation=2), "webhooks": [hook]}


def rule(groups: list[str], resources: list[str], operations: list[str]) -> dict[str, Any]:
    return {"apiGroups": groups, "apiVersions": ["*"], "operations": operations, "resources": resources,
            "scope": "*"}


def as_list(items: list[dict[str, Any]], header: str) -> str:
    return helm.dump(helm.as_list(items), header).replace("make_helm_release_fixture.py", "make_bluegreen_fixtures.py")


def version_info(git_version: str, minor: str) -> str:
    info = {"clientVersion": {"buildDate": "2024-02-14T10:40:40Z", "compiler": "gc", "gitCommit":
                              "c86c4ba6e4f7e0bd1f0e7b9a9c1e5c7e6a0b5f3a", "gitTreeState": "clean",
                              "gitVersion": "v1.29.2", "goVersion": "go1.21.7", "major": "1", "minor": "29",
                              "platform": "linux/amd64"},
            "kustomizeVersion": "v5.0.4-0.20230601165947-6ce0bf390ce3",
            "serverVersion": {"buildDate": "2024-01-17T13:38:41Z", "compiler": "gc", "gitCommit":
                              "3f7a50f38688eb332e2a1b013678c6435d539ae6", "gitTreeState": "clean",
                              "gitVersion": git_version, "goVersion": "go1.21.6", "major": "1", "minor": minor,
                              "platform": "linux/amd64"}}
    return helm.dump(info, "kubectl version -o yaml").replace("make_helm_release_fixture.py",
                                                              "make_bluegreen_fixtures.py")


# --- blue: 1.24 ----------------------------------------------------------------------------------

BLUE = "blue"
CERT_MANAGER_OLD = ["v1alpha2", "v1alpha3", "v1beta1", "v1"]


def blue_crds() -> list[dict[str, Any]]:
    return [
        crd(BLUE, "cert-manager.io", "Certificate", "certificates", CERT_MANAGER_OLD, "v1", short=["cert", "certs"],
            categories=["cert-manager"], helm_release="cert-manager"),
        crd(BLUE, "cert-manager.io", "CertificateRequest", "certificaterequests", CERT_MANAGER_OLD, "v1",
            short=["cr", "crs"], categories=["cert-manager"], helm_release="cert-manager"),
        crd(BLUE, "cert-manager.io", "ClusterIssuer", "clusterissuers", CERT_MANAGER_OLD, "v1", scope="Cluster",
            categories=["cert-manager"], helm_release="cert-manager"),
        crd(BLUE, "cert-manager.io", "Issuer", "issuers", CERT_MANAGER_OLD, "v1", categories=["cert-manager"],
            helm_release="cert-manager"),
        crd(BLUE, "databases.spotahome.com", "RedisFailover", "redisfailovers", ["v1"], "v1"),
        crd(BLUE, "monitoring.coreos.com", "Prometheus", "prometheuses", ["v1"], "v1", short=["prom"]),
        crd(BLUE, "monitoring.coreos.com", "ServiceMonitor", "servicemonitors", ["v1"], "v1", short=["smon"]),
    ]


BLUE_APISERVICES = [*BUILTIN_1_24, "cert-manager.io/v1", "cert-manager.io/v1alpha2", "cert-manager.io/v1alpha3",
                    "cert-manager.io/v1beta1", "databases.spotahome.com/v1", "monitoring.coreos.com/v1"]


def blue_workloads() -> list[dict[str, Any]]:
    legacy_spec = {"replicas": 1, "template": pod_template("report-worker", [
        ("worker", "registry.example.com/reports/worker:0.9.3")])}
    legacy = deployment(BLUE, "legacy-reports", "report-worker",
                        [("worker", "registry.example.com/reports/worker:0.9.3")], replicas=1, applied_as=None)
    # Applied in the 1.15 days, never re-applied since: the annotation still holds extensions/v1beta1.
    legacy["metadata"] = meta(BLUE, "Deployment", "report-worker", "legacy-reports", labels={"app": "report-worker"},
                              annotations={"deployment.kubernetes.io/revision": "1"}, generation=1,
                              applied=applied_config("extensions/v1beta1", "Deployment", "report-worker",
                                                     "legacy-reports", legacy_spec))
    return [
        deployment(BLUE, "cert-manager", "cert-manager",
                   [("cert-manager-controller", "quay.io/jetstack/cert-manager-controller:v1.5.5")],
                   replicas=1, helm_release="cert-manager"),
        deployment(BLUE, "cert-manager", "cert-manager-webhook",
                   [("cert-manager-webhook", "quay.io/jetstack/cert-manager-webhook:v1.5.5")], replicas=1,
                   helm_release="cert-manager"),
        deployment(BLUE, "kube-system", "metrics-server", [("metrics-server",
                                                            "registry.k8s.io/metrics-server/metrics-server:v0.6.4")],
                   replicas=1),
        legacy,
        deployment(BLUE, "monitoring", "prometheus-adapter", [("prometheus-adapter",
                   "registry.k8s.io/prometheus-adapter/prometheus-adapter:v0.10.0")], replicas=2,
                   helm_release="prometheus-adapter"),
        deployment(BLUE, "payments", "api", [("api", "registry.example.com/payments/api:5.2.0")], replicas=2),
        deployment(BLUE, "payments", "ledger", [("ledger", "registry.example.com/payments/ledger:1.4.2")], replicas=1,
                   volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "ledger-data"}}]),
        deployment(BLUE, "shop", "cart", [("cart", "registry.example.com/shop/cart:1.8.0")], replicas=2,
                   helm_release="shop"),
        deployment(BLUE, "shop", "web", [("web", "registry.example.com/shop/web:2.4.1")], replicas=3),
        statefulset(BLUE, "monitoring", "prometheus-k8s", "quay.io/prometheus/prometheus:v2.45.0", "prometheus-db",
                    replicas=2, owner=("monitoring.coreos.com/v1", "Prometheus", "k8s")),
        statefulset(BLUE, "shop", "postgres", "docker.io/library/postgres:14.10", "data", replicas=1),
        daemonset(BLUE, "monitoring", "node-exporter", "quay.io/prometheus/node-exporter:v1.5.0", 3),
    ]


def custom_resource(cluster: str, api_version: str, kind: str, name: str, namespace: str | None,
                    spec: dict[str, Any], applied_as: str | None = None, status: dict[str, Any] | None = None,
                    owner: tuple[str, str, str] | None = None) -> dict[str, Any]:
    applied = (applied_config(applied_as, kind, name, namespace, spec) if applied_as is not None and owner is None
               else None)
    return {"apiVersion": api_version, "kind": kind,
            "metadata": meta(cluster, kind, name, namespace, applied=applied, owner=owner, generation=1),
            "spec": spec, **({"status": status} if status else {})}


def blue_custom_resources() -> list[dict[str, Any]]:
    ready = {"conditions": [{"lastTransitionTime": TIME, "message": "Certificate is up to date and has not expired",
                             "observedGeneration": 1, "reason": "Ready", "status": "True", "type": "Ready"}]}
    return [
        custom_resource(BLUE, "cert-manager.io/v1", "Certificate", "api-tls", "payments",
                        {"dnsNames": ["api.payments.example.com"], "issuerRef": {"kind": "ClusterIssuer",
                         "name": "letsencrypt"}, "secretName": "api-tls"}, "cert-manager.io/v1", ready),
        # Applied with cert-manager 0.x manifests and never re-applied: the server converts, the file did not change.
        custom_resource(BLUE, "cert-manager.io/v1", "Certificate", "web-tls", "shop",
                        {"dnsNames": ["shop.example.com"], "issuerRef": {"kind": "ClusterIssuer",
                         "name": "letsencrypt"}, "secretName": "web-tls"}, "cert-manager.io/v1alpha2", ready),
        custom_resource(BLUE, "cert-manager.io/v1", "CertificateRequest", "web-tls-7hx2k", "shop",
                        {"issuerRef": {"kind": "ClusterIssuer", "name": "letsencrypt"}, "request": "LS0tLS1CRUdJTg=="},
                        owner=("cert-manager.io/v1", "Certificate", "web-tls")),
        custom_resource(BLUE, "cert-manager.io/v1", "ClusterIssuer", "letsencrypt", None,
                        {"acme": {"email": "platform@example.com", "privateKeySecretRef": {"name": "letsencrypt"},
                                  "server": "https://acme-v02.api.letsencrypt.org/directory",
                                  "solvers": [{"http01": {"ingress": {"class": "nginx"}}}]}}, "cert-manager.io/v1"),
        custom_resource(BLUE, "databases.spotahome.com/v1", "RedisFailover", "reports-cache", "legacy-reports",
                        {"redis": {"replicas": 3}, "sentinel": {"replicas": 3}}, "databases.spotahome.com/v1"),
        custom_resource(BLUE, "monitoring.coreos.com/v1", "Prometheus", "k8s", "monitoring",
                        {"replicas": 2, "serviceMonitorSelector": {}, "version": "v2.45.0"},
                        "monitoring.coreos.com/v1"),
        custom_resource(BLUE, "monitoring.coreos.com/v1", "ServiceMonitor", "web", "shop",
                        {"endpoints": [{"port": "http"}], "selector": {"matchLabels": {"app": "web"}}},
                        "monitoring.coreos.com/v1"),
    ]


def blue_policies() -> list[dict[str, Any]]:
    hpa_spec = {"maxReplicas": 10, "minReplicas": 3,
                "metrics": [{"resource": {"name": "cpu", "target": {"averageUtilization": 70, "type": "Utilization"}},
                             "type": "Resource"},
                            {"pods": {"metric": {"name": "http_requests_per_second"},
                                      "target": {"averageValue": "50", "type": "AverageValue"}}, "type": "Pods"}],
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}}
    pdb_spec = {"minAvailable": 1, "selector": {"matchLabels": {"app": "api"}}}
    cron_spec = {"jobTemplate": {"spec": {"template": {"spec": {"containers": [
        {"image": "registry.example.com/reports/nightly:0.9.3", "name": "report"}], "restartPolicy": "OnFailure"}}}},
        "schedule": "0 2 * * *"}
    psp_restricted = {"allowPrivilegeEscalation": False, "fsGroup": {"rule": "MustRunAs", "ranges": [{"max": 65535,
                      "min": 1}]}, "privileged": False, "requiredDropCapabilities": ["ALL"],
                      "runAsUser": {"rule": "MustRunAsNonRoot"}, "seLinux": {"rule": "RunAsAny"},
                      "supplementalGroups": {"rule": "MustRunAs", "ranges": [{"max": 65535, "min": 1}]},
                      "volumes": ["configMap", "emptyDir", "projected", "secret", "downwardAPI",
                                  "persistentVolumeClaim"]}
    psp_privileged = {"allowPrivilegeEscalation": True, "allowedCapabilities": ["*"], "fsGroup": {"rule": "RunAsAny"},
                      "hostIPC": True, "hostNetwork": True, "hostPID": True, "hostPorts": [{"max": 65535, "min": 0}],
                      "privileged": True, "runAsUser": {"rule": "RunAsAny"}, "seLinux": {"rule": "RunAsAny"},
                      "supplementalGroups": {"rule": "RunAsAny"}, "volumes": ["*"]}
    return [
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
         "metadata": meta(BLUE, "HorizontalPodAutoscaler", "web", "shop",
                          applied=applied_config("autoscaling/v2beta2", "HorizontalPodAutoscaler", "web", "shop",
                                                 hpa_spec)),
         "spec": hpa_spec, "status": {"currentReplicas": 3, "desiredReplicas": 3}},
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
         "metadata": meta(BLUE, "PodDisruptionBudget", "api", "payments", generation=1,
                          applied=applied_config("policy/v1beta1", "PodDisruptionBudget", "api", "payments", pdb_spec)),
         "spec": pdb_spec, "status": {"currentHealthy": 2, "desiredHealthy": 1, "disruptionsAllowed": 1,
                                      "expectedPods": 2, "observedGeneration": 1}},
        {"apiVersion": "batch/v1", "kind": "CronJob",
         "metadata": meta(BLUE, "CronJob", "nightly-report", "legacy-reports",
                          applied=applied_config("batch/v1beta1", "CronJob", "nightly-report", "legacy-reports",
                                                 cron_spec)),
         "spec": {**cron_spec, "concurrencyPolicy": "Allow", "suspend": False}, "status": {"lastScheduleTime": TIME}},
        {"apiVersion": "policy/v1beta1", "kind": "PodSecurityPolicy",
         "metadata": meta(BLUE, "PodSecurityPolicy", "privileged",
                          applied=applied_config("policy/v1beta1", "PodSecurityPolicy", "privileged", None,
                                                 psp_privileged)),
         "spec": psp_privileged},
        {"apiVersion": "policy/v1beta1", "kind": "PodSecurityPolicy",
         "metadata": meta(BLUE, "PodSecurityPolicy", "restricted",
                          applied=applied_config("policy/v1beta1", "PodSecurityPolicy", "restricted", None,
                                                 psp_restricted)),
         "spec": psp_restricted},
    ]


CERT_MANAGER_RULES = [rule(["cert-manager.io", "acme.cert-manager.io"], ["*/*"], ["CREATE", "UPDATE"])]


def blue_webhooks() -> list[dict[str, Any]]:
    return [
        webhook_config(BLUE, "MutatingWebhookConfiguration", "cert-manager-webhook", "webhook.cert-manager.io",
                       ("cert-manager", "cert-manager-webhook"), "Fail", CERT_MANAGER_RULES, "cert-manager"),
        webhook_config(BLUE, "ValidatingWebhookConfiguration", "cert-manager-webhook", "webhook.cert-manager.io",
                       ("cert-manager", "cert-manager-webhook"), "Fail", CERT_MANAGER_RULES, "cert-manager"),
    ]


CART_SERVICE = """
apiVersion: v1
kind: Service
metadata:
  name: cart
spec:
  ports:
    - port: 80
      targetPort: 8080
  selector:
    app: cart
"""
DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
        - name: {container}
          image: {image}
"""
CART_PDB = """
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: cart
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app: cart
"""
ADAPTER_APISERVICE = """
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1beta1.custom.metrics.k8s.io
spec:
  group: custom.metrics.k8s.io
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  insecureSkipTLSVerify: true
  service:
    name: prometheus-adapter
    namespace: monitoring
"""
def blue_releases() -> list[dict[str, Any]]:
    def cart(tag: str) -> str:
        return DEPLOYMENT.format(name="cart", replicas=2, container="cart",
                                 image=f"registry.example.com/shop/cart:{tag}")

    shop_v3 = helm.release("shop", "shop", 3, "superseded", "shop", "3.1.0",
                           [("shop/templates/cart-service.yaml", CART_SERVICE),
                            ("shop/templates/cart.yaml", cart("1.7.2")), ("shop/templates/cart-pdb.yaml", CART_PDB)])
    shop_v4 = helm.release("shop", "shop", 4, "deployed", "shop", "3.2.0",
                           [("shop/templates/cart-service.yaml", CART_SERVICE),
                            ("shop/templates/cart.yaml", cart("1.8.0")), ("shop/templates/cart-pdb.yaml", CART_PDB)])
    cert_manager = helm.release("cert-manager", "cert-manager", 1, "deployed", "cert-manager", "v1.5.5", [
        ("cert-manager/templates/deployment.yaml", DEPLOYMENT.format(
            name="cert-manager", replicas=1, container="cert-manager-controller",
            image="quay.io/jetstack/cert-manager-controller:v1.5.5")),
        ("cert-manager/templates/webhook-deployment.yaml", DEPLOYMENT.format(
            name="cert-manager-webhook", replicas=1, container="cert-manager-webhook",
            image="quay.io/jetstack/cert-manager-webhook:v1.5.5"))])
    adapter = helm.release("prometheus-adapter", "monitoring", 2, "deployed", "prometheus-adapter", "3.4.0", [
        ("prometheus-adapter/templates/deployment.yaml", DEPLOYMENT.format(
            name="prometheus-adapter", replicas=2, container="prometheus-adapter",
            image="registry.k8s.io/prometheus-adapter/prometheus-adapter:v0.10.0")),
        ("prometheus-adapter/templates/custom-metrics-apiservice.yaml", ADAPTER_APISERVICE)])
    return [shop_v3, shop_v4, cert_manager, adapter]


def blue() -> dict[str, str]:
    namespaces = [namespace(BLUE, "cert-manager", applied=False), namespace(BLUE, "default", applied=False),
                  namespace(BLUE, "kube-node-lease", applied=False), namespace(BLUE, "kube-public", applied=False),
                  namespace(BLUE, "kube-system", applied=False), namespace(BLUE, "legacy-reports"),
                  namespace(BLUE, "monitoring"), namespace(BLUE, "payments"), namespace(BLUE, "shop")]
    services = [apiservice(BLUE, gv) for gv in BLUE_APISERVICES]
    services += [apiservice(BLUE, "custom.metrics.k8s.io/v1beta1", ("monitoring", "prometheus-adapter")),
                 apiservice(BLUE, "metrics.k8s.io/v1beta1", ("kube-system", "metrics-server"))]
    secrets = [helm.release_secret(rel, index) for index, rel in enumerate(blue_releases(), start=101)]
    return {
        "version.yaml": version_info("v1.24.17", "24"),
        "namespaces.yaml": as_list(namespaces, "kubectl get namespaces -o yaml"),
        "crds.yaml": as_list(blue_crds(), "kubectl get customresourcedefinitions -o yaml (schemas trimmed)"),
        "apiservices.yaml": as_list(sorted(services, key=lambda s: s["metadata"]["name"]),
                                    "kubectl get apiservices -o yaml"),
        "workloads.yaml": as_list(blue_workloads(), "kubectl get deployments,statefulsets,daemonsets -A -o yaml"),
        "custom-resources.yaml": as_list(blue_custom_resources(), "kubectl get certificates,certificaterequests,"
                                         "clusterissuers,redisfailovers,prometheuses,servicemonitors -A -o yaml"),
        "policies.yaml": as_list(blue_policies(), "kubectl get hpa,pdb,cronjobs,podsecuritypolicies -A -o yaml"),
        "webhooks.yaml": as_list(blue_webhooks(), "kubectl get mutatingwebhookconfigurations,"
                                 "validatingwebhookconfigurations -o yaml"),
        "helm-releases.yaml": as_list(secrets, "kubectl get secrets -A -l owner=helm -o yaml (Helm 3 release Secrets)"),
    }


# --- green: 1.29 -----------------------------------------------------------------------------------

GREEN = "green"
GREEN_CRD_GROUPS = ["acme.cert-manager.io/v1", "cert-manager.io/v1", "monitoring.coreos.com/v1"]


def green_crds() -> list[dict[str, Any]]:
    return [
        crd(GREEN, "acme.cert-manager.io", "Challenge", "challenges", ["v1"], "v1", categories=["cert-manager", "acme"],
            helm_release="cert-manager"),
        crd(GREEN, "acme.cert-manager.io", "Order", "orders", ["v1"], "v1", categories=["cert-manager", "acme"],
            helm_release="cert-manager"),
        crd(GREEN, "cert-manager.io", "Certificate", "certificates", ["v1"], "v1", short=["cert", "certs"],
            categories=["cert-manager"], helm_release="cert-manager"),
        crd(GREEN, "cert-manager.io", "CertificateRequest", "certificaterequests", ["v1"], "v1", short=["cr", "crs"],
            categories=["cert-manager"], helm_release="cert-manager"),
        crd(GREEN, "cert-manager.io", "ClusterIssuer", "clusterissuers", ["v1"], "v1", scope="Cluster",
            categories=["cert-manager"], helm_release="cert-manager"),
        crd(GREEN, "cert-manager.io", "Issuer", "issuers", ["v1"], "v1", categories=["cert-manager"],
            helm_release="cert-manager"),
        crd(GREEN, "monitoring.coreos.com", "PodMonitor", "podmonitors", ["v1"], "v1", short=["pmon"]),
        crd(GREEN, "monitoring.coreos.com", "Prometheus", "prometheuses", ["v1"], "v1", short=["prom"]),
        crd(GREEN, "monitoring.coreos.com", "PrometheusRule", "prometheusrules", ["v1"], "v1", short=["promrule"]),
        crd(GREEN, "monitoring.coreos.com", "ServiceMonitor", "servicemonitors", ["v1"], "v1", short=["smon"]),
    ]


def green_workloads() -> list[dict[str, Any]]:
    return [
        deployment(GREEN, "cert-manager", "cert-manager",
                   [("cert-manager-controller", "quay.io/jetstack/cert-manager-controller:v1.14.4")], replicas=1,
                   helm_release="cert-manager"),
        deployment(GREEN, "cert-manager", "cert-manager-webhook",
                   [("cert-manager-webhook", "quay.io/jetstack/cert-manager-webhook:v1.14.4")], replicas=1,
                   helm_release="cert-manager"),
        deployment(GREEN, "kube-system", "metrics-server", [("metrics-server",
                                                             "registry.k8s.io/metrics-server/metrics-server:v0.6.4")],
                   replicas=1),
        deployment(GREEN, "payments", "api", [("api", "registry.example.com/payments/api:5.2.0")], replicas=2),
        deployment(GREEN, "shop", "cart", [("cart", "registry.example.com/shop/cart:1.8.0")], replicas=2,
                   available=1, helm_release="shop"),
        deployment(GREEN, "shop", "web", [("web", "registry.example.com/shop/web:2.5.0")], replicas=3),
        statefulset(GREEN, "monitoring", "prometheus-k8s", "quay.io/prometheus/prometheus:v2.45.0", "prometheus-db",
                    replicas=2, owner=("monitoring.coreos.com/v1", "Prometheus", "k8s")),
        statefulset(GREEN, "shop", "postgres", "docker.io/library/postgres:14.10", "data", replicas=1),
        daemonset(GREEN, "monitoring", "node-exporter", "quay.io/prometheus/node-exporter:v1.7.0", 3),
    ]


def service(cluster: str, namespace_name: str, name: str, port: int, target: int, ready: int) -> list[dict[str, Any]]:
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": meta(cluster, "Service", name, namespace_name),
           "spec": {"clusterIP": f"10.96.{len(name)}.{port % 250}", "ports": [{"name": "https" if port == 443 else
                    "http", "port": port, "protocol": "TCP", "targetPort": target}], "selector": {"app": name},
                    "type": "ClusterIP"}, "status": {"loadBalancer": {}}}
    subsets = [{"addresses": [{"ip": f"10.244.{i}.{len(name)}", "nodeName": f"node-{i}"} for i in range(ready)],
                "ports": [{"name": "https" if port == 443 else "http", "port": target, "protocol": "TCP"}]}]
    endpoints = {"apiVersion": "v1", "kind": "Endpoints", "metadata": meta(cluster, "Endpoints", name, namespace_name),
                 "subsets": subsets if ready else []}
    return [svc, endpoints]


def green_services() -> list[dict[str, Any]]:
    return [*service(GREEN, "cert-manager", "cert-manager-webhook", 443, 10250, 1),
            *service(GREEN, "kube-system", "metrics-server", 443, 10250, 1),
            *service(GREEN, "monitoring", "prometheus-k8s", 9090, 9090, 2),
            *service(GREEN, "payments", "api", 80, 8080, 2),
            *service(GREEN, "shop", "cart", 80, 8080, 1),
            *service(GREEN, "shop", "web", 80, 8080, 3)]


def green_webhooks() -> list[dict[str, Any]]:
    kyverno_rules = [rule([""], ["pods"], ["CREATE", "UPDATE"]), rule(["apps"], ["deployments", "statefulsets",
                                                                                  "daemonsets"], ["CREATE", "UPDATE"])]
    return [
        webhook_config(GREEN, "MutatingWebhookConfiguration", "cert-manager-webhook", "webhook.cert-manager.io",
                       ("cert-manager", "cert-manager-webhook"), "Fail", CERT_MANAGER_RULES, "cert-manager"),
        # The Vertical Pod Autoscaler's admission controller is not installed yet; it fails open.
        webhook_config(GREEN, "MutatingWebhookConfiguration", "vpa-webhook-config", "vpa.k8s.io",
                       ("kube-system", "vpa-webhook"),
                       "Ignore", [rule([""], ["pods"], ["CREATE"])]),
        webhook_config(GREEN, "ValidatingWebhookConfiguration", "cert-manager-webhook", "webhook.cert-manager.io",
                       ("cert-manager", "cert-manager-webhook"), "Fail", CERT_MANAGER_RULES, "cert-manager"),
        # Applied from the policy repository before Kyverno itself was installed.
        webhook_config(GREEN, "ValidatingWebhookConfiguration", "kyverno-resource-validating-webhook-cfg",
                       "validate.kyverno.svc-fail", ("kyverno", "kyverno-svc"), "Fail", kyverno_rules),
    ]


# kubectl api-resources of green: (name, shortnames, apiversion, namespaced, kind, verbs, categories).
GREEN_RESOURCES: list[tuple[str, str, str, bool, str, str, str]] = [
    ("bindings", "", "v1", True, "Binding", "create", ""),
    ("componentstatuses", "cs", "v1", False, "ComponentStatus", "get,list", ""),
    ("configmaps", "cm", "v1", True, "ConfigMap", ALL_VERBS, ""),
    ("endpoints", "ep", "v1", True, "Endpoints", ALL_VERBS, ""),
    ("events", "ev", "v1", True, "Event", ALL_VERBS, ""),
    ("limitranges", "limits", "v1", True, "LimitRange", ALL_VERBS, ""),
    ("namespaces", "ns", "v1", False, "Namespace", "create,delete,get,list,patch,update,watch", ""),
    ("nodes", "no", "v1", False, "Node", ALL_VERBS, ""),
    ("persistentvolumeclaims", "pvc", "v1", True, "PersistentVolumeClaim", ALL_VERBS, ""),
    ("persistentvolumes", "pv", "v1", False, "PersistentVolume", ALL_VERBS, ""),
    ("pods", "po", "v1", True, "Pod", ALL_VERBS, "all"),
    ("podtemplates", "", "v1", True, "PodTemplate", ALL_VERBS, ""),
    ("replicationcontrollers", "rc", "v1", True, "ReplicationController", ALL_VERBS, "all"),
    ("resourcequotas", "quota", "v1", True, "ResourceQuota", ALL_VERBS, ""),
    ("secrets", "", "v1", True, "Secret", ALL_VERBS, ""),
    ("serviceaccounts", "sa", "v1", True, "ServiceAccount", ALL_VERBS, ""),
    ("services", "svc", "v1", True, "Service", ALL_VERBS, "all"),
    ("challenges", "", "acme.cert-manager.io/v1", True, "Challenge", ALL_VERBS, "cert-manager,acme"),
    ("orders", "", "acme.cert-manager.io/v1", True, "Order", ALL_VERBS, "cert-manager,acme"),
    ("mutatingwebhookconfigurations", "", "admissionregistration.k8s.io/v1", False, "MutatingWebhookConfiguration",
     ALL_VERBS, "api-extensions"),
    ("validatingwebhookconfigurations", "", "admissionregistration.k8s.io/v1", False,
     "ValidatingWebhookConfiguration", ALL_VERBS, "api-extensions"),
    ("customresourcedefinitions", "crd,crds", "apiextensions.k8s.io/v1", False, "CustomResourceDefinition", ALL_VERBS,
     "api-extensions"),
    ("apiservices", "", "apiregistration.k8s.io/v1", False, "APIService", ALL_VERBS, "api-extensions"),
    ("controllerrevisions", "", "apps/v1", True, "ControllerRevision", ALL_VERBS, ""),
    ("daemonsets", "ds", "apps/v1", True, "DaemonSet", ALL_VERBS, "all"),
    ("deployments", "deploy", "apps/v1", True, "Deployment", ALL_VERBS, "all"),
    ("replicasets", "rs", "apps/v1", True, "ReplicaSet", ALL_VERBS, "all"),
    ("statefulsets", "sts", "apps/v1", True, "StatefulSet", ALL_VERBS, "all"),
    ("selfsubjectreviews", "", "authentication.k8s.io/v1", False, "SelfSubjectReview", "create", ""),
    ("tokenreviews", "", "authentication.k8s.io/v1", False, "TokenReview", "create", ""),
    ("localsubjectaccessreviews", "", "authorization.k8s.io/v1", True, "LocalSubjectAccessReview", "create", ""),
    ("selfsubjectaccessreviews", "", "authorization.k8s.io/v1", False, "SelfSubjectAccessReview", "create", ""),
    ("selfsubjectrulesreviews", "", "authorization.k8s.io/v1", False, "SelfSubjectRulesReview", "create", ""),
    ("subjectaccessreviews", "", "authorization.k8s.io/v1", False, "SubjectAccessReview", "create", ""),
    ("horizontalpodautoscalers", "hpa", "autoscaling/v2", True, "HorizontalPodAutoscaler", ALL_VERBS, "all"),
    ("cronjobs", "cj", "batch/v1", True, "CronJob", ALL_VERBS, "all"),
    ("jobs", "", "batch/v1", True, "Job", ALL_VERBS, "all"),
    ("certificaterequests", "cr,crs", "cert-manager.io/v1", True, "CertificateRequest", ALL_VERBS, "cert-manager"),
    ("certificates", "cert,certs", "cert-manager.io/v1", True, "Certificate", ALL_VERBS, "cert-manager"),
    ("clusterissuers", "", "cert-manager.io/v1", False, "ClusterIssuer", ALL_VERBS, "cert-manager"),
    ("issuers", "", "cert-manager.io/v1", True, "Issuer", ALL_VERBS, "cert-manager"),
    ("certificatesigningrequests", "csr", "certificates.k8s.io/v1", False, "CertificateSigningRequest", ALL_VERBS, ""),
    ("leases", "", "coordination.k8s.io/v1", True, "Lease", ALL_VERBS, ""),
    ("endpointslices", "", "discovery.k8s.io/v1", True, "EndpointSlice", ALL_VERBS, ""),
    ("events", "ev", "events.k8s.io/v1", True, "Event", ALL_VERBS, ""),
    ("flowschemas", "", "flowcontrol.apiserver.k8s.io/v1", False, "FlowSchema", ALL_VERBS, ""),
    ("prioritylevelconfigurations", "", "flowcontrol.apiserver.k8s.io/v1", False, "PriorityLevelConfiguration",
     ALL_VERBS, ""),
    ("nodes", "", "metrics.k8s.io/v1beta1", False, "NodeMetrics", "get,list", ""),
    ("pods", "", "metrics.k8s.io/v1beta1", True, "PodMetrics", "get,list", ""),
    ("podmonitors", "pmon", "monitoring.coreos.com/v1", True, "PodMonitor", ALL_VERBS, ""),
    ("prometheuses", "prom", "monitoring.coreos.com/v1", True, "Prometheus", ALL_VERBS, ""),
    ("prometheusrules", "promrule", "monitoring.coreos.com/v1", True, "PrometheusRule", ALL_VERBS, ""),
    ("servicemonitors", "smon", "monitoring.coreos.com/v1", True, "ServiceMonitor", ALL_VERBS, ""),
    ("ingressclasses", "", "networking.k8s.io/v1", False, "IngressClass", ALL_VERBS, ""),
    ("ingresses", "ing", "networking.k8s.io/v1", True, "Ingress", ALL_VERBS, ""),
    ("networkpolicies", "netpol", "networking.k8s.io/v1", True, "NetworkPolicy", ALL_VERBS, ""),
    ("runtimeclasses", "", "node.k8s.io/v1", False, "RuntimeClass", ALL_VERBS, ""),
    ("poddisruptionbudgets", "pdb", "policy/v1", True, "PodDisruptionBudget", ALL_VERBS, ""),
    ("clusterrolebindings", "", "rbac.authorization.k8s.io/v1", False, "ClusterRoleBinding", ALL_VERBS, ""),
    ("clusterroles", "", "rbac.authorization.k8s.io/v1", False, "ClusterRole", ALL_VERBS, ""),
    ("rolebindings", "", "rbac.authorization.k8s.io/v1", True, "RoleBinding", ALL_VERBS, ""),
    ("roles", "", "rbac.authorization.k8s.io/v1", True, "Role", ALL_VERBS, ""),
    ("priorityclasses", "pc", "scheduling.k8s.io/v1", False, "PriorityClass", ALL_VERBS, ""),
    ("csidrivers", "", "storage.k8s.io/v1", False, "CSIDriver", ALL_VERBS, ""),
    ("csinodes", "", "storage.k8s.io/v1", False, "CSINode", ALL_VERBS, ""),
    ("csistoragecapacities", "", "storage.k8s.io/v1", True, "CSIStorageCapacity", ALL_VERBS, ""),
    ("storageclasses", "sc", "storage.k8s.io/v1", False, "StorageClass", ALL_VERBS, ""),
    ("volumeattachments", "", "storage.k8s.io/v1", False, "VolumeAttachment", ALL_VERBS, ""),
]


def tabwriter(rows: list[list[str]]) -> str:
    """What kubectl's tabwriter prints (padding 3, cells left-aligned, the last cell of a line not padded)."""
    widths = [max(len(row[i]) for row in rows) + 3 for i in range(len(rows[0]) - 1)]
    return "".join("".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + row[-1] + "\n"
                   for row in rows)


def api_resources(wide: bool) -> str:
    header = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"] + (["VERBS", "CATEGORIES"] if wide else [])
    rows = [header]
    ordered = sorted(GREEN_RESOURCES, key=lambda r: (r[2].rpartition("/")[0], r[0]))
    for name, short, api_version, namespaced, kind, verbs, categories in ordered:
        row = [name, short, api_version, "true" if namespaced else "false", kind]
        rows.append(row + ([verbs, categories] if wide else []))
    return tabwriter(rows)


def green() -> dict[str, str]:
    namespaces = [namespace(GREEN, "cert-manager", {"pod-security.kubernetes.io/enforce": "restricted"}),
                  namespace(GREEN, "default", applied=False), namespace(GREEN, "kube-node-lease", applied=False),
                  namespace(GREEN, "kube-public", applied=False), namespace(GREEN, "kube-system", applied=False),
                  namespace(GREEN, "monitoring", {"pod-security.kubernetes.io/enforce": "privileged"}),
                  namespace(GREEN, "payments"),
                  namespace(GREEN, "shop", {"pod-security.kubernetes.io/enforce": "baseline",
                                            "pod-security.kubernetes.io/warn": "restricted"})]
    services = [apiservice(GREEN, gv) for gv in [*BUILTIN_1_29, *GREEN_CRD_GROUPS]]
    services.append(apiservice(GREEN, "metrics.k8s.io/v1beta1", ("kube-system", "metrics-server")))
    versions = sorted([*BUILTIN_1_29, *GREEN_CRD_GROUPS, "autoscaling/v1", "metrics.k8s.io/v1beta1"])
    return {
        "version.yaml": version_info("v1.29.4", "29"),
        "namespaces.yaml": as_list(namespaces, "kubectl get namespaces -o yaml"),
        "crds.yaml": as_list(green_crds(), "kubectl get customresourcedefinitions -o yaml (schemas trimmed)"),
        "apiservices.yaml": as_list(sorted(services, key=lambda s: s["metadata"]["name"]),
                                    "kubectl get apiservices -o yaml"),
        "workloads.yaml": as_list(green_workloads(), "kubectl get deployments,statefulsets,daemonsets -A -o yaml"),
        "services.yaml": as_list(green_services(), "kubectl get services,endpoints -A -o yaml"),
        "webhooks.yaml": as_list(green_webhooks(), "kubectl get mutatingwebhookconfigurations,"
                                 "validatingwebhookconfigurations -o yaml"),
        "api-resources-wide.txt": api_resources(wide=True),
        "api-resources.txt": api_resources(wide=False),
        "api-versions.txt": "".join(f"{gv}\n" for gv in sorted(set(versions))),
    }


def outputs() -> dict[str, str]:
    files = {f"blue-1.24/{name}": text for name, text in blue().items()}
    files.update({f"green-1.29/{name}": text for name, text in green().items()})
    return files


def main(argv: list[str] | None = None) -> int:
    return helm.write_or_check(outputs(), argv, ROOT / "fixtures" / "bluegreen", __doc__.split("\n\n")[0], SCRIPT)


if __name__ == "__main__":
    sys.exit(main())
