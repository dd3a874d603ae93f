"""The fast paths of the parser give exactly what the full parser gives.

* core/fastyaml.py: on every generated document it either declines (Unsupported) or returns the
  same data and the same position of every value as ruamel.yaml + our converter; it never
  accepts a document the full parser rejects.
* The marker-jumping splitter gives the same documents as the line-by-line one.
* The shipped table read by the fast reader equals ruamel's load of it.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pluto_py.core.fastyaml import Unsupported, parse_block_yaml, resolve_plain
from pluto_py.core.parse import (
    DocumentError,
    _split_documents_by_lines,
    _split_documents_by_markers,
    compose_yaml,
    compose_yaml_full,
    split_documents,
)
from pluto_py.core.table import TABLE_FILE, _load_builtin_yaml, _load_yaml_text, builtin_data_path
from tests.conftest import FIXTURES

KEYS = st.sampled_from(["apiVersion", "kind", "name", "metadata", "spec", "a", "b-c", "d.e/f", "x_1", "on", "1",
                        "null", "true", "$ref"])
PLAIN = st.sampled_from(["v1", "apps/v1", "yes", "no", "true", "False", "null", "~", "0", "-3", "12", "007", "0x1F",
                         "1.5", "1e3", ".inf", "2024-01-02", "1.2.3", "100m", "25%", "-Xmx1g", "http://x:80/y",
                         "a#b", "a b", "Null", "NULL", "TRUE", "<<", "=", "x: y", "a:", "- x", "? x", "*x", "&a b",
                         "!!str x", "'q'", "[1, 2]", "{a: b}", "|", ">", "#c", "@x", "`x`", "%x", "a\tb", "é",
                         "\u2028"])
QUOTED = st.sampled_from(["''", "'it''s'", "'a: b'", "'#'", '""', '"q"', '"a\\tb"', '"a\\"b"', '"\\u00e9"',
                          '"\\x41"', '"\\q"', '"a\\\\b"', "'multi", '"multi'])
FLOW = st.sampled_from(["[]", "{}", "[a, b]", "['a', \"b\"]", "[1, [2, 3], {c: d}]", "{a: 1, b: [x]}", "[a, b,]",
                        "[a,b]", "{a: b, a: c}", "[a", "{a: }", "[a: b]", "[ 1 , 2 ]", "{a: 'x', b: \"y\"}"])
LITERAL_HEADERS = st.sampled_from(["|", "|-", "|+", "| # c", "|2", ">", ">-", "|-2"])
COMMENTS = st.sampled_from(["", "", "", " # c", "  #c", "#c"])


@st.composite
def scalars(draw: st.DrawFn) -> str:
    return draw(st.one_of(PLAIN, QUOTED, FLOW)) + draw(COMMENTS)


@st.composite
def block(draw: st.DrawFn, indent: int, depth: int) -> list[str]:
    """Lines of a block mapping or sequence at ``indent`` (sometimes malformed on purpose)."""
    pad = " " * indent
    lines: list[str] = []
    sequence = draw(st.booleans())
    for _ in range(draw(st.integers(1, 4))):
        lead = f"{pad}- " if sequence else f"{pad}{draw(KEYS)}:"
        choice = draw(st.integers(0, 9))
        if choice <= 4 or depth >= 3:
            value = draw(scalars())
            lines.append(f"{lead} {value}" if not sequence else f"{lead}{value}")
        elif choice <= 6:
            lines.append(lead.rstrip() + draw(COMMENTS))
            child = indent + draw(st.sampled_from([0, 1, 2, 2, 4])) if not sequence else indent + 2
            lines.extend(draw(block(child, depth + 1)))
        elif choice == 7:
            header = draw(LITERAL_HEADERS)
            lines.append(f"{lead} {header}" if not sequence else f"{lead}{header}")
            content_indent = indent + draw(st.sampled_from([1, 2, 4, 0]))
            for _ in range(draw(st.integers(0, 3))):
                text = draw(st.sampled_from(["text", "apiVersion: extensions/v1beta1", "  more", "", "# no comment",
                                             "kind: Ingress", "  ", "\ttab"]))
                lines.append(" " * content_indent + text if text.strip() else text)
        elif choice == 8 and sequence:
            lines.append(f"{lead}{draw(KEYS)}: {draw(scalars())}")
            for _ in range(draw(st.integers(0, 2))):
                lines.append(f"{pad}  {draw(KEYS)}: {draw(scalars())}")
        elif choice == 9 and draw(st.booleans()):  # `resources:` and `{}` on the next line (helm create)
            lines.append(lead.rstrip() + draw(COMMENTS))
            lines.append(" " * (indent + draw(st.sampled_from([0, 1, 2, 4]))) + draw(FLOW) + draw(COMMENTS))
        else:
            lines.append(draw(st.sampled_from(["", "# comment", f"{pad}# indented comment", "  ", "---", "..."])))
    return lines


@st.composite
def documents(draw: st.DrawFn) -> str:
    lines = draw(block(draw(st.sampled_from([0, 0, 0, 2])), 0))
    if draw(st.booleans()):
        heads = ["---", "--- # c", "# Source: c/t.yaml\n---", "--- !!map", "%YAML 1.2\n---"]
        lines.insert(0, draw(st.sampled_from(heads)))
    text = "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n", "\n# end\n"]))
    if draw(st.integers(0, 5)) == 0:
        text = text.replace("\n", "\r\n")
    return text


def _full(text: str) -> Any:
    try:
        return compose_yaml_full(text, 1, use_libyaml=False)  # the reference: ruamel.yaml (libyaml: its own test)
    except DocumentError as exc:
        return ("error", exc.line, exc.message)


def _fast(text: str) -> Any:
    try:
        return parse_block_yaml(text, 1)
    except Unsupported:
        return None


def _same_values(left: Any, right: Any) -> bool:
    """Equality that also tells 1 from True and 1.0 from 1 (Python's == does not)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(_same_values(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(_same_values(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right) or (left != left and right != right)  # NaN


def _assert_equivalent(text: str) -> bool:
    fast = _fast(text)
    if fast is None:
        return False
    full = _full(text)
    assert full[0] != "error", f"fast parser accepted a document the full parser rejects: {text!r} -> {full}"
    assert _same_values(fast[0], full[0]), f"data differs for {text!r}:\n{fast[0]!r}\n{full[0]!r}"
    assert fast[1] == full[1], f"positions differ for {text!r}:\n{fast[1]}\n{full[1]}"
    return True


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_fast_parser_equals_full_parser_or_declines(text: str) -> None:
    _assert_equivalent(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.randoms(use_true_random=False))
def test_fast_parser_on_mutated_documents(text: str, rng: random.Random) -> None:
    """Random damage (deleted/duplicated/re-indented lines, stray characters) never fools it."""
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(lines))
        action = rng.randrange(4)
        if action == 0:
            del lines[at]
        elif action == 1:
            lines.insert(at, lines[at])
        elif action == 2:
            lines[at] = " " * rng.randint(0, 3) + lines[at]
        else:
            cut = rng.randint(0, len(lines[at]))
            stray = rng.choice([":", "'", '"', "[", "{", "#", "-", " ", "&a ", "*a"])
            lines[at] = lines[at][:cut] + stray + lines[at][cut:]
        if not lines:
            lines = [""]
    _assert_equivalent("\n".join(lines))


