"""The full parser's libyaml engine (core/libyaml.py) reads documents as ruamel.yaml does.

Wherever both accept a document, the data (values, YAML 1.2 types) and the position of every value are
the same; where libyaml refuses one, ruamel.yaml reads it (or gives its error). Generated documents are
those of the fast parser's equivalence test (random keys, scalars of every resolution, quoting, flow,
block scalars, comments, damaged lines), plus multi-line scalars as CRDs have them.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pluto_py.core import libyaml
from pluto_py.core.parse import DocumentError, compose_yaml_full
from tests.conftest import FIXTURES
from tests.test_fastpath_parser import _same_values, documents

# PyYAML (with libyaml in its wheels) is a runtime dependency: in CI a missing libyaml is a failure, not a skip.
if not libyaml.available() and os.environ.get("CI"):
    raise RuntimeError("PyYAML's libyaml is not available: the scan would fall back to ruamel at the old speed")
pytestmark = pytest.mark.skipif(not libyaml.available(), reason="PyYAML built with libyaml is not installed")


def _read(text: str, use_libyaml: bool) -> Any:
    try:
        return compose_yaml_full(text, 1, use_libyaml=use_libyaml)
    except DocumentError as exc:
        return ("error", exc.line, exc.message)


def _assert_same(text: str) -> None:
    if libyaml.compose(text) is NotImplemented:
        return  # left to ruamel.yaml: the same reading by construction
    fast, slow = _read(text, True), _read(text, False)
    if slow[0] == "error":
        return  # libyaml (as Helm's go-yaml) accepts what ruamel refuses: read, not refused
    assert fast[0] != "error", (text, fast)
    assert _same_values(fast[0], slow[0]), f"data differs for {text!r}:\n{fast[0]!r}\n{slow[0]!r}"
    assert fast[1] == slow[1], f"positions differ for {text!r}:\n{fast[1]}\n{slow[1]}"


MULTILINE = st.sampled_from([
    "a: b\n  c\n", "a: 'b\n  c'\n", 'a: "b\n  c \\n d"\n', "a: b\n\n  c\n", "- b\n  c\n", "a: 'it''s\n  x'\n",
    'a: "x\\\n  y"\n', "a:\n  b\n  c\n", "a: b # c\n", "a: [b,\n  c]\n", "a: {b: 1,\n  c: 2}\n", "a: &x [1]\nb: *x\n",
    "a: !!str 1\nb: !!int '2'\n", "a: >\n  x\n  y\n", "a: |2\n   x\n", "? a\n: b\n", "a: 0777\nb: 0o17\nc: yes\n",
    "a: 1_000\nb: 0x1f\nc: .nan\nd: 2001-12-14\n", "a:\n  - \n  -\nb:\n", "a: ~\nb: null\nc:\n", "{a: , b: }\n",
    "a: é\nb: \u2028x\n", "a:\r\n  b: 1\r\n", "a: \"\\u00e9\\x41\\/\"\n", "<<: {a: 1}\nb: 2\n",
])


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_libyaml_reads_as_ruamel_does(text: str) -> None:
    _assert_same(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(MULTILINE, min_size=1, max_size=4).map("".join))
def test_libyaml_reads_multiline_scalars_and_the_rest_as_ruamel_does(text: str) -> None:
    _assert_same(text)


def test_libyaml_reads_every_fixture_as_ruamel_does() -> None:
    from pluto_py.core.parse import split_documents

    for path in sorted(FIXTURES.rglob("*.yaml")):
        for raw in split_documents(path.read_text(encoding="utf-8-sig")):
            _assert_same(raw.text)


def test_what_libyaml_refuses_goes_to_ruamel() -> None:
    assert libyaml.compose("a: [1\n") is NotImplemented
    assert libyaml.compose("%YAML 1.1\n---\na: yes\n") is NotImplemented  # ruamel resolves by version
    versioned = "%YAML 1.1\n---\na: 0777\n"
    assert compose_yaml_full(versioned, 1) == compose_yaml_full(versioned, 1, use_libyaml=False)
    with pytest.raises(DocumentError, match="invalid YAML"):
        compose_yaml_full("a: [1\n", 1)  # ruamel's error, as before
