"""Property: however a manifest is written, the scanner finds the same objects, and every
finding's line/column points at the object's apiVersion value in the text."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pluto_py.core.parse import decode_text, parse_text
from pluto_py.core.table import load_builtin_table
from pluto_py.core.versions import parse_version
from pluto_py.pipeline.judge import Targets, scan_stream

API_KINDS = [
    ("extensions/v1beta1", "Ingress"), ("networking.k8s.io/v1beta1", "Ingress"), ("batch/v1beta1", "CronJob"),
    ("policy/v1beta1", "PodDisruptionBudget"), ("policy/v1beta1", "PodSecurityPolicy"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"), ("apps/v1", "Deployment"), ("v1", "ConfigMap"),
    ("networking.k8s.io/v1", "Ingress"), ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
]
NAMES = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)


@st.composite
def k8s_objects(draw: st.DrawFn) -> dict[str, Any]:
    api_version, kind = draw(st.sampled_from(API_KINDS))
    metadata: dict[str, Any] = {"name": draw(NAMES)}
    if draw(st.booleans()):
        metadata["namespace"] = draw(NAMES)
    obj: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": metadata}
    if draw(st.booleans()):
        # Text that looks like a manifest but is data: never a finding.
        obj["data"] = {"embedded.yaml": "apiVersion: extensions/v1beta1\nkind: Ingress\n"}
    if draw(st.booleans()):
        obj["spec"] = {"scaleTargetRef": {"apiVersion": "extensions/v1beta1", "kind": "Deployment", "name": "x"}}
    return obj


def plain_yaml(value: Any, indent: int = 0) -> str:
    pad = " " * indent
    lines = []
    for key, item in value.items():
        if isinstance(item, dict):
            lines.append(f"{pad}{key}:\n{plain_yaml(item, indent + 2)}")
        elif "\n" in item:
            body = "".join(f"{pad}  {line}\n" for line in item.splitlines())
            lines.append(f"{pad}{key}: |\n{body}".rstrip("\n"))
        else:
            lines.append(f"{pad}{key}: {item}")
    return "\n".join(lines)


def plain_stream(objects: list[dict[str, Any]]) -> str:
    return "".join(f"---\n{plain_yaml(obj)}\n" for obj in objects)


@st.composite
def scalar(draw: st.DrawFn, text: str) -> str:
    style = draw(st.sampled_from(["plain", "single", "double"]))
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style == "double":
        return json.dumps(text)
    return text


@st.composite
def fancy_yaml(draw: st.DrawFn, value: dict[str, Any], indent: int) -> str:
    pad = " " * indent
    keys = draw(st.permutations(list(value)))
    if draw(st.integers(0, 4)) == 0:  # flow style for the whole mapping
        parts = []
        for key in keys:
            item = value[key]
            rendered = (json.dumps(item) if isinstance(item, str) and "\n" in item
                        else draw(fancy_flow(item)) if isinstance(item, dict) else draw(scalar(item)))
            parts.append(f"{draw(scalar(key))}: {rendered}")
        return pad + "{" + ", ".join(parts) + "}"
    lines = []
    for key in keys:
        if draw(st.integers(0, 3)) == 0:
            lines.append(f"{pad}# {draw(st.sampled_from(['note', 'apiVersion: extensions/v1beta1', '---']))}")
        item = value[key]
        quoted_key = draw(scalar(key))
        if isinstance(item, dict):
            nested = draw(fancy_yaml(item, indent + 2))
            if nested.lstrip().startswith("{"):
                lines.append(f"{pad}{quoted_key}: {nested.strip()}")
            else:
                lines.append(f"{pad}{quoted_key}:\n{nested}")
        elif "\n" in item:
            body = "".join(f"{pad}  {line}\n" for line in item.splitlines())
            lines.append(f"{pad}{quoted_key}: |\n{body}".rstrip("\n"))
        else:
            comment = draw(st.sampled_from(["", "", "  # trailing"]))
            lines.append(f"{pad}{quoted_key}: {draw(scalar(item))}{comment}")
    return "\n".join(lines)


@st.composite
def fancy_flow(draw: st.DrawFn, value: dict[str, Any]) -> str:
    keys = draw(st.permutations(list(value)))
    parts = []
    for key in keys:
        item = value[key]
        rendered = draw(fancy_flow(item)) if isinstance(item, dict) else (
            json.dumps(item) if "\n" in item else draw(scalar(item)))
        parts.append(f"{draw(scalar(key))}: {rendered}")
    return "{" + ", ".join(parts) + "}"


@st.composite
def fancy_stream(draw: st.DrawFn, objects: list[dict[str, Any]]) -> bytes:
    chunks = []
    if draw(st.booleans()):
        chunks.append("# generated\n")
    for position, obj in enumerate(objects):
        separator = draw(st.sampled_from(["---\n", "--- # next\n", "---   \n"]))
        if position == 0 and draw(st.booleans()):
            separator = ""  # a bare first document
        chunks.append(separator + draw(fancy_yaml(obj, 0)) + "\n")
        if draw(st.integers(0, 3)) == 0:
            chunks.append("...\n")
            if position + 1 < len(objects):
                chunks.append("# between documents\n")
    text = "".join(chunks)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    raw = text.encode("utf-8")
    if draw(st.booleans()):
        raw = b"\xef\xbb\xbf" + raw
    return raw


def findings(raw: bytes, target: str, *, json_file: bool = False) -> tuple[list[tuple[Any, ...]], str]:
    text = decode_text(raw)
    items = list(parse_text(text, "t.yaml", "file", json_file=json_file))
    found, errors = scan_stream(items, load_builtin_table(), Targets(parse_version(target)))
    assert errors == []
    lines = text.replace("\r\n", "\n").split("\n")
    for finding in found:
        # The position is exactly where the apiVersion value starts, quoted or not.
        at = lines[finding.line - 1][finding.column - 1:]
        assert at.lstrip("'\"").startswith(finding.api_version), (finding, at)
    return [(f.document, f.api_version, f.kind, f.name, f.namespace, f.status) for f in found], text


TARGETS = st.sampled_from(["1.16", "1.21", "1.22", "1.25", "1.26", "1.37"])


@settings(max_examples=150, deadline=None)
@given(st.lists(k8s_objects(), min_size=1, max_size=5).flatmap(
    lambda objs: st.tuples(st.just(objs), fancy_stream(objs))), TARGETS)
def test_any_writing_gives_the_same_findings_as_the_plain_form(case: tuple[list[dict[str, Any]], bytes],
                                                               target: str) -> None:
    objects, raw = case
    expected, _ = findings(plain_stream(objects).encode(), target)
    actual, _ = findings(raw, target)
    assert actual == expected


@settings(max_examples=50, deadline=None)
@given(k8s_objects(), TARGETS, st.sampled_from([None, 1, 2, 4]))
def test_json_gives_the_same_findings_as_yaml(obj: dict[str, Any], target: str, indent: int | None) -> None:
    expected, _ = findings(plain_stream([obj]).encode(), target)
    actual, _ = findings(json.dumps(obj, indent=indent).encode(), target, json_file=True)
    assert actual == expected
    as_list = {"apiVersion": "v1", "kind": "List", "items": [obj, obj]}
    listed, _ = findings(json.dumps(as_list, indent=indent).encode(), target, json_file=True)
    assert listed == expected * 2