def test_the_fast_parser_reads_the_common_shapes() -> None:
    """It must not decline what manifests are made of (else it would not be a fast path)."""
    text = (
        "# Source: shop/templates/web.yaml\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
        "  labels:\n    app.kubernetes.io/name: web\n  annotations:\n    note: \"a 'b'\"\nspec:\n  replicas: 3\n"
        "  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n"
        "          args: [\"--port=80\", '--x']\n          env:\n            - name: A\n              value: \"1\"\n"
        "          command:\n          - sh\n          - -c\n          - |\n            echo hi\n            exit 0\n"
        "      volumes: []\n"
    )
    assert _assert_equivalent(text)
    for path in sorted(FIXTURES.rglob("*.yaml")):
        for raw in split_documents(path.read_text(encoding="utf-8-sig")):
            _assert_equivalent(raw.text)


@pytest.mark.parametrize("text", ["apiVersion: v1", "a: 1.0", "a: 1_000", "a: +1", "a: .5", "a: 0o17", "a: 0b1",
                                  "a: !!str 1", "a: &x 1\nb: *x", "<<: {a: 1}", "? a\n: b", "a: >\n  x\n",
                                  "a: |2\n   x\n", "a: b\n  c\n", "a: 'x\n  y'\n", "a:\n\tb: 1\n", "a: 1\na: 2\n",
                                  "a: \u0085\n", "a: 1\r"])
