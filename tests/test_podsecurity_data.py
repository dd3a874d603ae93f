"""data/pod_security.yaml: valid against its schema, cited, and in step with the control modules."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from pluto_py.core.versions import KubeVersion, parse_version
from pluto_py.podsecurity.controls import CONTROLS
from pluto_py.podsecurity.model import Level
from pluto_py.podsecurity.standards import StandardsError, load_standards, standards_from_data
from tests.conftest import REPO_ROOT

DATA = REPO_ROOT / "data" / "pod_security.yaml"
SCHEMA = REPO_ROOT / "data" / "pod_security.schema.json"


def raw_data() -> Any:
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(DATA.read_text(encoding="utf-8"))


def test_data_matches_its_schema() -> None:
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(raw_data(), schema)


def test_every_control_module_has_its_data_and_the_same_first_release() -> None:
    standards = load_standards()
    modules = {control.id: control for control in CONTROLS}
    assert len(modules) == len(CONTROLS), "a control registered twice"
    assert set(modules) == set(standards.controls)
    for control_id, control in modules.items():
        assert standards.controls[control_id].since == parse_version(control.since), control_id


def test_every_version_cites_the_upstream_check_it_was_read_from() -> None:
    standards = load_standards()
    for facts in standards.controls.values():
        for rule in facts.rules:
            assert rule.source_url.startswith("https://github.com/kubernetes/pod-security-admission/"), rule
            assert "/policy/check_" in rule.source_url and rule.source_url.endswith(".go"), rule
    assert standards.read == raw_data()["read"]
    assert standards.psp.source_url.startswith("https://kubernetes.io/docs/")


def test_rules_are_chosen_by_policy_version_and_api_server_release() -> None:
    standards = load_standards()
    assert standards.rule("runAsUser", KubeVersion(1, 22)) is None
    sysctls = standards.rule("sysctls", KubeVersion(1, 30))
    assert sysctls is not None and sysctls.since == KubeVersion(1, 29)
    volumes_old = standards.rule("restrictedVolumes", KubeVersion(1, 29), KubeVersion(1, 32))
    volumes_new = standards.rule("restrictedVolumes", KubeVersion(1, 29), KubeVersion(1, 33))
    assert volumes_old is not None and volumes_new is not None
    assert "image" not in volumes_old.allowed and "image" in volumes_new.allowed
    copied = standards.rule("seccompProfile_restricted", KubeVersion(1, 24), KubeVersion(1, 26))
    ignored = standards.rule("seccompProfile_restricted", KubeVersion(1, 24), KubeVersion(1, 27))
    assert copied is not None and "annotations-copied-to-fields" in copied.behaviour
    assert ignored is not None and "annotations-copied-to-fields" not in ignored.behaviour
    assert standards.invalid_enforce_level == Level.RESTRICTED
    assert standards.psp_removed_in == KubeVersion(1, 25)


def _control(data: Any, control_id: str) -> Any:
    return next(entry for entry in data["controls"] if entry["id"] == control_id)


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: _control(d, "sysctls")["versions"].reverse(), "increasing order"),
    (lambda d: _control(d, "privileged")["versions"][0]["source"].update(source="nowhere"), "unknown source"),
    (lambda d: _control(d, "hostPorts").update(overrides=["privileged"]), "only a restricted control may override"),
    (lambda d: d["controls"].append(copy.deepcopy(d["controls"][0])), "listed twice"),
])
def test_broken_data_is_refused(change: Any, message: str) -> None:
    data = raw_data()
    change(data)
    with pytest.raises(StandardsError, match=message):
        standards_from_data(data, "pod_security.yaml")
