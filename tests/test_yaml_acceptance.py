"""YAML that libyaml and Helm accept is read (issue 11): a block scalar led by a short line of spaces,
repeated `...` markers, a key given twice (the last one wins, with a notice); a real YAML error stays an
error. libyaml (PyYAML's C parser) is the reference."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pluto_py.core.model import Document, ScanError
from pluto_py.core.parse import parse_text
from tests.conftest import CliResult

Cli = Callable[..., CliResult]
INGRESS = "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: {name}\n"


def _ours(text: str) -> list[Any] | str:
    items = list(parse_text(text, "t", "file", json_file=False))
    if any(isinstance(item, ScanError) for item in items):
        return "error"
    return [item.data for item in items if isinstance(item, Document)]


def _libyaml(text: str) -> list[Any] | str:
    try:
        return [d for d in yaml.load_all(text, Loader=yaml.CSafeLoader) if d is not None]
    except yaml.YAMLError:
        return "error"


_space_lines = st.lists(st.one_of(st.integers(min_value=0, max_value=8).map(lambda n: " " * n), st.just(" \t")),
                        max_size=3)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["|", ">", "|-", ">+", "|+", ">-"]), _space_lines, st.integers(min_value=2, max_value=6),
       st.lists(st.sampled_from(["text", "more text", "", "  indented"]), min_size=1, max_size=3), _space_lines,
       st.booleans())
def test_block_scalars_led_by_lines_of_spaces_read_as_libyaml_reads_them(
        indicator: str, leading: list[str], indent: int, body: list[str], between: list[str], key_after: bool) -> None:
    lines = [*leading, *((" " * indent + line) if line else "" for line in body[:1]), *between,
             *((" " * indent + line) if line else "" for line in body[1:])]
    text = "metadata:\n  x: " + indicator + "\n" + "\n".join(" " * 2 + line if line.strip() else line
                                                             for line in lines) + "\n"
    if key_after:
        text += "kind: K\n"
    assert _ours(text) == _libyaml(text), text


def test_the_issues_block_scalar_and_its_finding_survive(tmp_path: Path, cli: Cli) -> None:
    text = INGRESS.format(name="web") + "  annotations:\n    note: |\n  \n      text\n"
    assert _libyaml(text) != "error"
    (tmp_path / "a.yaml").write_text(text)
    result = cli("scan", str(tmp_path / "a.yaml"), "-t", "1.22", "-o", "json")
    assert result.code == 1 and result.json()["errors"] == []
    assert [f["name"] for f in result.json()["findings"]] == ["web"]


def test_repeated_document_end_markers_are_no_documents(tmp_path: Path, cli: Cli) -> None:
    text = INGRESS.format(name="a") + "...\n...\n# between\n...\n---\n" + INGRESS.format(name="b") + "...\n...\n"
    assert _ours(text) == _libyaml(text) and len(_libyaml(text)) == 2
    (tmp_path / "a.yaml").write_text(text)
    result = cli("scan", str(tmp_path / "a.yaml"), "-t", "1.22", "-o", "json")
    assert result.json()["errors"] == [] and [f["name"] for f in result.json()["findings"]] == ["a", "b"]
    assert result.json()["summary"]["documents"] == 2


def test_a_key_given_twice_keeps_the_last_and_says_so(tmp_path: Path, cli: Cli) -> None:
    text = INGRESS.format(name="first") + "  name: second\n"
    assert _ours(text) == _libyaml(text)  # libyaml (and go-yaml, Helm) keep the last
    (tmp_path / "a.yaml").write_text(text)
    result = cli("scan", str(tmp_path / "a.yaml"), "-t", "1.22", "-o", "json")
    assert result.code == 1 and [f["name"] for f in result.json()["findings"]] == ["second"]
    assert [(n["code"], n["line"], n["level"]) for n in result.json()["notices"]] == [("duplicate-key", 5, "warning")]


@pytest.mark.parametrize("engine", ["helm-python-sdk", "static"])
def test_a_key_given_twice_in_a_chart_keeps_the_finding(engine: str, tmp_path: Path, cli: Cli,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KDEPRECATE_HELM_ENGINE", engine)
    chart = tmp_path / "web"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 0.1.0\n")
    (chart / "templates" / "ing.yaml").write_text(INGRESS.format(name="a") + "  name: b\n")
    result = cli("scan", str(chart), "-t", "1.22", "-o", "json")
    assert result.code == 1 and len(result.json()["findings"]) == 1 and result.json()["errors"] == []
    if engine != "static":
        ((code, message),) = [(n["code"], n["message"]) for n in result.json()["notices"]]
        assert code == "duplicate-key" and message.startswith("web/templates/ing.yaml: ")


@pytest.mark.parametrize("text", ["metadata: [unclosed\n", "a: b: c\n", "x: |\n      \n    text\n",
                                  "k: 1\n k2: 2\n"])
def test_real_yaml_errors_stay_errors(text: str) -> None:
    assert _libyaml(text) == "error" and _ours(text) == "error"


def test_fix_edits_the_last_of_a_key_given_twice() -> None:
    from tests.test_fix_helpers import fix

    text = INGRESS.format(name="a") + "  name: b\nspec:\n  backend:\n    serviceName: web\n    servicePort: 80\n"
    result = fix(text, "1.22")
    assert [o.outcome for o in result.objects] == ["migrated"]
    assert result.fixed.decode().startswith("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n"
                                            "  name: a\n  name: b\n")
