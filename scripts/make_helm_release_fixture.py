#!/usr/bin/env python3
"""Write the cluster-dump fixtures under fixtures/cluster/, the way Kubernetes and Helm store them.

* ``helm-releases.yaml``: ``kubectl get secrets -A -l owner=helm -o yaml`` — Helm 3 release Secrets
  (type ``helm.sh/release.v1``): ``data.release`` is base64 (Kubernetes) of Helm's base64 of
  gzip of the release JSON. Release ``shop`` has revisions 1-3 (1 and 2 superseded, 3 deployed);
  release ``queue`` has revision 1 deployed and revision 2 failed. One ordinary Secret holds a
  password that must never be printed.
* ``helm-configmaps.yaml``: the ConfigMap storage driver (``data.release`` is Helm's base64 text).
* ``get-all.yaml``: ``kubectl get all -A -o yaml`` — live objects with last-applied annotations.
* ``all-and-secrets.yaml``: ``kubectl get all,secrets -A -o yaml`` — both, in one List.

Deterministic (fixed timestamps, gzip mtime 0): rerunning it rewrites the same bytes, which the
tests check. Usage: python scripts/make_helm_release_fixture.py [--check] [OUTPUT_DIR]
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TIME = "2024-03-01T10:00:00Z"


def helm_encode(release: dict[str, Any]) -> str:
    """Helm's storage encoding: base64(gzip(json)) (pkg/storage/driver/util.go encodeRelease)."""
    raw = json.dumps(release, separators=(",", ":"), sort_keys=True).encode()
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode()


def manifest(*documents: tuple[str, str]) -> str:
    """A release manifest as Helm writes it: '---\\n# Source: <template>\\n<yaml>' per document."""
    return "".join(f"---\n# Source: {source}\n{body.strip()}\n" for source, body in documents)


def release(name: str, namespace: str, revision: int, status: str, chart: str, version: str,
            documents: list[tuple[str, str]], hooks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "namespace": namespace,
        "version": revision,
        "info": {"first_deployed": TIME, "last_deployed": TIME, "deleted": "", "status": status,
                 "description": "Upgrade complete" if revision > 1 else "Install complete"},
        "chart": {"metadata": {"apiVersion": "v2", "name": chart, "version": version},
                  "templates": [], "values": {"image": {"tag": version}}, "files": []},
        # The user-supplied values of a release may hold secrets; they must never be printed.
        "config": {"db": {"password": "do-not-print-me-values"}},
        "manifest": manifest(*documents),
        "hooks": hooks or [],
    }


def hook(name: str, kind: str, path: str, body: str, events: list[str], weight: int) -> dict[str, Any]:
    return {"name": name, "kind": kind, "path": path, "manifest": f"# Source: {path}\n{body.strip()}\n",
            "events": events, "last_run": {"started_at": TIME, "completed_at": TIME, "phase": "Succeeded"},
            "weight": weight, "delete_policies": ["before-hook-creation"]}


SERVICE = """
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  ports:
    - port: 80
"""
INGRESS_OLD = """
apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: shop
spec:
  backend:
    serviceName: shop
    servicePort: 80
"""
INGRESS_MID = """
apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata:
  name: shop
spec:
  backend:
    serviceName: shop
    servicePort: 80
"""
PDB = """
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: shop
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: shop
"""
CRONJOB = """
apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: shop-reports
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: reports
              image: registry.example.com/shop/web:2.5.0
"""
PSP_HOOK = """
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: shop-migrate
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
spec:
  privileged: false
  runAsUser: {rule: MustRunAsNonRoot}
  seLinux: {rule: RunAsAny}
  supplementalGroups: {rule: RunAsAny}
  fsGroup: {rule: RunAsAny}
"""
SECRET_IN_CHART = """
apiVersion: v1
kind: Secret
metadata:
  name: shop-db
stringData:
  password: do-not-print-me-manifest
"""


