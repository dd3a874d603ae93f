"""A fast parser for the plain block-style YAML that almost every Kubernetes manifest is written in.

It produces exactly what the full parser (``parse.compose_yaml_full``: ruamel.yaml compose plus our
converter) produces for the same text — the same data and the same position of every value — or
it raises ``Unsupported`` and the full parser runs. It never reports an error itself: anything it
does not recognise with certainty (anchors, aliases, tags, folded or indented block scalars,
multi-line flow collections or quoted scalars, quoted keys, duplicate keys, odd indentation,
directives, unusual characters, scalars that YAML 1.2 would resolve to something else than a
plain string/int/float/bool/null, ...) is left to the full parser, which then gives the value or
the error it always gave. tests/test_fastpath_parser.py checks the equivalence on generated
documents.

Supported: block mappings with plain keys, block sequences (also "indentless" under a key and
compact ``- key: value`` items), single-line plain / single-quoted / double-quoted scalars,
single-line flow collections, literal block scalars (``|``, ``|-``, ``|+``) and comments.
"""

from __future__ import annotations

import re
from typing import Any

from pluto_py.core.model import NodePath, Position


class Unsupported(Exception):
    """The text uses something this parser leaves to the full parser."""


# Bounds that keep every accepted document within the full parser's limits (parse.MAX_DEPTH and
# parse.MAX_NODES): block nesting needs indentation, flow nesting is counted, and so are values (a
# document of more is left to the full parser, which reports it). Size alone is no reason to decline:
# a 10 MB List of block-style items is what this parser is fastest at.
MAX_INDENT = 120
MAX_FLOW_DEPTH = 64
MAX_VALUES = 1_000_000  # = parse.MAX_NODES (tests/test_fastpath_parser.py checks it)


# Characters outside this set (control characters, BOMs, YAML 1.1 line breaks, surrogates...) make
# the full parser's reader decide. (ASCII text needs only the small class; the large one is
# compiled on first use: compiling it costs more than a small scan.)
_UNUSUAL_ASCII = re.compile("[^\t\n\r\x20-\x7e]")
_UNUSUAL_PATTERN = "[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"


def _unusual(text: str) -> bool:
    if text.isascii():
        return _UNUSUAL_ASCII.search(text) is not None
    return re.search(_UNUSUAL_PATTERN, text) is not None  # re caches the compiled pattern
_DOC_START_LINE = re.compile(r"---[ ]*(?:[ ]#.*)?")
_KEY = re.compile(r"([A-Za-z0-9_$][A-Za-z0-9_$./-]*):(?: +|$)")
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
_DOUBLE = re.compile(r'"((?:[^"\\]|\\.)*)"')
_AFTER_VALUE = re.compile(r" *(?: #.*)?")
_BLOCK_HEADER = re.compile(r"\|([-+]?)(?: *| +#.*)")
_SIMPLE_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_SIMPLE_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")
# YAML 1.2 implicit float/int as ruamel.yaml resolves them (anything matching them, except the
# simple forms above, goes to the full parser).
_FLOAT_12 = re.compile(r"""[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN)""", re.X)
_INT_12 = re.compile(r"[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+")
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_NULL = frozenset({"~", "null", "Null", "NULL"})
_ESCAPES = {"\\": "\\", '"': '"', "/": "/", "n": "\n", "t": "\t", "r": "\r", "0": "\0", " ": " "}
_ESCAPE = re.compile(r"\\(.)")
_FLOW_PLAIN = re.compile(r"[^\s,\[\]{}#&*!|>'\"%@`:?-][^,\[\]{}#:]*")


def resolve_plain(text: str) -> Any:
    """The value of a plain scalar, as YAML 1.2 (ruamel.yaml) resolves it; Unsupported when unsure."""
    first = text[0]
    if first in "tTfF":
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        return text
    if first in "~nN":
        return None if text in _NULL else text
    if first in "-+0123456789.":
        if _SIMPLE_INT.fullmatch(text):
            if len(text) > 4000:
                raise Unsupported(text)  # past int()'s digit limit: the full parser decides
            return int(text)
        if _SIMPLE_FLOAT.fullmatch(text):
            return float(text)
        if _FLOAT_12.fullmatch(text) or _INT_12.fullmatch(text):
            raise Unsupported(text)
        return text  # a string (timestamps also stay the text as written)
    if first in "<=!&*":
        raise Unsupported(text)
    return text


