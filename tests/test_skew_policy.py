"""The skew policy data: valid against its schema, cited, and saying what the official docs say."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from pluto_py.core.skew_policy import (
    COMPONENTS,
    PolicyError,
    load_builtin_policy,
    load_policy,
    policy_from_data,
)
from pluto_py.core.versions import parse_version

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "skew_policy.yaml"
SCHEMA = ROOT / "data" / "skew_policy.schema.json"


def v(text: str):  # type: ignore[no-untyped-def]
    return parse_version(text)


def test_builtin_policy_is_valid_against_its_schema() -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(yaml.safe_load(DATA.read_text()), schema)


def test_every_rule_cites_a_kubernetes_source_with_a_section() -> None:
    policy = load_builtin_policy()
    assert policy.all_rules()
    for rule in policy.all_rules():
        assert rule.sources, rule.id
        for citation in rule.sources:
            assert citation.url.startswith("https://"), rule.id
            assert citation.section, rule.id
            assert "kubernetes" in citation.url, rule.id


def test_every_component_is_bound_by_some_rule() -> None:
    policy = load_builtin_policy()
    for component in COMPONENTS:
        assert policy.rules_for(component, v("1.30")), component


def test_rules_are_keyed_by_release_and_kep_3935_applies_from_1_28() -> None:
    policy = load_builtin_policy()
    before = policy.rules_at(v("1.27"))["kubelet-apiserver"]
    after = policy.rules_at(v("1.28"))["kubelet-apiserver"]
    assert (before.limits.max_older, before.limits.max_newer) == (2, 0)
    assert (after.limits.max_older, after.limits.max_newer) == (3, 0)
    assert after.limits_for(v("1.24")).max_older == 2
    assert after.limits_for(v("1.25")).max_older == 3
    assert any("3935" in c.url for c in after.sources)
    # Releases before the first key use the first key's rules.
    assert policy.rules_at(v("1.5"))["kubelet-apiserver"].limits.max_older == 2
    assert policy.rules_at(v("1.40"))["kubelet-apiserver"] is after


def test_kube_proxy_same_node_rule_history() -> None:
    policy = load_builtin_policy()
    old = policy.rules_at(v("1.27"))["kube-proxy-kubelet"]
    new = policy.rules_at(v("1.28"))["kube-proxy-kubelet"]
    assert old.allows(v("1.26"), v("1.26")) and not old.allows(v("1.25"), v("1.26"))
    assert new.allows(v("1.25"), v("1.28")) and new.allows(v("1.28"), v("1.25"))
    assert not new.allows(v("1.24"), v("1.27"))  # kube-proxy < 1.25: only two
    assert new.allows(v("1.24"), v("1.26")) and new.allows(v("1.24"), v("1.22"))


def test_control_plane_moves_one_minor_at_a_time() -> None:
    assert load_builtin_policy().upgrade.control_plane_max_hop == 1


def test_the_contradiction_in_the_docs_is_recorded() -> None:
    notes = {c.id: c for c in load_builtin_policy().contradictions}
    note = notes["apiserver-prerequisite-kubelets"]
    assert "N-1 or N-2" in note.text
    assert "wins" in note.resolution
    assert "node-kube-proxy-version" in notes


def test_user_policy_file_is_validated(tmp_path: Path) -> None:
    data = yaml.safe_load(DATA.read_text())
    data["releases"]["1.28"][0]["max_older"] = -1
    bad = tmp_path / "policy.yaml"
    bad.write_text(yaml.safe_dump(data))
    with pytest.raises(PolicyError, match=r"policy\.yaml"):
        load_policy(bad)
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "missing.yaml")


def test_user_policy_file_can_tighten_the_policy(tmp_path: Path) -> None:
    data = yaml.safe_load(DATA.read_text())
    data["releases"]["1.30"] = [dict(data["releases"]["1.28"][0], max_older=1, exceptions=[])]
    path = tmp_path / "strict.yaml"
    path.write_text(yaml.safe_dump(data))
    policy = load_policy(path)
    assert policy.rules_at(v("1.30"))["kubelet-apiserver"].limits.max_older == 1
    assert policy.rules_at(v("1.29"))["kubelet-apiserver"].limits.max_older == 3


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(schema_version=2), "schema_version"),
    (lambda d: d["releases"]["1.0"][0].update(components=["etcd"]), "components"),
    (lambda d: d["releases"]["1.0"][0]["sources"][0].update(source="nowhere"), "unknown source"),
    (lambda d: d["releases"].update({"one": d["releases"]["1.0"]}), "releases key"),
])
def test_policy_errors_name_the_problem(mutate, message) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(DATA.read_text())
    mutate(data)
    with pytest.raises(PolicyError, match=message):
        policy_from_data(data, "p.yaml")
