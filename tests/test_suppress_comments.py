"""Only real YAML comments suppress: a directive's text inside a block scalar, a quoted string, an
annotation value or a multi-line plain value is data, never obeyed (issue 11)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from pluto_py.pipeline.suppress import INVALID_CODE, SuppressionIndex, parse_suppressions
from tests.test_fix_helpers import findings

HEAD = "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: web\n"

DIRECTIVES = ["# kdeprecate: ignore-file", "# kdeprecate: ignore", "#kdeprecate: ignore[removed]",
              " # kdeprecate: ignore-file: reason", "\t# kdeprecate: ignore -- why"]
# Text around the directive inside a value: anything printable, line breaks included.
_filler = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff"), max_size=12)
payloads = st.builds(lambda a, d, b, brk: a + (brk if brk else "") + d + b,
                     _filler, st.sampled_from(DIRECTIVES), _filler, st.sampled_from(["", "\n", "\n  "]))


def _suppressed(text: str) -> bool:
    index = SuppressionIndex()
    index.observe("t", text)
    marked, _ = index.apply(findings(text.encode(), "1.22"))
    assert marked, "the Ingress must be found"
    return any(f.suppressed for f in marked)


def _block(payload: str, style: str) -> str:
    body = "\n".join("      " + line if line.strip() else "" for line in payload.replace("\r", "").split("\n"))
    return f"{HEAD}  annotations:\n    note: {style}\n{body}\n"


@settings(max_examples=60, deadline=None)
@given(payloads, st.sampled_from(["|", ">", "|-", ">+", "|2"]))
def test_a_directive_inside_a_block_scalar_is_data(payload: str, style: str) -> None:
    text = _block(payload, style)
    assert not _suppressed(text), text


@settings(max_examples=60, deadline=None)
@given(payloads, st.sampled_from(["double", "single"]))
def test_a_directive_inside_a_quoted_string_is_data(payload: str, quoting: str) -> None:
    if quoting == "double":
        value = json.dumps(payload, ensure_ascii=False)
    else:
        value = "'" + payload.replace("'", "''").replace("\n", "\n\n    ") + "'"
    text = f"{HEAD}  annotations:\n    note: {value}\n"
    assert not _suppressed(text), text


def test_a_quoted_key_is_data() -> None:
    key = f'{HEAD}  annotations:\n    "x # kdeprecate: ignore-file": v\n'
    parsed, notices = parse_suppressions("t", key)
    assert not parsed.file_level and not parsed.by_line and not notices and not _suppressed(key)


def test_real_comments_still_suppress_next_to_lookalikes() -> None:
    text = (f"# kdeprecate: ignore-file\n{HEAD}  annotations:\n    note: |\n      # kdeprecate: ignore[deprecated]\n")
    assert _suppressed(text)
    trailing = ("apiVersion: extensions/v1beta1  # kdeprecate: ignore\nkind: Ingress\nmetadata:\n  name: w\n"
                "  annotations: {a: '# kdeprecate: ignore-file'}\n")
    assert _suppressed(trailing)
    header = f"{HEAD}  annotations:\n    note: |  # kdeprecate: ignore-file\n      text\n"
    # A comment after a block scalar's indicator is a real comment, but not on a line of its own.
    assert [n.code for n in parse_suppressions("t", header)[1]] == [INVALID_CODE] and not _suppressed(header)


def test_unterminated_or_detached_codes_are_invalid_and_silence_nothing() -> None:
    for directive in ("# kdeprecate: ignore[removed", "# kdeprecate: ignore [removed]",
                      "# kdeprecate: ignore-file[removed"):
        text = directive + "\n" + HEAD
        parsed, notices = parse_suppressions("t", text)
        assert not parsed.file_level and not parsed.by_line
        assert [n.code for n in notices] == [INVALID_CODE]
        assert not _suppressed(text)


def test_a_directive_in_a_broken_document_is_not_obeyed() -> None:
    text = "# kdeprecate: ignore-file\nkey: [unclosed\n---\n" + HEAD
    parsed, _ = parse_suppressions("t", text)
    assert parsed.file_level == []
