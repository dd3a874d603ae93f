"""The fast path (prescan: skip documents that cannot matter) changes no finding.

Scans run the library pipeline of `kdeprecate scan` (sources, cluster expander, CRD tracker) twice,
with and without SourceRequest.prescan, on generated streams and on every fixture: the findings
and the document count are identical, and so are the errors of every input that is valid YAML.
A document the fast path skips is not checked for YAML errors below its top level (prescan.py),
so for damaged inputs the fast path's errors are a subset of the full parse's (a skipped broken
document is counted as a document instead).
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pluto_py.core.prescan import PrescanPolicy, needs_full_parse, read_head
from pluto_py.core.table import load_builtin_table
from pluto_py.core.versions import parse_version
from pluto_py.pipeline.crd_versions import CrdVersionTracker
from pluto_py.pipeline.judge import Targets, scan_stream
from pluto_py.sources import InputStats, SourceRequest
from pluto_py.sources.cluster import cluster_expander
from pluto_py.sources.paths import iter_documents
from tests.conftest import FIXTURES

TABLE = load_builtin_table()
POLICY = PrescanPolicy.for_table(TABLE.rows)
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def scan_paths(paths: list[str], prescan: bool, target: str = "1.25") -> tuple[list[Any], list[Any], int]:
    targets = Targets(parse_version(target), {})
    stats = InputStats()
    options = SourceRequest(prescan=POLICY if prescan else None)
    expander = cluster_expander()
    documents = expander.prepare(iter_documents(paths, options, stats))
    findings, errors = scan_stream(documents, TABLE, targets, expanders=[expander], hooks=[CrdVersionTracker(targets)])
    return [f.to_dict() for f in findings], [e.to_dict() for e in errors], stats.documents


def compare(text: str, *, valid: bool | None = None) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "input.yaml"
        path.write_bytes(text.encode("utf-8"))
        fast = scan_paths([str(path)], prescan=True)
        full = scan_paths([str(path)], prescan=False)
    assert fast[0] == full[0], f"findings differ for {text!r}"
    if valid or not full[1]:
        assert fast[1] == full[1], f"errors differ for {text!r}"
        assert fast[2] == full[2], "document counts differ"
    else:  # a skipped broken document is counted, not reported
        assert all(error in full[1] for error in fast[1])
        assert fast[2] - full[2] == len(full[1]) - len(fast[1])


OBJECTS = [
    ("extensions/v1beta1", "Ingress"), ("networking.k8s.io/v1", "Ingress"), ("policy/v1beta1", "PodDisruptionBudget"),
    ("batch/v1beta1", "CronJob"), ("apps/v1", "Deployment"), ("v1", "ConfigMap"), ("v1", "Service"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"), ("example.com/v1beta1", "Widget"),
    ("cert-manager.io/v1alpha2", "Certificate"), ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"),
]
CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {"group": "example.com", "names": {"kind": "Widget", "plural": "widgets"}, "scope": "Namespaced",
             "versions": [{"name": "v1beta1", "served": True, "storage": False, "deprecated": True},
                          {"name": "v1", "served": True, "storage": True}]},
}


@st.composite
def k8s_object(draw: st.DrawFn) -> dict[str, Any]:
    shape = draw(st.integers(0, 9))
    if shape == 0:
        return CRD
    api_version, kind = draw(st.sampled_from(OBJECTS))
    obj: dict[str, Any] = {"apiVersion": api_version, "kind": kind,
                           "metadata": {"name": draw(st.sampled_from(["web", "db", "x-1"]))}}
    if draw(st.booleans()):
        obj["metadata"]["namespace"] = "shop"
    if draw(st.booleans()):
        obj["data"] = {"embedded.yaml": "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: e\n"}
    if shape == 1:  # a live object whose last-applied configuration uses a removed API
        obj["metadata"]["uid"] = "0b9c"
        applied = {"apiVersion": "extensions/v1beta1", "kind": "Ingress", "metadata": {"name": "old"}}
        obj["metadata"]["annotations"] = {LAST_APPLIED: json.dumps(applied)}
    if shape == 2:
        return {"apiVersion": "v1", "kind": "List", "items": [obj, dict(CRD)]}
    if shape == 3:
        obj["spec"] = {"scaleTargetRef": {"apiVersion": "extensions/v1beta1", "kind": "Deployment"}}
    return obj


def _plain_ok(text: str) -> bool:
    return bool(text) and text[0].isalpha() and all(c.isalnum() or c in "./-_" for c in text) and text not in (
        "true", "false", "null", "yes", "no", "on", "off", "True", "False", "Null", "NULL", "TRUE", "FALSE")


def scalar(value: Any, rng: random.Random) -> str:
    if isinstance(value, str):
        if "\n" in value:
            return json.dumps(value)
        style = rng.randrange(4)
        if style == 0 and _plain_ok(value):
            return value
        if style == 1 and "'" not in value:
            return f"'{value}'"
        return json.dumps(value)
    return json.dumps(value)


def block(value: Any, indent: int, rng: random.Random) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        for key in keys:
            item = value[key]
            if rng.random() < 0.1:
                lines.append(pad + "# a comment")
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}{key}:")
                lines.extend(block(item, indent + 2, rng))
            elif isinstance(item, str) and "\n" in item and rng.random() < 0.7:
                lines.append(f"{pad}{key}: |")
                lines.extend(pad + "  " + line for line in item.rstrip("\n").split("\n"))
            else:
                text = json.dumps(item) if isinstance(item, dict | list) else scalar(item, rng)
                lines.append(f"{pad}{key}: {text}")
    else:
        for item in value:
            sub = block(item, indent + 2, rng) if isinstance(item, dict | list) else [pad + "  " + scalar(item, rng)]
            first = sub[0].lstrip()
            lines.append(f"{pad}- {first}")
            lines.extend(sub[1:])
    return lines


TRICKS = [
    lambda lines, rng: ['"apiVersion": extensions/v1beta1' if line.startswith("apiVersion:") else line
                        for line in lines],
    lambda lines, rng: [line.replace("kind: ", "kind: !!str ", 1) if line.startswith("kind: ") else line
                        for line in lines],
    lambda lines, rng: ["note: \"begins", "apiVersion: extensions/v1beta1", "kind: Ingress\"", *lines],
    lambda lines, rng: ["note: [a,", "apiVersion: extensions/v1beta1,", "kind: Ingress]", *lines],
    lambda lines, rng: [*lines, "apiVersion: extensions/v1beta1"],
    lambda lines, rng: ["base: &b extensions/v1beta1", *["apiVersion: *b" if line.startswith("apiVersion:")
                                                         else line for line in lines]],
    lambda lines, rng: ["<<: {apiVersion: extensions/v1beta1, kind: Ingress}",
                        *[line for line in lines if not line.startswith(("apiVersion:", "kind:"))]],
    lambda lines, rng: [line + "\n  continued" if line.startswith("apiVersion:") else line for line in lines],
    lambda lines, rng: ["# kdeprecate: ignore", *lines],
    lambda lines, rng: ["? apiVersion", ": extensions/v1beta1",
                        *[line for line in lines if not line.startswith("apiVersion:")]],
    lambda lines, rng: [line.replace("apiVersion:", "apiVersion :") for line in lines],
    lambda lines, rng: ["%YAML 1.1", "---", *lines],
    lambda lines, rng: [line.replace("apiVersion: ", "apiVersion:\t") for line in lines],
    lambda lines, rng: [*lines, "spec: {broken"],
    lambda lines, rng: [*lines, "spec:", "  a: 1", "   b: 2"],
]


def render(obj: dict[str, Any], rng: random.Random) -> str:
    style = rng.randrange(10)
    if style == 0:
        return json.dumps(obj) + "\n"
    if style == 1:
        return json.dumps(obj, indent=2) + "\n"
    lines = block(obj, 0, rng)
    if rng.random() < 0.25:
        lines = rng.choice(TRICKS)(lines, rng)
    return "\n".join(lines) + "\n"


@st.composite
def streams(draw: st.DrawFn) -> str:
    rng = draw(st.randoms(use_true_random=False))
    parts = [render(obj, rng) for obj in draw(st.lists(k8s_object(), min_size=1, max_size=4))]
    text = ""
    for index, part in enumerate(parts):
        separator = rng.choice(["---\n", "--- # next\n", "---\n# Source: chart/templates/x.yaml\n", "\n---\n"])
        text += (separator if index or rng.random() < 0.5 else "") + part
        if rng.random() < 0.1:
            text += "...\n"
    if rng.random() < 0.15:
        text = text.replace("\n", "\r\n")
    if rng.random() < 0.1:
        text = "\ufeff" + text
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streams())
def test_fast_path_and_full_parse_agree(text: str) -> None:
    compare(text)


def test_fast_path_and_full_parse_agree_on_the_fixtures() -> None:
    paths = [str(path) for path in sorted(FIXTURES.rglob("*")) if path.suffix in (".yaml", ".yml", ".json")
             and "charts" not in path.parts]
    for target in ("1.16", "1.25", "1.37"):
        fast = scan_paths(paths, prescan=True, target=target)
        full = scan_paths(paths, prescan=False, target=target)
        assert fast == full
        assert fast[0], "the fixtures have findings"


def test_fast_path_agrees_on_block_scalars_that_look_like_manifests() -> None:
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  x.yaml: |\n"
            "    apiVersion: extensions/v1beta1\n    kind: Ingress\n---\n"
            "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: real\n")
    compare(text, valid=True)
    findings, _, documents = scan_paths_from_text(text)
    assert [f["name"] for f in findings] == ["real"] and documents == 2


def scan_paths_from_text(text: str) -> tuple[list[Any], list[Any], int]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "input.yaml"
        path.write_text(text, encoding="utf-8")
        return scan_paths([str(path)], prescan=True)


def test_needs_full_parse_is_conservative() -> None:
    def needs(text: str) -> bool:
        return needs_full_parse(read_head(text), text, POLICY)

    assert not needs("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\n")
    assert not needs("# Source: c/t.yaml\n---\napiVersion: 'v1'\nkind: \"Service\" # c\n")
    assert needs("apiVersion: extensions/v1beta1\nkind: Ingress\n")  # a table row
    assert needs("apiVersion: v1\nkind: List\nitems: []\n")
    assert needs("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n")
    assert needs("apiVersion: cert-manager.io/v1\nkind: Certificate\n")  # a group the table does not know
    assert needs("apiVersion: v1\nkind: Secret\ntype: helm.sh/release.v1\ndata:\n  release: H4sI\n")
    assert needs(f"apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    {LAST_APPLIED}: '{{}}'\n")
    assert needs("apiVersion: apps/v1\nkind: Deployment # kdeprecate: ignore\n")
    assert needs('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  "\\x6eame": x\n')  # an escape
    for uncertain in ("{apiVersion: apps/v1, kind: Deployment}", '"apiVersion": apps/v1\nkind: Deployment\n',
                      "apiVersion: apps/v1\nkind: !!str Deployment\n", "apiVersion: apps/v1\napiVersion: v1\n",
                      "apiVersion: apps/v1\n  beta1\nkind: Deployment\n", "%YAML 1.1\n---\napiVersion: v1\n",
                      "apiVersion: apps/v1\r kind: Deployment\n", "  apiVersion: apps/v1\n  kind: Deployment\n",
                      "apiVersion: apps/v1\nkind: Deployment\nx: \"a\nkind: b\"\n", "<<: *base\nkind: Deployment\n",
                      "apiVersion: true\nkind: Deployment\n", "apiVersion: 1.0\nkind: Deployment\n",
                      "apiVersion: v1\nkind: ConfigMap\ndata: {a: [\n", "apiVersion: v1\nkind: ConfigMap\nx: 'a\n",
                      "apiVersion: v1\nkind: ConfigMap\nx: {{ .Values.x }}\n", "apiVersion: v1\n\tkind: Pod\n"):
        assert not read_head(uncertain).certain, uncertain
        assert needs(uncertain), uncertain
