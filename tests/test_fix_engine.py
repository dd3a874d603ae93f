"""The edit engine: exact splicing in every style, safety refusals, --from, and edge inputs."""

from __future__ import annotations

import codecs
import json
import os
import stat
from pathlib import Path

from pluto_py.fix import FAILED, MIGRATED, NEEDS_HUMAN, TEMPLATE, write_atomic
from pluto_py.fix.edits import plain_safe
from tests.test_fix_helpers import fix, objects_of, validate_strict

INGRESS = """\
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: web}
spec:
  backend:
    serviceName: web
    servicePort: 80
"""


def test_untouched_file_is_returned_identical() -> None:
    text = "# nothing old here\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
    result = fix(text, "1.29")
    assert result.fixed == text.encode() and not result.objects and not result.changed


def test_other_documents_and_separators_are_kept_byte_for_byte() -> None:
    other = "%YAML 1.2\n---\n# keep: 'me'\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: \"1\"}\n"
    text = other + "---\n" + INGRESS + "...\n---\n" + other.split("---\n", 1)[1]
    result = fix(text, "1.22")
    fixed = result.fixed.decode()
    assert fixed.startswith(other) and fixed.endswith("...\n---\n" + other.split("---\n", 1)[1])
    assert "defaultBackend:\n    service:\n      name: web\n      port:\n        number: 80\n" in fixed


def test_flow_style_json_style_and_no_final_newline() -> None:
    flow = ("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: w}\n"
            "spec: {backend: {serviceName: w, servicePort: 80}}")
    fixed = fix(flow, "1.22").fixed.decode()
    assert fixed.endswith("spec: {defaultBackend: {service: {name: w, port: {number: 80}}}}")
    as_json = json.dumps({"apiVersion": "extensions/v1beta1", "kind": "Ingress", "metadata": {"name": "w"},
                          "spec": {"rules": [{"http": {"paths": [{"path": "/", "backend": {
                              "serviceName": "w", "servicePort": "http"}}]}}]}}, indent=4)
    result = fix(as_json, "1.22", path="i.json", json_file=True)
    data = json.loads(result.fixed)
    path = data["spec"]["rules"][0]["http"]["paths"][0]
    assert path == {"path": "/", "pathType": "ImplementationSpecific",
                    "backend": {"service": {"name": "w", "port": {"name": "http"}}}}
    assert result.fixed.decode().startswith('{\n    "apiVersion": "networking.k8s.io/v1",\n    "kind"')
    validate_strict(data, "1.22")


def test_utf16_with_bom_stays_utf16() -> None:
    raw = codecs.BOM_UTF16_LE + INGRESS.replace("\n", "\r\n").encode("utf-16-le")
    result = fix(raw, "1.22")
    assert result.fixed.startswith(codecs.BOM_UTF16_LE)
    text = result.fixed[2:].decode("utf-16-le")
    assert "networking.k8s.io/v1\r\n" in text and "\n" not in text.replace("\r\n", "")


def test_anchors_and_aliases_in_changed_parts_are_left_for_a_human() -> None:
    text = ("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: w}\nspec:\n"
            "  backend: &b\n    serviceName: w\n    servicePort: 80\n  rules:\n  - http:\n      paths:\n"
            "      - path: /\n        backend: *b\n")
    result = fix(text, "1.22")
    assert result.fixed == text.encode()
    (obj,) = result.objects
    assert obj.outcome == NEEDS_HUMAN and "anchor" in obj.problems[0]


def test_anchors_elsewhere_do_not_block_the_fix() -> None:
    text = ("apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: j, labels: &l {app: j}}\nspec:\n"
            "  schedule: '@daily'\n  jobTemplate:\n    metadata: {labels: *l}\n    spec:\n      template:\n"
            "        spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}\n")
    result = fix(text, "1.25")
    assert result.fixed.decode() == text.replace("batch/v1beta1", "batch/v1")


