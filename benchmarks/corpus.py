"""A deterministic, realistic corpus of Kubernetes manifests for the benchmarks.

Thousands of multi-document YAML files laid out like a monorepo (teams/services/env): Deployments
with env, probes and resources, Services, ConfigMaps with large data blocks (some of whose text
contains ``apiVersion:`` lines), a few custom resources and a few percent of objects that use a
deprecated or removed API version. The same seed always gives the same bytes.

    python benchmarks/corpus.py OUT_DIR [--files 4000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

TEAMS = ("payments", "search", "identity", "platform", "growth", "data", "edge", "mobile")
ENVIRONMENTS = ("dev", "staging", "prod")
IMAGES = ("nginx:1.27", "ghcr.io/acme/api:{v}", "registry.acme.io/worker:{v}", "redis:7.2", "envoyproxy/envoy:v1.30")
# Deprecated/removed objects (a few percent of all documents).
DEPRECATED = (
    ("extensions/v1beta1", "Ingress"),
    ("networking.k8s.io/v1beta1", "Ingress"),
    ("policy/v1beta1", "PodDisruptionBudget"),
    ("batch/v1beta1", "CronJob"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"),
    ("apps/v1beta2", "Deployment"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"),
)


@dataclass(frozen=True)
class CorpusInfo:
    root: Path
    files: int
    documents: int
    deprecated: int
    bytes: int


def _name(rng: random.Random) -> str:
    words = ("api", "web", "worker", "cache", "gateway", "auth", "billing", "ledger", "feed", "index",
             "sync", "notify", "report", "export", "import", "queue", "router", "proxy")
    return f"{rng.choice(words)}-{rng.choice(words)}-{rng.randrange(1000)}"


def _labels(name: str, team: str, indent: str) -> str:
    return (f"{indent}app.kubernetes.io/name: {name}\n"
            f"{indent}app.kubernetes.io/part-of: {team}\n"
            f"{indent}app.kubernetes.io/managed-by: kustomize\n")


def deployment(rng: random.Random, name: str, team: str, env: str, api_version: str = "apps/v1") -> str:
    image = rng.choice(IMAGES).format(v=f"{rng.randrange(1, 9)}.{rng.randrange(30)}.{rng.randrange(10)}")
    envs = "".join(
        f"            - name: {key}\n              value: \"{value}\"\n"
        for key, value in (
            (f"{rng.choice(('DB', 'CACHE', 'QUEUE', 'FEATURE', 'LOG'))}_{i}_{rng.choice(('URL', 'LEVEL', 'FLAG'))}",
             rng.choice(("true", "debug", f"postgres://db-{i}.{team}.svc:5432/app", "42")))
            for i in range(rng.randrange(4, 12))
        )
    )
    secret_env = ("            - name: API_TOKEN\n              valueFrom:\n                secretKeyRef:\n"
                  f"                  name: {name}-secrets\n                  key: token\n")
    port = rng.choice((8080, 8443, 9000, 3000))
    return f"""apiVersion: {api_version}
kind: Deployment
metadata:
  name: {name}
  namespace: {team}-{env}
  labels:
{_labels(name, team, "    ")}  annotations:
    deploy.acme.io/owner: "{team}@acme.io"
spec:
  replicas: {rng.randrange(1, 6)}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  template:
    metadata:
      labels:
{_labels(name, team, "        ")}    spec:
      serviceAccountName: {name}
      securityContext:
        runAsNonRoot: true
        fsGroup: 2000
      containers:
        - name: {name.split("-")[0]}
          image: {image}
          imagePullPolicy: IfNotPresent
          args: ["--port={port}", "--log-format=json"]
          ports:
            - name: http
              containerPort: {port}
              protocol: TCP
          env:
{envs}{secret_env}          resources:
            requests:
              cpu: {rng.choice(("50m", "100m", "250m"))}
              memory: {rng.choice(("64Mi", "128Mi", "512Mi"))}
            limits:
              memory: {rng.choice(("256Mi", "1Gi"))}
          readinessProbe:
            httpGet:
              path: /healthz/ready
              port: http
            initialDelaySeconds: 5
            periodSeconds: 10
          livenessProbe:
            httpGet:
              path: /healthz/live
              port: http
            failureThreshold: 3
          volumeMounts:
            - name: config
              mountPath: /etc/{name}
              readOnly: true
      volumes:
        - name: config
          configMap:
            name: {name}-config