def releases() -> list[dict[str, Any]]:
    shop_v1 = release("shop", "shop", 1, "superseded", "shop", "1.0.0",
                      [("shop/templates/service.yaml", SERVICE), ("shop/templates/ingress.yaml", INGRESS_OLD)])
    shop_v2 = release("shop", "shop", 2, "superseded", "shop", "1.2.0",
                      [("shop/templates/service.yaml", SERVICE), ("shop/templates/ingress.yaml", INGRESS_MID)])
    shop_v3 = release("shop", "shop", 3, "deployed", "shop", "1.3.0",
                      [("shop/templates/secret.yaml", SECRET_IN_CHART), ("shop/templates/service.yaml", SERVICE),
                       ("shop/templates/ingress.yaml", INGRESS_MID), ("shop/templates/pdb.yaml", PDB),
                       ("shop/templates/cronjob.yaml", CRONJOB)],
                      [hook("shop-migrate", "PodSecurityPolicy", "shop/templates/hooks/migrate.yaml", PSP_HOOK,
                            ["pre-install", "pre-upgrade"], -5)])
    queue_v1 = release("queue", "jobs", 1, "deployed", "queue", "0.4.0",
                       [("queue/templates/pdb.yaml", PDB.replace("name: shop", "name: queue"))])
    queue_v2 = release("queue", "jobs", 2, "failed", "queue", "0.5.0",
                       [("queue/templates/cronjob.yaml", CRONJOB.replace("shop-reports", "queue-cleanup"))])
    return [shop_v1, shop_v2, shop_v3, queue_v1, queue_v2]


def metadata(name: str, namespace: str, uid: str, labels: dict[str, str] | None = None,
             annotations: dict[str, str] | None = None, rv: str = "1001") -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if annotations:
        meta["annotations"] = annotations
    meta["creationTimestamp"] = TIME
    if labels:
        meta["labels"] = labels
    meta.update({"name": name, "namespace": namespace, "resourceVersion": rv, "uid": uid})
    return meta


def release_secret(rel: dict[str, Any], index: int) -> dict[str, Any]:
    name, revision = rel["name"], rel["version"]
    encoded = base64.b64encode(helm_encode(rel).encode()).decode()
    labels = {"modifiedAt": "1709287200", "name": name, "owner": "helm", "status": rel["info"]["status"],
              "version": str(revision)}
    return {"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1", "data": {"release": encoded},
            "metadata": metadata(f"sh.helm.release.v1.{name}.v{revision}", rel["namespace"],
                                 f"5e1f0000-0000-4000-8000-{index:012d}", labels)}


def release_configmap(rel: dict[str, Any], index: int) -> dict[str, Any]:
    name, revision = rel["name"], rel["version"]
    labels = {"name": name, "owner": "helm", "status": rel["info"]["status"], "version": str(revision)}
    return {"apiVersion": "v1", "kind": "ConfigMap", "data": {"release": helm_encode(rel)},
            "metadata": metadata(f"sh.helm.release.v1.{name}.v{revision}", rel["namespace"],
                                 f"c0f10000-0000-4000-8000-{index:012d}", labels)}


def last_applied(obj: dict[str, Any]) -> str:
    return json.dumps(obj, separators=(",", ":"), sort_keys=True) + "\n"


def live_objects() -> list[dict[str, Any]]:
    """What `kubectl get all -A -o yaml` shows: the server's version, the applied one in the annotation."""
    web_applied = {"apiVersion": "extensions/v1beta1", "kind": "Deployment",
                   "metadata": {"annotations": {}, "name": "web", "namespace": "shop"},
                   "spec": {"replicas": 2, "template": {"metadata": {"labels": {"app": "web"}},
                            "spec": {"containers": [{"image": "nginx:1.25", "name": "web"}]}}}}
    cron_applied = {"apiVersion": "batch/v1beta1", "kind": "CronJob",
                    "metadata": {"annotations": {}, "name": "nightly", "namespace": "shop"},
                    "spec": {"schedule": "0 1 * * *", "jobTemplate": {"spec": {"template": {"spec": {
                        "restartPolicy": "OnFailure", "containers": [{"image": "busybox", "name": "n"}]}}}}}}
    hpa_applied = {"apiVersion": "autoscaling/v2beta2", "kind": "HorizontalPodAutoscaler",
                   "metadata": {"annotations": {}, "name": "web"},  # applied with -n shop
                   "spec": {"maxReplicas": 5, "minReplicas": 2,
                            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}}}
    svc_applied = {"apiVersion": "v1", "kind": "Service", "metadata": {"annotations": {}, "name": "web",
                                                                         "namespace": "shop"},
                   "spec": {"ports": [{"port": 80}], "selector": {"app": "web"}}}
    kapp_original = {"apiVersion": "apps/v1beta2", "kind": "Deployment",
                     "metadata": {"name": "billing", "namespace": "billing"},
                     "spec": {"template": {"spec": {"containers": [{"image": "billing:3", "name": "b"}]}}}}
    return [
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": metadata("web-7d4b9c-x2x9k", "shop", "00000000-0000-4000-8000-000000000001",
                              {"app": "web"}),
         "spec": {"containers": [{"image": "nginx:1.25", "name": "web"}]}, "status": {"phase": "Running"}},
        {"apiVersion": "v1", "kind": "Service",
         "metadata": metadata("web", "shop", "00000000-0000-4000-8000-000000000002",
                              annotations={"kubectl.kubernetes.io/last-applied-configuration":
                                           last_applied(svc_applied)}),
         "spec": {"ports": [{"port": 80, "protocol": "TCP"}], "selector": {"app": "web"}}},
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": metadata("web", "shop", "00000000-0000-4000-8000-000000000003",
                              annotations={"deployment.kubernetes.io/revision": "3",
                                           "kubectl.kubernetes.io/last-applied-configuration":
                                           last_applied(web_applied)}),
         "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}}},
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": metadata("billing", "billing", "00000000-0000-4000-8000-000000000004",
                              annotations={"kapp.k14s.io/original": json.dumps(kapp_original, sort_keys=True)}),
         "spec": {"replicas": 1}},
        {"apiVersion": "apps/v1", "kind": "ReplicaSet",
         "metadata": metadata("web-7d4b9c", "shop", "00000000-0000-4000-8000-000000000005", {"app": "web"}),
         "spec": {"replicas": 2}},
        {"apiVersion": "batch/v1", "kind": "CronJob",
         "metadata": metadata("nightly", "shop", "00000000-0000-4000-8000-000000000006",
                              annotations={"kubectl.kubernetes.io/last-applied-configuration":
                                           last_applied(cron_applied)}),
         "spec": {"schedule": "0 1 * * *"}},
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
         "metadata": metadata("web", "shop", "00000000-0000-4000-8000-000000000007",
                              annotations={"kubectl.kubernetes.io/last-applied-configuration":
                                           last_applied(hpa_applied)}),
         "spec": {"maxReplicas": 5}},
    ]


