"""report/escape.printable: input-derived text shown without control characters or bidirectional overrides."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from pluto_py.report.escape import printable

BIDI_CONTROLS = {chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


@given(st.text())
def test_nothing_that_drives_a_terminal_is_left(text: str) -> None:
    shown = printable(text)
    assert not any(unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS for char in shown)


# (Space separators other than " ", such as U+00A0, are escaped too since the one escaper of core/escape.py:
# str.isprintable refuses them, and a no-break space can make a name look like another.)
@given(st.text(alphabet=st.one_of(st.just(" "), st.characters(
    blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs")))))
def test_printable_text_is_unchanged(text: str) -> None:
    assert printable(text) == text


def test_escapes_name_the_character() -> None:
    assert printable("web\x1b[31m\u202e\tapi") == "web\\x1b[31m\\u202e\\tapi"
    assert printable("café ünïcode, ok") == "café ünïcode, ok"
