"""Properties of `fix` over generated manifests in many writing styles: idempotent, nothing outside
the migrated objects changes, and a rescan at the same target finds nothing left to fix."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pluto_py.core.parse import split_documents
from pluto_py.fix import MIGRATED, NEEDS_HUMAN
from pluto_py.fix.edits import plain_safe
from tests.test_fix_helpers import findings, fix, objects_of, validate_strict

TARGET = "1.26"
names = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
ports = st.one_of(st.integers(1, 65535), st.sampled_from(["http", "https", "metrics"]))


@st.composite
def ingress(draw: st.DrawFn) -> dict[str, Any]:
    paths = [{"path": draw(st.sampled_from(["/", "/api", "/static"])),
              "backend": {"serviceName": draw(names), "servicePort": draw(ports)}}
             for _ in range(draw(st.integers(1, 3)))]
    spec: dict[str, Any] = {"rules": [{"host": "a.example.com", "http": {"paths": paths}}]}
    if draw(st.booleans()):
        spec = {"backend": {"serviceName": draw(names), "servicePort": draw(ports)}, **spec}
    return {"apiVersion": draw(st.sampled_from(["extensions/v1beta1", "networking.k8s.io/v1beta1"])),
            "kind": "Ingress", "metadata": {"name": draw(names)}, "spec": spec}


@st.composite
def others(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(names)
    labels = {"app": name}
    return draw(st.sampled_from([
        {"apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget", "metadata": {"name": name},
         "spec": {"minAvailable": 1, "selector": {"matchLabels": labels}}},
        {"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": name},
         "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": {
             "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}}},
        {"apiVersion": "autoscaling/v2beta1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name},
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                  "maxReplicas": 3, "metrics": [{"type": "Resource", "resource": {
                      "name": "cpu", "targetAverageUtilization": 50}}]}},
        {"apiVersion": "extensions/v1beta1", "kind": "Deployment", "metadata": {"name": name},
         "spec": {"replicas": 1, "template": {"metadata": {"labels": labels}, "spec": {
             "containers": [{"name": "c", "image": "busybox"}]}}}},
        {"apiVersion": "rbac.authorization.k8s.io/v1beta1", "kind": "ClusterRole", "metadata": {"name": name},
         "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]},
        {"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta1", "kind": "PriorityLevelConfiguration",
         "metadata": {"name": name}, "spec": {"type": "Limited", "limited": {
             "assuredConcurrencyShares": 10, "limitResponse": {"type": "Reject"}}}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v: 1"}},
    ]))


class Writer:
    """Writes data as YAML in a drawn style: indentation, sequence indentation, flow leaves, quoting,
    trailing comments."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.step = draw(st.sampled_from([2, 4]))
        self.seq = draw(st.sampled_from([0, 2]))
        self.flow_leaves = draw(st.booleans())

    def scalar(self, value: Any) -> str:
        if isinstance(value, str):
            style = self.draw(st.sampled_from(["plain", "single", "double"]))
            if style == "plain" and plain_safe(value):
                return value
            if style == "single" and "'" not in value:
                return f"'{value}'"
            return json.dumps(value)
        return json.dumps(value)

    def comment(self) -> str:
        return "  # note" if self.draw(st.integers(0, 5)) == 0 else ""

    def flow(self, value: Any) -> str:
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k}: {self.flow(v)}" for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(self.flow(v) for v in value) + "]"
        return self.scalar(value)

    def leaf(self, value: Any) -> bool:
        return isinstance(value, dict | list) and bool(value) and self.flow_leaves and all(
            not isinstance(v, dict | list) for v in (value.values() if isinstance(value, dict) else value))

    def mapping(self, value: dict[str, Any], indent: int) -> list[str]:
        lines = []
        for key, item in value.items():
            pad = " " * indent
            if isinstance(item, dict) and item and not self.leaf(item):
                lines.append(f"{pad}{key}:{self.comment()}")
                lines.extend(self.mapping(item, indent + self.step))
            elif isinstance(item, list) and item and not self.leaf(item):
                lines.append(f"{pad}{key}:")
                lines.extend(self.sequence(item, indent + self.seq))
            else:
                lines.append(f"{pad}{key}: {self.flow(item)}{self.comment()}")
        return lines

    def sequence(self, value: list[Any], indent: int) -> list[str]:
        lines = []
        for item in value:
            if isinstance(item, dict) and item:
                inner = self.mapping(item, indent + 2)
                lines.append(" " * indent + "- " + inner[0][indent + 2:])
                lines.extend(inner[1:])
            else:
                lines.append(" " * indent + "- " + self.flow(item))
        return lines


@st.composite
def streams(draw: st.DrawFn) -> str:
    objects = draw(st.lists(st.one_of(ingress(), others()), min_size=1, max_size=4))
    documents = []
    for obj in objects:
        writer = Writer(draw)
        head = "# generated\n" if draw(st.booleans()) else ""
        documents.append(head + "\n".join(writer.mapping(obj, 0)) + "\n")
    text = "---\n".join(documents)
    return text.replace("\n", "\r\n") if draw(st.booleans()) else text


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(streams())
def test_fix_is_idempotent_and_touches_only_migrated_documents(text: str) -> None:
    result = fix(text, TARGET)
    assert not result.errors
    assert all(o.outcome in (MIGRATED, NEEDS_HUMAN) for o in result.objects)
    again = fix(result.fixed, TARGET)
    assert again.fixed == result.fixed
    before = list(split_documents(text))
    after = list(split_documents(result.fixed.decode()))
    assert len(before) == len(after)
    changed = {o.document for o in result.objects if o.outcome == MIGRATED}
    for old, new in zip(before, after, strict=True):
        if old.index not in changed:
            assert old.text == new.text
        else:
            assert old.text.splitlines(keepends=True)[0][-1:] == new.text.splitlines(keepends=True)[0][-1:]


@SETTINGS
@given(streams())
def test_rescan_after_fix_finds_nothing_fixable_and_objects_are_valid(text: str) -> None:
    result = fix(text, TARGET)
    left = {(o.kind, o.name) for o in result.objects if o.outcome == NEEDS_HUMAN}
    remaining = {(f.kind, f.name) for f in findings(result.fixed, TARGET) if f.status == "removed"}
    assert remaining <= left
    for obj in objects_of(result.fixed):
        if (obj["kind"], obj["metadata"]["name"]) not in left:
            validate_strict(obj, TARGET)