def plain_secret() -> dict[str, Any]:
    """An ordinary Secret, applied with kubectl: its last-applied annotation holds the password too."""
    applied = {"apiVersion": "v1", "kind": "Secret", "metadata": {"annotations": {}, "name": "db", "namespace": "shop"},
               "data": {"password": base64.b64encode(b"do-not-print-me-secret").decode()}, "type": "Opaque"}
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "data": {"password": base64.b64encode(b"do-not-print-me-secret").decode()},
            "metadata": metadata("db", "shop", "00000000-0000-4000-8000-000000000008",
                                 annotations={"kubectl.kubernetes.io/last-applied-configuration":
                                              last_applied(applied)})}


def as_list(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


def dump(data: Any, header: str) -> str:
    import yaml  # PyYAML: block style like kubectl's output

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = "|" if "\n" in value else None  # kubectl prints multi-line strings as literal blocks
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    body = yaml.dump(data, Dumper=Dumper, sort_keys=False, default_flow_style=False, width=100000, allow_unicode=True)
    return f"# {header}\n# GENERATED by scripts/make_helm_release_fixture.py; do not edit.\n{body}"


def outputs() -> dict[str, str]:
    rels = releases()
    secrets = [release_secret(rel, i) for i, rel in enumerate(rels, start=1)]
    configmaps = [release_configmap(rel, i) for i, rel in enumerate(rels[:3], start=1)]
    live = live_objects()
    return {
        "helm-releases.yaml": dump(as_list([*secrets, plain_secret()]),
                                   "kubectl get secrets -A -o yaml (Helm 3 release Secrets and one Opaque Secret)"),
        "helm-configmaps.yaml": dump(as_list(configmaps),
                                     "kubectl get configmaps -A -l owner=helm -o yaml (Helm's ConfigMap driver)"),
        "get-all.yaml": dump(as_list(live), "kubectl get all -A -o yaml (live objects, trimmed)"),
        "all-and-secrets.yaml": dump(as_list([*live, *secrets, plain_secret()]),
                                     "kubectl get all,secrets -A -o yaml (trimmed)"),
    }


def write_or_check(files: dict[str, str], argv: list[str] | None, default_dir: Path, description: str,
                   script: str) -> int:
    """Write ``files`` (name -> text) under the output directory, or with --check report stale ones."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("output", nargs="?", type=Path, default=default_dir)
    parser.add_argument("--check", action="store_true", help="exit 1 if a file differs from what would be written")
    args = parser.parse_args(argv)
    stale = []
    for name, text in files.items():
        path = args.output / name
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if stale:
        print(f"stale fixtures: {', '.join(stale)} (rerun {script})", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    return write_or_check(outputs(), argv, ROOT / "fixtures" / "cluster", __doc__.split("\n\n")[0],
                          "scripts/make_helm_release_fixture.py")


if __name__ == "__main__":
    sys.exit(main())
