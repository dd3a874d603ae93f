"""Speed cliffs: shapes of input that miss the fast parser, each against a baseline of the same run.

    python benchmarks/shapes.py            # all shapes; --scale 0.1 for a quick look; --only NAME

Each shape is written to a temporary directory and scanned by a child process
(``kdeprecate scan FILE --target 1.22 -o json``: wall time and peak memory, median of --repeat runs).
Its baseline is measured in the same run, so the ratio holds on a noisy machine:

* ``helm-create-resources``: 2,000 Deployments with ``resources:`` and ``{}`` on the next line, as
  ``helm create`` writes them, against the same Deployments with ``resources: {}`` on one line;
* ``big-list``: one ``kind: List`` of 100,000 ConfigMaps (one 10 MB document), against a full parse of
  the same file by PyYAML's C loader (libyaml);
* ``crds``: ten CustomResourceDefinitions of ~600 KB each, with multi-line plain and quoted
  descriptions as controller-gen folds them (kube-prometheus-stack's CRDs are of this kind), against
  libyaml's full parse of the same file;
* ``empty-documents``: 100,000 empty documents (``---`` lines) against as many one-line ConfigMaps
  (documents the pre-scan drops without parsing them).

Figures and what they mean: docs/performance.md ("Speed cliffs").
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIBYAML = """
import sys, yaml
with open(sys.argv[1], "rb") as handle:
    print(sum(1 for _ in yaml.load_all(handle.read(), Loader=yaml.CSafeLoader)))
"""


def deployment(index: int, next_line: bool) -> str:
    """A Deployment as `helm create` renders it: empty ``resources``, ``nodeSelector`` and ``tolerations``
    with their ``{}``/``[]`` on the next line (``next_line``), or on the key's line."""
    def empty(key: str, value: str, indent: int) -> str:
        pad = " " * indent
        return f"{pad}{key}:\n{pad}  {value}\n" if next_line else f"{pad}{key}: {value}\n"

    # apps/v1beta2: removed at the target, so the scan parses every document (as it parses every
    # document of a chart whose objects it must judge)
    return (f"---\napiVersion: apps/v1beta2\nkind: Deployment\nmetadata:\n  name: app-{index}\n  labels:\n"
            f"    app.kubernetes.io/name: app-{index}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n"
            f"      app.kubernetes.io/name: app-{index}\n  template:\n    metadata:\n      labels:\n"
            f"        app.kubernetes.io/name: app-{index}\n    spec:\n      containers:\n        - name: app\n"
            f"          image: \"nginx:1.27\"\n          ports:\n            - name: http\n"
            f"              containerPort: 80\n{empty('resources', '{}', 10)}"
            f"{empty('nodeSelector', '{}', 6)}{empty('tolerations', '[]', 6)}")


def big_list(count: int) -> str:
    items = "".join(f"  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: cm-{i}\n"
                    f"      namespace: ns-{i % 10}\n    data:\n      key: \"value {i}\"\n" for i in range(count))
    return f"apiVersion: v1\nkind: List\nitems:\n{items}"


_WORDS = ("the", "selector", "resource", "must", "be", "a", "valid", "name", "of", "object", "that",
          "defines", "configuration", "Prometheus", "scrape", "secret", "key", "value", "if", "specified")


def _folded(rng: random.Random, indent: int, words: int) -> str:
    """A long description folded at ~80 columns as controller-gen writes it: plain, single- or double-quoted."""
    text = " ".join(rng.choice(_WORDS) for _ in range(words))
    style = rng.choice(("plain", "plain", "single", "double"))
    if style == "single":
        text = f"'{text}: see https://example.com/docs'"
    elif style == "double":
        text = f'"{text} \\n more: see the docs"'
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + len(word) > 70:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return ("\n" + " " * (indent + 2)).join(lines)


