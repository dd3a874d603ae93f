"""Before/after pairs for every migration (fixtures/fix/): exact bytes, strict schema validity,
idempotence, and a clean rescan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from pluto_py.core.table import load_builtin_table
from pluto_py.fix import MIGRATED, NEEDS_HUMAN
from tests.test_fix_helpers import findings, fix, objects_of, removed_at, validate_strict

CASES_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "fix"
CASES: dict[str, dict[str, Any]] = YAML(typ="safe", pure=True).load((CASES_DIR / "cases.yaml").read_text())


def _paths(name: str) -> tuple[Path, Path, bool]:
    ext = CASES[name].get("ext", "yaml")
    return CASES_DIR / f"{name}.before.{ext}", CASES_DIR / f"{name}.after.{ext}", ext == "json"


@pytest.mark.parametrize("name", sorted(CASES))
def test_before_gives_exactly_after(name: str) -> None:
    before, after, json_file = _paths(name)
    case = CASES[name]
    result = fix(before.read_bytes(), case["target"], json_file=json_file)
    assert not result.errors
    expected = after.read_bytes() if after.exists() else before.read_bytes()
    assert result.fixed == expected
    humans = [o for o in result.objects if o.outcome == NEEDS_HUMAN]
    assert len(humans) == case.get("human", 0), [o.problems for o in humans]
    assert all(o.problems for o in humans)


# Cases where every object needs a human have no "after": nothing is written for them.
@pytest.mark.parametrize("name", sorted(n for n in CASES if _paths(n)[1].exists()))
def test_after_is_strictly_valid_for_the_target(name: str) -> None:
    _before, after, json_file = _paths(name)
    target = CASES[name]["target"]
    table = load_builtin_table()
    migrated = 0
    for obj in objects_of(after.read_bytes(), json_file=json_file):
        if removed_at(table, obj, target) or obj.get("kind", "").endswith("List"):
            continue  # left for a human, reported
        validate_strict(obj, target)
        migrated += 1
    assert migrated


@pytest.mark.parametrize("name", sorted(CASES))
def test_fix_is_idempotent_and_rescan_is_clean(name: str) -> None:
    before, after, json_file = _paths(name)
    target = CASES[name]["target"]
    fixed = after.read_bytes() if after.exists() else before.read_bytes()
    again = fix(fixed, target, json_file=json_file)
    assert again.fixed == fixed
    assert not [o for o in again.objects if o.outcome == MIGRATED]
    left = {(o.kind, o.name) for o in again.objects if o.outcome == NEEDS_HUMAN}
    assert {(f.kind, f.name) for f in findings(fixed, target, json_file=json_file) if f.status == "removed"} == left
