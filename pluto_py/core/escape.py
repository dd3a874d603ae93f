"""Text from inputs made safe to show: the one escaper every human-facing output uses.

File names, object names, namespaces and messages come from users' files, clusters and charts. Printed
as they are, an escape sequence in one recolours the terminal, moves the cursor, sets the window title
(OSC) or hides text; a newline forges a line of output (or a `::error` workflow command in CI); a
bidirectional override shows text in another order than it is read; a lone surrogate (a file name
that is not UTF-8, decoded with ``surrogateescape``) makes the encoder raise, losing the report.

``printable`` writes every character that ``str.isprintable`` refuses as a visible escape: C0 and C1
controls (``\\x1b``, ``\\u009b``), format characters such as bidirectional overrides and zero-width
marks (``\\u202e``), line and paragraph separators, unassigned code points, and surrogates. A
surrogate from ``surrogateescape`` (U+DC80..U+DCFF) is written as the byte it stands for (``\\xff``),
as ``backslashreplace`` would write the file name's bytes. Letters of every script stay as they are.

Formats with their own escaping use it and stay faithful: ``json_text`` makes serialised JSON safe
(the decoded values are unchanged), reporters for CSV, Markdown and XML add what their format needs.
"""

from __future__ import annotations

import re

_SURROGATE_BYTES = range(0xDC80, 0xDD00)  # what surrogateescape makes of the bytes 0x80..0xff
_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(char: str) -> str:
    code = ord(char)
    if char in _ESCAPES:
        return _ESCAPES[char]
    if code < 0x80:
        return f"\\x{code:02x}"
    if code in _SURROGATE_BYTES:
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(text: str) -> str:
    """``text`` on one line with every non-printable character escaped (``\\x1b``, ``\\n``, ``\\u202e``)."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escape(char) for char in text)


def printable_lines(text: str) -> str:
    """``text`` with its line breaks (``\\n``, ``\\r\\n``) and tabs kept, every other non-printable
    character (a lone ``\\r`` too: it would move the cursor back over the line) escaped: for
    multi-line output such as a diff."""
    if text.isprintable():
        return text
    lines = text.split("\n")
    out = []
    for number, line in enumerate(lines):
        ending = "\r" if line.endswith("\r") and number < len(lines) - 1 else ""
        body = line[: len(line) - len(ending)]
        out.append("\t".join(printable(part) for part in body.split("\t")) + ending)
    return "\n".join(out)


_JSON_UNSAFE = re.compile(r"[^\x00-\x7e]")  # (DEL included)


def _json_escape(match: re.Match[str]) -> str:
    char = match.group(0)
    if char.isprintable():
        return char
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(serialised: str) -> str:
    """JSON text from ``json.dumps(..., ensure_ascii=False)`` with every non-printable character that
    json left raw (C1 controls, DEL, bidirectional overrides, lone surrogates...) written as a ``\\u``
    escape. Outside strings JSON holds only ASCII, so only strings change, and they decode to the same
    values: the report stays faithful, and it can be printed and encoded as UTF-8."""
    if serialised.isascii() and "\x7f" not in serialised:
        return serialised
    return _JSON_UNSAFE.sub(_json_escape, serialised)


def file_name_bytes(text: str) -> bytes:
    """The bytes of a file name as the file system has them: ``surrogateescape``'d bytes restored;
    other lone surrogates (which no file system name holds) written as ``\\udXXX``."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace")