def _unescape(body: str) -> str:
    def replace(match: re.Match[str]) -> str:
        try:
            return _ESCAPES[match.group(1)]
        except KeyError:
            raise Unsupported("escape") from None

    return _ESCAPE.sub(replace, body) if "\\" in body else body


class _Parser:
    __slots__ = ("first_line", "index", "lines", "positions", "text")

    def __init__(self, text: str, first_line: int) -> None:
        self.text = text
        self.first_line = first_line
        self.lines = text.split("\n")
        self.index = 0
        self.positions: dict[NodePath, Position] = {}

    # -- lines ---------------------------------------------------------------------------------

    def peek(self) -> tuple[int, int, str] | None:
        """(line index, indent, content) of the next line holding YAML structure; None at the end."""
        lines = self.lines
        index = self.index
        count = len(lines)
        while index < count:
            line = lines[index]
            content = line.lstrip(" ")
            if content and content[0] != "#":
                indent = len(line) - len(content)
                if content[0] == "\t" or indent > MAX_INDENT:
                    raise Unsupported("tab or deep indentation")
                self.index = index
                return index, indent, content
            index += 1
        self.index = index
        return None

    def end_position(self) -> Position:
        """Where the stream ends (the position of an empty value at the very end)."""
        last = len(self.lines) - 1
        return (self.first_line + last, len(self.lines[last]) + 1)

    def next_token_position(self) -> Position:
        found = self.peek()
        if found is None:
            return self.end_position()
        index, indent, _ = found
        return (self.first_line + index, indent + 1)

    # -- nodes ---------------------------------------------------------------------------------

    def parse(self) -> tuple[Any, dict[NodePath, Position]]:
        # A leading '---' line (after comments) starts the document; nothing may follow it.
        found = self.peek()
        explicit = found is not None and found[1] == 0 and found[2].startswith("---")
        if explicit:
            assert found is not None
            if not _DOC_START_LINE.fullmatch(found[2]):
                raise Unsupported("content after ---")
            self.index = found[0] + 1
            found = self.peek()
        if found is None:  # an empty document: after '---', a null value where the stream ends
            if explicit:
                self.positions[()] = self.end_position()
            return None, self.positions
        value = self.node(found[1], ())
        if self.peek() is not None:
            raise Unsupported("trailing content")
        return value, self.positions

    def node(self, indent: int, path: NodePath) -> Any:
        found = self.peek()
        assert found is not None
        _, _, content = found
        if content == "-" or content.startswith("- "):
            return self.sequence(indent, path)
        if _KEY.match(content):
            return self.mapping(indent, path, None)
        if content[0] in "[{":  # `resources:` then `{}` on the next line, as `helm create` writes it
            index = self.index
            value, end = _Flow(content, self.first_line + index, indent, self.positions).node(0, path)
            if not _AFTER_VALUE.fullmatch(content, end):
                raise Unsupported("after flow collection")
            self.index = index + 1
            return value
        raise Unsupported("scalar on its own line")

    def mapping(self, indent: int, path: NodePath, first: tuple[int, str] | None) -> dict[str, Any]:
        """A block mapping whose keys are at column ``indent``; ``first`` = (line, text) of a compact entry."""
        result: dict[str, Any] = {}
        while True:
            if first is not None:
                index, content = first
                first = None
            else:
                found = self.peek()
                if found is None or found[1] < indent:
                    break
                index, line_indent, content = found
                if line_indent > indent:
                    raise Unsupported("indentation")
                if content == "-" or content.startswith("- "):
                    break  # the parent decides (an error unless it is an indentless sequence's end)
                self.index = index + 1
            match = _KEY.match(content)
            if match is None:
                raise Unsupported("key")
            key = match.group(1)
            if key in result:
                raise Unsupported("duplicate key")
            if not result:
                self.positions[path] = (self.first_line + index, indent + 1)
            elif len(self.positions) > MAX_VALUES:
                raise Unsupported("too many values")
            result[key] = self.value(content[match.end():], index, indent + match.end(), indent, (*path, key), True)
        if not result:
            raise Unsupported("empty mapping")
        return result

    def sequence(self, indent: int, path: NodePath) -> list[Any]:
        result: list[Any] = []
        while True:
            found = self.peek()
            if found is None or found[1] < indent:
                break
            index, line_indent, content = found
            if line_indent > indent:
                raise Unsupported("indentation")
            if not (content == "-" or content.startswith("- ")):
                break
            if not result:
                self.positions[path] = (self.first_line + index, indent + 1)
            elif len(self.positions) > MAX_VALUES:
                raise Unsupported("too many values")
            self.index = index + 1
            rest = content[1:].lstrip(" ")
            column = indent + len(content) - len(rest)
            item_path = (*path, len(result))
            if rest == "":
                following = self.peek()
                if following is not None and following[1] > indent:
                    result.append(self.node(following[1], item_path))
                else:
                    self.positions[item_path] = (self.first_line + index, indent + 2)
                    result.append(None)
            elif rest == "-" or rest.startswith(("- ", "#")):
                raise Unsupported("nested sequence")
            elif _KEY.match(rest):
                result.append(self.mapping(column, item_path, (index, rest)))
            else:
                result.append(self.value(rest, index, column, indent, item_path, False))
        return result

    def value(self, rest: str, index: int, column: int, parent_indent: int, path: NodePath, in_mapping: bool) -> Any:
        """The value after 'key: ' or '- ' (``rest`` starts at ``column``) and what it spans."""
        line = self.first_line + index
        if rest == "" or rest.startswith("#"):
            following = self.peek()
            if following is not None:
                _, following_indent, following_content = following
                if following_indent > parent_indent:
                    return self.node(following_indent, path)
                if (in_mapping and following_indent == parent_indent
                        and (following_content == "-" or following_content.startswith("- "))):
                    return self.sequence(parent_indent, path)
            if rest:
                raise Unsupported("comment after an empty value")
            self.positions[path] = self.next_token_position()
            return None
        first = rest[0]
        self.positions[path] = (line, column + 1)
        if first == "'":
            match = _SINGLE.match(rest)
            if match is None or not _AFTER_VALUE.fullmatch(rest, match.end()):
                raise Unsupported("single-quoted")
            return match.group(1).replace("''", "'")
        if first == '"':
            match = _DOUBLE.match(rest)
            if match is None or not _AFTER_VALUE.fullmatch(rest, match.end()):
                raise Unsupported("double-quoted")
            return _unescape(match.group(1))
        if first in "[{":
            value, end = _Flow(rest, line, column, self.positions).node(0, path)
            if not _AFTER_VALUE.fullmatch(rest, end):
                raise Unsupported("after flow collection")
            return value
        if first == "|":
            header = _BLOCK_HEADER.fullmatch(rest)
            if header is None:
                raise Unsupported("block scalar header")
            return self.literal(parent_indent, header.group(1))
        if first in "&*!>%@`,]}#" or (first in "-?:" and (len(rest) == 1 or rest[1] == " ")):
            raise Unsupported("indicator")
        cut = rest.find(" #")
        text = (rest if cut < 0 else rest[:cut]).rstrip(" ")
        if "\t" in text or ": " in text or text.endswith(":"):
            raise Unsupported("plain scalar")
        return resolve_plain(text)

    def literal(self, parent_indent: int, chomping: str) -> str:
        """A literal block scalar's content (the header line is already read)."""
        lines = self.lines
        count = len(lines)
        index = self.index
        # Leading empty lines, then the first content line fixes the indentation.
        while index < count and lines[index].strip(" ") == "":
            if lines[index]:
                raise Unsupported("spaces before block scalar content")
            index += 1
        if index >= count:
            raise Unsupported("empty block scalar")
        first = lines[index]
        indent = len(first) - len(first.lstrip(" "))
        if indent <= parent_indent:
            raise Unsupported("empty block scalar")
        leading = index - self.index
        content: list[str] = [""] * leading
        trailing = 0
        while index < count:
            line = lines[index]
            stripped = line.lstrip(" ")
            if stripped == "":
                if len(line) > indent:
                    content.extend([""] * trailing)
                    trailing = 0
                    content.append(line[indent:])
                else:
                    trailing += 1
            elif len(line) - len(stripped) >= indent:
                content.extend([""] * trailing)
                trailing = 0
                content.append(line[indent:])
            else:
                break
            index += 1
        if index >= count and not self.text.endswith("\n"):
            raise Unsupported("block scalar at the end of a file without a final newline")
        if index >= count:
            trailing -= 1  # the empty string after the text's final newline is not a line
        self.index = index
        body = "\n".join(content)
        if chomping == "-":
            return body
        if chomping == "+":
            return body + "\n" + "\n" * trailing
        return body + "\n"


