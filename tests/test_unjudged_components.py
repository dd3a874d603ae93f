"""Rows of an add-on or extra table are judged only at --target COMPONENT=VERSION: a scan that meets
their objects without it says which components were not judged (issue 11)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import CliResult

CERT = "apiVersion: cert-manager.io/v1alpha2\nkind: Certificate\nmetadata:\n  name: web\n"
WIDGET = "apiVersion: example.com/v1beta1\nkind: Widget\nmetadata:\n  name: w\n"
EXTRA = """\
schema_version: 1
data_version: "2026-01-01"
sources: [https://example.com/widgets]
apis:
  - {api_version: example.com/v1beta1, kind: Widget, deprecated_in: "2.0", removed_in: "3.0",
     replacement: example.com/v1, replacement_available_in: "1.5", component: widgets}
"""


def _notices(result: CliResult) -> list[tuple[str, int, str]]:
    return [(n["path"], n["line"], n["message"]) for n in result.json()["notices"]
            if n["code"] == "component-not-judged"]


def test_add_on_objects_without_their_target_are_named(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    (tmp_path / "cert.yaml").write_text(CERT + "---\n" + CERT.replace("web", "api"))
    result = cli("scan", str(tmp_path), "-t", "1.29", "-o", "json")
    assert result.code == 0
    ((path, line, message),) = _notices(result)
    assert (path, line) == (str(tmp_path / "cert.yaml"), 1)
    assert "2 object(s) use APIs of component cert-manager" in message and "--target cert-manager=VERSION" in message
    text = cli("scan", str(tmp_path), "-t", "1.29")
    assert "component-not-judged" in text.stdout and "cert-manager" in text.stdout
    judged = cli("scan", str(tmp_path), "-t", "1.29", "-t", "cert-manager=1.6", "-o", "json")
    assert judged.code == 1 and _notices(judged) == []


def test_extra_table_rows_without_their_target_are_named(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    (tmp_path / "w.yaml").write_text(WIDGET)
    table = tmp_path / "widgets.yaml"
    table.write_text(EXTRA)
    result = cli("scan", str(tmp_path / "w.yaml"), "--extra-table", str(table), "-t", "1.29", "-o", "json")
    assert [m for _, _, m in _notices(result)] == [
        "1 object(s) use APIs of component widgets (e.g. example.com/v1beta1 Widget) that were not judged: "
        "give --target widgets=VERSION to check them"]
    judged = cli("scan", str(tmp_path / "w.yaml"), "--extra-table", str(table), "-t", "1.29", "-t", "widgets=3.0",
                 "-o", "json")
    assert judged.code == 1 and _notices(judged) == []


def test_no_notice_when_no_object_matches(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    table = tmp_path / "widgets.yaml"
    table.write_text(EXTRA)
    result = cli("scan", str(tmp_path / "cm.yaml"), "--extra-table", str(table), "-t", "1.29", "-o", "json")
    assert result.code == 0 and result.json()["notices"] == []
