"""Text from inputs made safe to show: control characters written as escapes.

Names, paths and messages come from users' files and clusters; printed as they are, an escape sequence
in one could recolour the terminal, move the cursor or hide text, a bidirectional override could show
text in another order than it is read, and a control character breaks XML. Every reporter that shows
input-derived text passes it through ``printable``.
"""

from __future__ import annotations

import re
import unicodedata

_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with control characters and bidirectional overrides escaped (``\\x1b``, ``\\u202e``);
    other characters, non-ASCII letters included, as they are."""
    if text.isprintable() and not _BIDI_CONTROLS.search(text):
        return text
    out = []
    for char in text:
        if unicodedata.category(char) == "Cc" or _BIDI_CONTROLS.match(char):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)