def test_the_fast_parser_declines_or_agrees(text: str) -> None:
    _assert_equivalent(text)


@pytest.mark.parametrize("text", ["resources:\n  {}\n", "a:\n  - x:\n      []\n", "- \n  {a: 1}  # c\n", "---\n",
                                  "# only a comment\n", "---\n# c\n", "big:\n" + "  - {a: 1}\n" * 5000])
def test_the_fast_parser_reads_flow_on_the_next_line_empty_and_large_documents(text: str) -> None:
    assert _assert_equivalent(text)  # accepted (not declined), and the same as the full parser


def test_the_fast_parser_leaves_documents_of_too_many_values_to_the_full_parser() -> None:
    from pluto_py.core import fastyaml, parse

    assert fastyaml.MAX_VALUES == parse.MAX_NODES
    with pytest.raises(Unsupported):
        parse_block_yaml("a: [" + ", ".join(["1"] * (fastyaml.MAX_VALUES + 1)) + "]\n", 1)


def test_compose_yaml_uses_the_fast_parser_with_the_same_result() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: |\n    x\n"
    assert compose_yaml(text, 3) == compose_yaml_full(text, 3)
    with pytest.raises(DocumentError):
        compose_yaml("a: [1\n", 1)


@given(st.text(alphabet="abnNtTfF01-+.e_xo~:/ ", min_size=1, max_size=8).map(str.strip).filter(bool))
def test_plain_scalars_resolve_like_ruamel(text: str) -> None:
    try:
        fast = resolve_plain(text)
    except Unsupported:
        return
    full = _full(f"k: {text}\n")
    if full[0] == "error":
        return  # not a plain scalar on its own (e.g. 'a: b'): the parser declines those itself
    assert _same_values(fast, full[0]["k"]), (text, fast, full[0]["k"])


LINE_PIECES = ["---\n", "--- \n", "---\r\n", "--- # c\n", "...\n", "... # x\n", "a: 1\n", "# c\n", "\n", "%YAML 1.2\n",
               "  ---\n", "----\n", "b: |\n  ---x\n", "# Source: x/y.yaml\n", "---", "...", "a: 2", "\r\n", "k: v\r\n",
               "  \n", "\t\n", "#\n", "\f\n", "...\t\n", "\ufeffa: 1\n", "x\r", "\u2028\n"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(LINE_PIECES), max_size=12))
def test_marker_splitter_equals_line_splitter(pieces: list[str]) -> None:
    text = "".join(pieces)
    expected = list(_split_documents_by_lines(text))
    assert list(split_documents(text)) == expected
    if "\r" not in text.replace("\r\n", ""):
        assert list(_split_documents_by_markers(text)) == expected
    for raw in expected:  # start_line's fast path against the line-by-line definition
        lines = raw.text.splitlines(keepends=True) if "\r" not in raw.text.replace("\r\n", "") else None
        if lines is not None and not any(c in raw.text for c in "\f\x1c\x1d\x1e\x85\u2028\u2029\v"):
            first = next((i for i, line in enumerate(lines)
                          if line.strip() and not line.strip().startswith("#")
                          and not (line.startswith("---") and line[3:4] in ("", " ", "\t", "\r", "\n"))), 0)
            assert raw.start_line == raw.first_line + first


def test_shipped_table_fast_read_equals_ruamel_load() -> None:
    path = builtin_data_path(TABLE_FILE)
    text = path.read_text(encoding="utf-8")
    fast, _ = parse_block_yaml(text, 1)  # not Unsupported: the fast read is what every scan uses
    assert _same_values(fast, _load_yaml_text(text, str(path)))
    assert _load_builtin_yaml(text, str(path)) == fast