def test_broken_document_is_an_error_with_its_line_and_the_rest_is_fixed() -> None:
    text = INGRESS + "---\nkey: [unclosed\n---\n" + INGRESS.replace("name: web", "name: two")
    result = fix(text, "1.22")
    assert [(e.line, "invalid YAML" in e.message) for e in result.errors] == [(10, True)]
    assert [o.outcome for o in result.objects] == [MIGRATED, MIGRATED]
    assert result.fixed.decode().count("networking.k8s.io/v1\n") == 2


def test_helm_template_output_is_reported_not_rewritten() -> None:
    text = "---\n# Source: shop/templates/pdb.yaml\n" + \
        "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec: {minAvailable: 1}\n"
    result = fix(text, "1.25")
    assert result.fixed == text.encode()
    (obj,) = result.objects
    assert obj.outcome == TEMPLATE and obj.template == "shop/templates/pdb.yaml"
    assert obj.new_api_version == "policy/v1"


def test_from_chooses_a_version_served_before_and_after_the_upgrade() -> None:
    text = ("apiVersion: flowcontrol.apiserver.k8s.io/v1beta1\nkind: PriorityLevelConfiguration\n"
            "metadata: {name: p}\nspec:\n  type: Limited\n  limited:\n    assuredConcurrencyShares: 5\n"
            "    limitResponse: {type: Reject}\n")
    stepped = fix(text, "1.26", from_version="1.23")
    assert stepped.objects[0].new_api_version == "flowcontrol.apiserver.k8s.io/v1beta2"
    assert b"assuredConcurrencyShares: 5" in stepped.fixed  # v1beta2 still calls it that
    direct = fix(text, "1.29")
    assert direct.objects[0].new_api_version == "flowcontrol.apiserver.k8s.io/v1"
    assert b"nominalConcurrencyShares: 5" in direct.fixed
    for result, target in ((stepped, "1.26"), (direct, "1.29")):
        validate_strict(objects_of(result.fixed)[0], target)


def test_from_without_a_common_version_says_so() -> None:
    result = fix(INGRESS, "1.22", from_version="1.18")
    (obj,) = result.objects
    assert obj.outcome == NEEDS_HUMAN and "1.18 (--from)" in obj.problems[0] and "1.19" in obj.problems[0]
    assert result.fixed == INGRESS.encode()


def test_deprecated_objects_only_with_include_deprecated() -> None:
    text = "apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: FlowSchema\nmetadata: {name: f}\n"
    assert not fix(text, "1.29").objects
    assert fix(text, "1.29", include_deprecated=True).objects[0].new_api_version == \
        "flowcontrol.apiserver.k8s.io/v1"


def test_list_items_are_fixed_in_place() -> None:
    text = ("apiVersion: v1\nkind: List\nitems:\n- apiVersion: policy/v1beta1\n  kind: PodDisruptionBudget\n"
            "  metadata: {name: a}\n  spec: {minAvailable: 1}\n- apiVersion: v1\n  kind: ConfigMap\n"
            "  metadata: {name: b}\n")
    assert fix(text, "1.25").fixed.decode() == text.replace("policy/v1beta1", "policy/v1")


def test_edits_that_would_not_give_the_migrated_object_are_refused(monkeypatch: object) -> None:
    from pluto_py.fix import edits

    def broken(value: object, style: str | None = None, *, json_style: bool = False) -> str:
        return "[broken"

    import pytest

    patcher = pytest.MonkeyPatch()
    patcher.setattr(edits, "render_scalar", broken)
    try:
        result = fix(INGRESS, "1.22")
    finally:
        patcher.undo()
    assert result.fixed == INGRESS.encode()
    assert result.objects[0].outcome == FAILED


def test_plain_scalars_only_when_they_read_back_as_strings() -> None:
    for value in ("networking.k8s.io/v1", "ImplementationSpecific", "/api", ".spec.code", "web-1"):
        assert plain_safe(value)
    for value in ("yes", "null", "80", "1e3", "-x", "a: b", "#x", "", "2024-01-01", " x", "0x1F"):
        assert not plain_safe(value)


def test_write_atomic_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "m.yaml"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["m.yaml"]