class _Flow:
    """A flow collection that opens and closes on one line."""

    __slots__ = ("column", "line", "positions", "text")

    def __init__(self, text: str, line: int, column: int, positions: dict[NodePath, Position]) -> None:
        self.text = text
        self.line = line
        self.column = column
        self.positions = positions

    def skip(self, offset: int) -> int:
        text = self.text
        while offset < len(text) and text[offset] == " ":
            offset += 1
        return offset

    def node(self, offset: int, path: NodePath) -> tuple[Any, int]:
        text = self.text
        if offset >= len(text) or len(path) > MAX_FLOW_DEPTH + MAX_INDENT:
            raise Unsupported("flow collection not closed on its line")
        self.positions[path] = (self.line, self.column + offset + 1)
        first = text[offset]
        if first == "[":
            items: list[Any] = []
            offset = self.skip(offset + 1)
            while True:
                if offset < len(text) and text[offset] == "]":
                    return items, offset + 1
                if len(self.positions) > MAX_VALUES:
                    raise Unsupported("too many values")
                value, offset = self.node(offset, (*path, len(items)))
                items.append(value)
                offset = self.skip(offset)
                if offset < len(text) and text[offset] == ",":
                    offset = self.skip(offset + 1)
                elif offset >= len(text) or text[offset] != "]":
                    raise Unsupported("flow sequence")
        if first == "{":
            mapping: dict[str, Any] = {}
            offset = self.skip(offset + 1)
            while True:
                if offset < len(text) and text[offset] == "}":
                    return mapping, offset + 1
                key_match = _KEY.match(text, offset)
                if key_match is None or key_match.end() == len(text) or text[key_match.end() - 1] != " ":
                    raise Unsupported("flow mapping key")
                key = key_match.group(1)
                if key in mapping or len(self.positions) > MAX_VALUES:
                    raise Unsupported("duplicate key or too many values")
                value, offset = self.node(key_match.end(), (*path, key))
                mapping[key] = value
                offset = self.skip(offset)
                if offset < len(text) and text[offset] == ",":
                    offset = self.skip(offset + 1)
                elif offset >= len(text) or text[offset] != "}":
                    raise Unsupported("flow mapping")
        if first == "'":
            match = _SINGLE.match(text, offset)
            if match is None:
                raise Unsupported("single-quoted")
            return match.group(1).replace("''", "'"), match.end()
        if first == '"':
            match = _DOUBLE.match(text, offset)
            if match is None:
                raise Unsupported("double-quoted")
            return _unescape(match.group(1)), match.end()
        match = _FLOW_PLAIN.match(text, offset)
        if match is None:
            raise Unsupported("flow scalar")
        scalar = match.group(0).rstrip(" ")
        if "\t" in scalar or " #" in scalar:
            raise Unsupported("flow scalar")
        return resolve_plain(scalar), offset + len(scalar)


def parse_block_yaml(text: str, first_line: int) -> tuple[Any, dict[NodePath, Position]]:
    """Data and positions of one document's text, or Unsupported. Lines are 1-based from ``first_line``."""
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):
            raise Unsupported("CR line break")
        text = text.replace("\r\n", "\n")
    if _unusual(text):
        raise Unsupported("unusual characters")
    if "\n..." in text or text.startswith("...") or "\n%" in text or text.startswith("%"):
        raise Unsupported("document end marker or directive")
    return _Parser(text, first_line).parse()
