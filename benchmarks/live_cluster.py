"""Benchmark `kdeprecate scan --cluster` on a large cluster served by the local API server stand-in.

    python -m pip install -e '.[test]'      # the cluster extra and the stand-in's trustme
    python benchmarks/live_cluster.py       # 100,000 objects across 200 resources; --help for options

The stand-in (tests/kubeapi) serves, over HTTPS on 127.0.0.1, 200 custom resources (each with its
CRD; one version in a hundred was applied in a version the CRD deprecates) besides the built-in
ones, objects made on demand (the server holds none). Measured in the same run, as child processes:

* ``kdeprecate scan --cluster -o json`` of the large cluster, and of one a tenth its size (a tenth of
  the resources, so the pages are the same): peak memory (ru_maxrss) of both, and their ratio (flat
  memory: about 1);
* the same objects written as dump files, one ``kubectl get RESOURCE -A -o json`` List per resource,
  scanned from disk (``kdeprecate scan DIR -o json``): the baseline the cluster scan's time is
  compared with. The cluster scan also pays for TLS, JSON decoding and the server (a Python process
  sharing the machine's cores).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import compile_bytecode, peak_rss_kb, run_child  # noqa: E402

from tests.kubeapi import KubeAPIServer  # noqa: E402

GROUP = "bench.example.com"
ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"


def crd(index: int) -> dict[str, Any]:
    kind = f"Thing{index:03d}"
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"thing{index:03d}s.{GROUP}"},
            "spec": {"group": GROUP, "scope": "Namespaced",
                     "names": {"plural": f"thing{index:03d}s", "singular": f"thing{index:03d}", "kind": kind},
                     "versions": [{"name": "v1", "served": True, "storage": True},
                                  {"name": "v1beta1", "served": True, "storage": False, "deprecated": True}]}}


def maker(index: int, count: int) -> Callable[[int], dict[str, Any]]:
    """Item ``i`` of resource ``index`` as the server lists it (no apiVersion/kind), in key order."""
    kind = f"Thing{index:03d}"

    def make(i: int) -> dict[str, Any]:
        name = f"obj-{i:06d}"
        version = "v1beta1" if i % 100 == 0 else "v1"  # one in a hundred applied in a deprecated version
        applied = {"apiVersion": f"{GROUP}/{version}", "kind": kind,
                   "metadata": {"name": name, "namespace": "bench", "labels": {"app": "bench", "tier": "web"}},
                   "spec": {"replicas": 2, "image": f"registry.example.com/app:{i % 50}", "size": i}}
        return {"metadata": {"name": name, "namespace": "bench", "uid": f"{index:08d}-0000-4000-8000-{i:012d}",
                             "resourceVersion": str(1000 + i), "creationTimestamp": "2024-01-01T00:00:00Z",
                             "labels": {"app": "bench", "tier": "web"},
                             "annotations": {ANNOTATION: json.dumps(applied, separators=(",", ":"))}},
                "spec": applied["spec"], "status": {"observedGeneration": 1}}

    return make


def serve(objects: int, resources: int) -> KubeAPIServer:
    api = KubeAPIServer("1.29", "v1.29.4", metrics_api=False)
    api.add(*(crd(i) for i in range(resources)))
    per_resource = objects // resources
    for i in range(resources):
        api.add_generated(f"{GROUP}/v1", f"Thing{i:03d}", f"thing{i:03d}s", per_resource, maker(i, per_resource))
    return api


def write_dumps(directory: Path, objects: int, resources: int) -> None:
    """The same objects as `kubectl get thingNNNs -A -o json` files, one per resource, and the CRDs."""
    per_resource = objects // resources
    (directory / "crds.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List",
                                                     "items": [crd(i) for i in range(resources)]}))
    for i in range(resources):
        make = maker(i, per_resource)
        items = []
        for n in range(per_resource):
            item = make(n)
            items.append({"apiVersion": f"{GROUP}/v1", "kind": f"Thing{i:03d}", **item})
        (directory / f"thing{i:03d}s.json").write_text(
            json.dumps({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items}))


def kubeconfig(api: KubeAPIServer, directory: Path) -> Path:
    path = directory / "kubeconfig.json"
    path.write_text(json.dumps(api.kubeconfig(context="bench")))
    return path


def findings_of(stdout: str) -> int:
    return len(json.loads(stdout)["findings"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--resources", type=int, default=200)
    parser.add_argument("--small", type=int, default=0,
                        help="objects of the small run (default: a tenth, across a tenth of the resources: the "
                        "same pages, fewer of them)")
    parser.add_argument("--no-compile", action="store_true",
                        help="do not byte-compile the package first (the tests: they write nothing into the checkout)")
    args = parser.parse_args(argv)
    small = args.small or args.objects // 10
    small_resources = max(1, args.resources * small // args.objects)
    if not args.no_compile:
        compile_bytecode()
    python = sys.executable
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="kdeprecate-live-bench-") as scratch:
        root = Path(scratch)
        for label, objects, resources in (("small", small, small_resources),
                                          ("large", args.objects, args.resources)):
            with serve(objects, resources) as api:
                config = kubeconfig(api, root)
                command = [python, "-m", "pluto_py", "scan", "--cluster", "--kubeconfig", str(config),
                           "--target", "1.29", "-o", "json"]
                run = run_child(command, ok=(0, 1))
                results[f"{label}_seconds"] = run.seconds
                results[f"{label}_findings"] = findings_of(run.stdout)
                results[f"{label}_rss_kb"] = peak_rss_kb(command, ok=(0, 1))
                results[f"{label}_requests"] = len(api.requests)
        dumps = root / "dumps"
        dumps.mkdir()
        started = time.perf_counter()
        write_dumps(dumps, args.objects, args.resources)
        written = time.perf_counter() - started
        size = sum(f.stat().st_size for f in dumps.iterdir())
        baseline = run_child([python, "-m", "pluto_py", "scan", str(dumps), "--target", "1.29", "-o", "json"],
                             ok=(0, 1))
        results["dump_seconds"] = baseline.seconds
        results["dump_findings"] = findings_of(baseline.stdout)
        results["dump_rss_kb"] = peak_rss_kb([python, "-m", "pluto_py", "scan", str(dumps), "--target", "1.29",
                                              "-o", "json"], ok=(0, 1))
    mib = 1024.0
    print(f"cluster: {args.objects:,} objects across {args.resources} custom resources (+ the built-in ones), "
          f"{results['large_requests']:,.0f} requests; small run: {small:,} objects across {small_resources}")
    print(f"dump files: {args.resources} files, {size / mib / mib:.1f} MiB (written in {written:.1f} s)")
    print(f"{'':44}{'seconds':>9}{'peak RSS':>11}{'findings':>10}")
    for label, key in (("scan --cluster, large", "large"), ("scan --cluster, small", "small"),
                       ("scan of the same objects as dump files", "dump")):
        print(f"{label:44}{results[key + '_seconds']:9.1f}{results[key + '_rss_kb'] / mib:8.0f} MiB"
              f"{results[key + '_findings']:10,.0f}")
    memory = results["large_rss_kb"] / results["small_rss_kb"]
    speed = results["large_seconds"] / results["dump_seconds"]
    print(f"peak memory, large / small cluster: {memory:.2f} (flat: about 1)")
    print(f"time, cluster scan / dump-file scan of the same objects: {speed:.2f}")
    same = results["large_findings"] == results["dump_findings"] == args.objects // 100
    print(f"findings agree (cluster = dump = one in a hundred objects): {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