"""


def service(rng: random.Random, name: str, team: str, env: str) -> str:
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {team}-{env}
  labels:
{_labels(name, team, "    ")}spec:
  type: {rng.choice(("ClusterIP", "ClusterIP", "NodePort"))}
  selector:
    app.kubernetes.io/name: {name}
  ports:
    - name: http
      port: 80
      targetPort: http
"""


def configmap(rng: random.Random, name: str, team: str, env: str) -> str:
    lines = []
    for i in range(rng.randrange(10, 60)):
        choice = rng.random()
        if choice < 0.05:
            # Text that looks like a manifest inside a block scalar: must never be a finding.
            lines.append("    apiVersion: extensions/v1beta1")
            lines.append("    kind: Ingress")
        elif choice < 0.5:
            section = rng.choice(("server", "upstream", "cache", "limits"))
            lines.append(f"    {section}.{i}.timeout = {rng.randrange(1, 600)}s")
        else:
            lines.append(f"    # {rng.choice(('tuned for', 'see runbook', 'owned by'))} {team} "
                         f"{rng.randrange(10**6):x} {'x' * rng.randrange(10, 60)}")
    settings = "\n".join(lines)
    return f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-config
  namespace: {team}-{env}
data:
  LOG_LEVEL: info
  FEATURE_FLAGS: "search,checkout-v2"
  app.conf: |
{settings}
  extra.json: '{{"retries": {rng.randrange(1, 5)}, "backoff": "exponential"}}'
"""


def service_monitor(rng: random.Random, name: str, team: str, env: str) -> str:
    return f"""apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {name}
  namespace: {team}-{env}
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  endpoints:
    - port: http
      interval: 30s
"""


def deprecated_object(rng: random.Random, name: str, team: str, env: str) -> str:
    api_version, kind = rng.choice(DEPRECATED)
    if kind == "Deployment":
        return deployment(rng, name, team, env, api_version)
    if kind == "Ingress":
        spec = f"""spec:
  rules:
    - host: {name}.{team}.acme.io
      http:
        paths:
          - path: /
            backend:
              serviceName: {name}
              servicePort: 80
"""
    elif kind == "PodDisruptionBudget":
        spec = f"spec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {name}\n"
    elif kind == "CronJob":
        spec = f"""spec:
  schedule: "*/15 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: job
              image: busybox:1.36
              args: ["sh", "-c", "echo {name}"]
"""
    elif kind == "HorizontalPodAutoscaler":
        spec = f"""spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {name}
  minReplicas: 2
  maxReplicas: 10
"""
    else:
        spec = 'rules:\n  - apiGroups: [""]\n    resources: ["pods"]\n    verbs: ["get", "list"]\n'
    namespace = "" if kind == "ClusterRole" else f"  namespace: {team}-{env}\n"
    return f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: {name}\n{namespace}{spec}"


def generate(root: Path, files: int = 4000, seed: int = 7, deprecated_share: float = 0.03) -> CorpusInfo:
    """Write ``files`` manifest files under ``root`` (created); return what was written."""
    rng = random.Random(seed)
    documents = deprecated = total = 0
    for number in range(files):
        team = TEAMS[number % len(TEAMS)]
        env = ENVIRONMENTS[(number // len(TEAMS)) % len(ENVIRONMENTS)]
        name = _name(rng)
        parts: list[str] = []
        roll = rng.random()
        if roll < 0.45:
            parts += [deployment(rng, name, team, env), service(rng, name, team, env)]
        elif roll < 0.8:
            parts += [configmap(rng, name, team, env)]
            if rng.random() < 0.5:
                parts.append(service(rng, name, team, env))
        elif roll < 0.97:
            parts += [deployment(rng, name, team, env), service(rng, name, team, env), configmap(rng, name, team, env)]
        else:
            parts += [service_monitor(rng, name, team, env), service(rng, name, team, env)]
        if rng.random() < deprecated_share * 2:
            parts.append(deprecated_object(rng, name + "-legacy", team, env))
            deprecated += 1
        header = f"# Source: {team}/templates/{name}.yaml\n" if rng.random() < 0.2 else ""
        text = header + "---\n".join(parts) if rng.random() < 0.5 else header + "".join(f"---\n{p}" for p in parts)
        directory = root / team / env / name.split("-")[0]
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{number:05d}-{name}.yaml"
        data = text.encode()
        path.write_bytes(data)
        documents += len(parts)
        total += len(data)
    return CorpusInfo(root, files, documents, deprecated, total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    info = generate(args.out, args.files, args.seed)
    print(f"{info.files} files, {info.documents} documents ({info.deprecated} deprecated), "
          f"{info.bytes / 1e6:.1f} MB in {info.root}")


if __name__ == "__main__":
    main()
