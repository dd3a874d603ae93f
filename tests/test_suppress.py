"""Inline suppressions: `# kdeprecate: ignore[...] reason` and `ignore-file`, like ruff's noqa."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from pluto_py.pipeline import suppress
from pluto_py.pipeline.suppress import SuppressionIndex, parse_suppressions
from tests.conftest import CliResult

Cli = Callable[..., CliResult]

MANIFEST = """\
apiVersion: extensions/v1beta1  # kdeprecate: ignore -- legacy ingress controller
kind: Ingress
metadata: {name: trailing}
---
# kdeprecate: ignore[removed]: waiting for the platform team
# (second comment line)
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: above}
---
# kdeprecate: ignore[deprecated]
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: wrong-code}
---
apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: not-suppressed}
---
# kdeprecate: ignore
---
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata: {name: across-separator}
"""


@pytest.fixture(autouse=True)
def _clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("KDEPRECATE_"):
            monkeypatch.delenv(name, raising=False)


def test_directives_apply_to_their_lines(cli: Cli) -> None:
    Path("m.yaml").write_text(MANIFEST)
    result = cli("scan", "m.yaml", "--target", "1.22", "-o", "json", "--no-config")
    report = result.json()
    by_name = {f["name"]: f for f in report["findings"]}
    assert by_name["trailing"]["suppressed"] is True
    assert by_name["trailing"]["suppression_reason"] == "legacy ingress controller"
    assert by_name["above"]["suppressed"] is True
    assert by_name["above"]["suppression_reason"] == "waiting for the platform team"
    assert by_name["wrong-code"]["suppressed"] is False  # ignore[deprecated] does not silence a removal
    assert by_name["not-suppressed"]["suppressed"] is False
    assert by_name["across-separator"]["suppressed"] is True
    assert report["summary"]["suppressed"] == 3 and report["summary"]["removed"] == 1
    assert [(n["line"], n["code"]) for n in report["notices"]] == [(11, "unused-suppression")]
    assert result.code == 1  # wrong-code is still a removed API


def test_suppressed_findings_do_not_fail_and_stale_ones_fail_only_strict(cli: Cli) -> None:
    Path("a.yaml").write_text("# kdeprecate: ignore-file vendored chart output\n"
                              "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: a}\n")
    result = cli("scan", "a.yaml", "--target", "1.22", "--no-config")
    assert result.code == 0
    assert result.stdout.splitlines() == ["1 file, 1 document: 0 removed, 0 deprecated, 0 errors, 1 suppressed "
                                          "(target k8s 1.22)"]
    Path("b.yaml").write_text("apiVersion: apps/v1  # kdeprecate: ignore\nkind: Deployment\nmetadata: {name: b}\n")
    default = cli("scan", "b.yaml", "--target", "1.22", "--no-config")
    assert default.code == 0
    assert default.stdout.startswith("b.yaml:1:22: warning: '# kdeprecate: ignore' silences no finding")
    assert cli("scan", "b.yaml", "--target", "1.22", "--no-config", "--fail-on", "deprecated").code == 1


def test_invalid_directives_are_reported() -> None:
    parsed, notices = parse_suppressions("x.yaml", "a: 1 # kdeprecate: ignroe\n"
                                                    "# kdeprecate: ignore[removd]\n"
                                                    "b: 2 # kdeprecate: ignore-file\n"
                                                    "# kdeprecate: ignore\n\nc: 3\n")
    assert not parsed.by_line and not parsed.file_level
    assert [(n.line, n.code) for n in notices] == [(1, "invalid-suppression"), (2, "invalid-suppression"),
                                                    (3, "invalid-suppression"), (4, "unused-suppression")]
    assert "unknown directive 'kdeprecate: ignroe'" in notices[0].message
    assert "removd" in notices[1].message


def test_stdin_and_crlf(cli: Cli) -> None:
    text = b"apiVersion: extensions/v1beta1 # kdeprecate: ignore\r\nkind: Ingress\r\nmetadata: {name: x}\r\n"
    result = cli("scan", "-", "--target", "1.22", "--no-config", "-o", "json", stdin=text)
    assert result.json()["findings"][0]["suppressed"] is True and result.code == 0


def test_a_hash_inside_a_value_is_not_a_comment() -> None:
    parsed, notices = parse_suppressions("x.yaml", "url: http://x/#kdeprecate: ignore\n")
    assert not parsed.by_line and not notices


def test_files_without_the_marker_cost_one_substring_test(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object) -> None:
        raise AssertionError("parsed a file without any directive")

    monkeypatch.setattr(suppress, "parse_suppressions", boom)
    index = SuppressionIndex()
    index.observe("a.yaml", "apiVersion: v1\nkind: ConfigMap\n# just a comment\n" * 1000)
    assert not index
    assert index.apply([]) == ([], [])
