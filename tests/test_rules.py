"""The rule registry (core/rules.py): every code emitted is registered and documented; unknown codes raise."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable

import pytest

from pluto_py import __version__
from pluto_py.core.model import STATUS_DEPRECATED, STATUS_REMOVED, Notice, ScanResult
from pluto_py.core.rules import FINDING_RULES, RULES, UnknownRuleError, finding_rule, rule
from pluto_py.report import REPORTERS, ReportContext, get_reporter
from tests.conftest import REPO_ROOT, CliResult

PACKAGE = REPO_ROOT / "pluto_py"


def _string_constants(tree: ast.Module) -> dict[str, str]:
    """Module-level NAME = "text" assignments."""
    found: dict[str, str] = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            found[node.targets[0].id] = node.value.value
    return found


def emitted_codes() -> dict[str, list[str]]:
    """code -> where, for every Notice(...) built in the package (its code: a literal or a module constant)."""
    codes: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _string_constants(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Notice"):
                continue
            argument = next((k.value for k in node.keywords if k.arg == "code"),
                            node.args[2] if len(node.args) > 2 else None)
            where = f"{path.relative_to(REPO_ROOT)}:{node.lineno}"
            if argument is None and any(k.arg is None for k in node.keywords):
                continue  # Notice(**record): a report read back (merge-reports), checked at render time
            assert argument is not None, f"{where}: a Notice without a code"
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                code = argument.value
            elif isinstance(argument, ast.Name) and argument.id in constants:
                code = constants[argument.id]
            else:
                raise AssertionError(f"{where}: the code of a Notice must be a literal or a module constant")
            codes.setdefault(code, []).append(where)
    return codes


def test_every_notice_code_in_the_source_is_registered() -> None:
    codes = emitted_codes()
    assert {"unused-suppression", "invalid-suppression", "chart-template"} <= set(codes)  # the scan finds them
    unknown = {code: where for code, where in codes.items() if code not in RULES}
    assert not unknown, f"register these codes in pluto_py/core/rules.py: {unknown}"


def test_every_finding_status_has_a_rule() -> None:
    assert finding_rule(STATUS_REMOVED).code == "removed-api"
    assert finding_rule(STATUS_DEPRECATED).code == "deprecated-api"
    assert set(FINDING_RULES.values()) <= set(RULES)


def test_every_rule_is_documented_with_its_anchor() -> None:
    doc = (REPO_ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    headings = [line[3:].strip() for line in doc.splitlines() if line.startswith("## ")]
    assert headings == list(RULES), "docs/rules.md has one '## <code>' section per rule, in registry order"
    for registered in RULES.values():
        assert registered.level in ("error", "warning", "note")
        assert registered.short in doc and registered.help in doc
        assert registered.help_uri.endswith(f"docs/rules.md#{registered.code}")


def test_an_unknown_code_is_an_error_not_a_silent_mapping() -> None:
    with pytest.raises(UnknownRuleError):
        rule("no-such-rule")
    with pytest.raises(UnknownRuleError):
        finding_rule("gone")
    result = ScanResult((), (), 1, 1, {"k8s": "1.22"}, notices=(Notice("x.yaml", 1, "no-such-rule", "?"),))
    for name in REPORTERS:
        if name in ("json", "yaml", "csv", "prometheus"):
            continue  # data formats copy the code (or count findings); they do not describe rules
        with pytest.raises(UnknownRuleError):
            get_reporter(name).render(result, ReportContext(__version__, "removed"))


def test_sarif_lists_every_rule_with_its_help_uri(cli: Callable[..., CliResult]) -> None:
    result = cli("scan", str(REPO_ROOT / "tests/golden/input"), "--no-config", "--target", "1.22", "-o", "sarif")
    assert result.code == 1, result.stderr
    rules = json.loads(result.stdout)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    assert all(r["helpUri"] == RULES[r["id"]].help_uri for r in rules)
    assert all(r["defaultConfiguration"]["level"] == RULES[r["id"]].level for r in rules)