def _properties(rng: random.Random, indent: int, depth: int, width: int) -> str:
    pad = " " * indent
    out = []
    for index in range(width):
        out.append(f"{pad}field{index}:\n{pad}  description: {_folded(rng, indent + 2, rng.randrange(8, 60))}\n")
        if depth > 0 and rng.random() < 0.6:
            out.append(f"{pad}  properties:\n{_properties(rng, indent + 4, depth - 1, width)}{pad}  type: object\n")
        else:
            out.append(f"{pad}  type: {rng.choice(('string', 'integer', 'boolean'))}\n")
    return "".join(out)


def crd(rng: random.Random, index: int) -> str:
    return (f"---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
            f"  name: things{index}.example.com\nspec:\n  group: example.com\n  names:\n    kind: Thing{index}\n"
            f"    plural: things{index}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n"
            f"    storage: true\n    schema:\n      openAPIV3Schema:\n        properties:\n"
            f"{_properties(rng, 10, 4, 7)}        type: object\n")


def shapes(scale: float) -> dict[str, tuple[str, str, str]]:
    """name -> (text of the shape, text of the baseline, what the baseline is: scan | libyaml)."""
    rng = random.Random(7)
    deployments = max(int(2000 * scale), 10)
    return {
        "helm-create-resources": ("".join(deployment(i, True) for i in range(deployments)),
                                  "".join(deployment(i, False) for i in range(deployments)), "scan"),
        "big-list": (big_list(max(int(100_000 * scale), 10)), "", "libyaml"),
        "crds": ("".join(crd(rng, i) for i in range(max(int(10 * scale), 1))), "", "libyaml"),
        "empty-documents": ("---\n" * max(int(100_000 * scale), 10),
                            "---\nkind: ConfigMap\n" * max(int(100_000 * scale), 10), "scan"),
    }


def measure(command: Sequence[str], repeat: int, ok: Sequence[int] = (0, 1)) -> tuple[float, float]:
    """(median wall seconds, peak RSS MiB) of a child process."""
    times, peaks = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - started)
        assert process.stderr is not None
        errors = process.stderr.read().decode(errors="replace")
        process.stderr.close()
        code = os.waitstatus_to_exitcode(status)
        if code not in ok:
            raise SystemExit(f"{' '.join(command[:5])}...: exit {code}\n{errors[-2000:]}")
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(times), max(peaks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="size of every shape (1.0: as described)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", action="append", help="measure only this shape (repeatable)")
    args = parser.parse_args(argv)

    def scan(path: Path) -> list[str]:
        return [sys.executable, "-m", "pluto_py", "scan", str(path), "--target", "1.22", "-o", "json", "--no-config"]

    env_note = f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; median of {args.repeat} runs"
    print(f"speed cliffs (scale {args.scale}; {env_note})")
    print(f"  {'shape':24} {'scan':>9} {'peak':>9}   {'baseline':28} {'base':>9}  ratio")
    with tempfile.TemporaryDirectory(prefix="kdeprecate-shapes-") as directory:
        for name, (text, baseline_text, baseline) in shapes(args.scale).items():
            if args.only and name not in args.only:
                continue
            path = Path(directory) / f"{name}.yaml"
            path.write_text(text)
            seconds, peak = measure(scan(path), args.repeat)
            if baseline == "scan":
                base_path = Path(directory) / f"{name}.baseline.yaml"
                base_path.write_text(baseline_text)
                base, _ = measure(scan(base_path), args.repeat)
                label = "scan of the one-line form" if name != "empty-documents" else "scan of 1-line ConfigMaps"
            elif baseline == "libyaml":
                base, _ = measure([sys.executable, "-c", LIBYAML, str(path)], args.repeat, ok=(0,))
                label = "libyaml full parse (PyYAML)"
            else:
                raise AssertionError(baseline)
            size = len(text.encode()) / 1e6
            print(f"  {name:24} {seconds:8.2f}s {peak:7.0f}MiB   {label:28} {base:8.2f}s  {seconds / base:5.2f}"
                  f"   ({size:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
