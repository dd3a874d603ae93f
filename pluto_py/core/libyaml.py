"""The full parser's fast engine: libyaml (through PyYAML's C parser) composes a document into nodes
with their lines and columns, resolved as YAML 1.2 the way ruamel.yaml resolves them.

Scan reads most documents with the block-YAML reader (core/fastyaml.py); what it declines (multi-line
scalars of CRDs, anchors, JSON-like flow over several lines, ...) went to ruamel.yaml's pure-Python
composer, 10 to 20 times slower than libyaml on the same text (benchmarks/shapes.py). When PyYAML
with libyaml is installed (the ``fast`` extra), those documents are composed by libyaml instead:

* Only composing: no constructor runs, so no tag builds an object; our converter (core/parse.py) makes
  the data, with the same bounds (values, depth) as for ruamel's nodes.
* Plain scalars are resolved by ruamel.yaml's own YAML 1.2 resolver table (libyaml's PyYAML resolver
  is YAML 1.1: ``yes``, ``0777``, ``1_000``), so the data is what ruamel would give.
* Anything libyaml refuses, documents with a ``%YAML`` directive (ruamel switches resolution by
  version) and documents with unusual characters (YAML 1.1 line breaks, control characters, BOMs: the
  two engines read them differently) are left to ruamel.yaml (``NotImplemented``): errors keep
  ruamel's wording, and what ruamel accepts and libyaml does not is still read. `fix` keeps ruamel,
  whose marks carry the offsets it edits by.

tests/test_libyaml_engine.py checks, on generated documents, that both engines give the same data and
positions wherever libyaml accepts a document ruamel accepts.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from pluto_py.core.fastyaml import _unusual

_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


@cache
def _loader_class() -> Any:
    """PyYAML's C parser with ruamel's YAML 1.2 resolution, or None without PyYAML built with libyaml."""
    try:
        import yaml
        from yaml import _yaml
    except ImportError:
        return None
    if not getattr(yaml, "__with_libyaml__", False):
        return None
    scalar_node, sequence_node = yaml.ScalarNode, yaml.SequenceNode

    class Composer(_yaml.CParser, yaml.resolver.BaseResolver):
        def __init__(self, text: str) -> None:
            _yaml.CParser.__init__(self, text)
            yaml.resolver.BaseResolver.__init__(self)

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is scalar_node:
                return _plain_tag(value) if implicit[0] else _STR
            return _SEQ if kind is sequence_node else _MAP

    return Composer


@lru_cache(maxsize=65536)
def _plain_tag(value: str) -> str:
    """The tag ruamel.yaml's YAML 1.2 resolver gives a plain scalar."""
    table = _resolvers()
    for tag, pattern in (*table.get(value[:1], ()), *table.get(None, ())):
        if pattern.match(value):
            return str(tag)
    return _STR


@cache
def _resolvers() -> dict[Any, tuple[tuple[str, Any], ...]]:
    from ruamel.yaml.resolver import VersionedResolver

    table = VersionedResolver().versioned_resolver  # first character -> [(tag, regex)], YAML 1.2
    return {first: tuple((str(tag), pattern) for tag, pattern in entries) for first, entries in table.items()}


def available() -> bool:
    return _loader_class() is not None


def compose(text: str) -> Any:
    """The root node of one document composed by libyaml (None for an empty document), or
    ``NotImplemented`` when libyaml is not installed or leaves the document to ruamel.yaml."""
    composer_class = _loader_class()
    if composer_class is None or "%YAML" in text or _unusual(text):
        return NotImplemented  # (unusual characters: line breaks of YAML 1.1, controls, BOMs: ruamel's reading)
    import yaml

    composer = composer_class(text)
    try:
        node = composer.get_single_node()
    except yaml.YAMLError:
        return NotImplemented
    finally:
        composer.dispose()
    if node is not None:
        _place_empty_values(node, text)
    return node


def _place_empty_values(root: Any, text: str) -> None:
    """Empty values where ruamel.yaml (and so every position we report) places them: in a block mapping
    (``key:`` and nothing) libyaml has them right after the ``:``, ruamel at the next token; in a flow
    mapping (``{a: }``) the other way round. (An empty sequence entry: after the ``-`` in both.)"""
    import yaml

    stack: list[tuple[Any, str]] = [(root, "block")]  # (an empty document after '---': where the text ends)
    seen: set[int] = set()
    while stack:
        node, role = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        kind = node.__class__.__name__
        if kind == "ScalarNode":
            if role and node.value == "" and not node.style:  # (plain: libyaml's style is "")
                mark = node.start_mark
                if role == "block":
                    line, column = _next_token(text, mark.index, mark.line, mark.column)
                else:
                    line, column = _after_indicator(text, mark.index, mark.line, mark.column)
                node.start_mark = yaml.Mark(mark.name, mark.index, line, column, None, 0)
        elif kind == "SequenceNode":
            stack.extend((item, "") for item in node.value)
        else:
            role = "flow" if node.flow_style else "block"
            for key, value in node.value:
                stack.extend(((key, ""), (value, role)))


def _after_indicator(text: str, index: int, line: int, column: int) -> tuple[int, int]:
    """(line, column), 0-based, right after the ``:`` before ``index`` (an empty value of a flow mapping:
    libyaml places it at the next token, ruamel.yaml after the indicator); unchanged when the text
    between is more than blanks."""
    at = index - 1
    while at >= 0 and text[at] in " \t":
        at -= 1
    if at < 0 or text[at] != ":":
        return line, column
    return line, column - (index - at - 1)


def _next_token(text: str, index: int, line: int, column: int) -> tuple[int, int]:
    """(line, column), 0-based, of the first character from ``index`` on that is not a blank, a line
    break or part of a comment: where ruamel.yaml's scanner puts the next token."""
    size = len(text)
    while index < size:
        char = text[index]
        if char in " \t":
            index += 1
            column += 1
        elif char == "#":
            while index < size and text[index] not in "\r\n\x85\u2028\u2029":
                index += 1
        elif char in "\r\n\x85\u2028\u2029":
            index += 2 if text.startswith("\r\n", index) else 1
            line, column = line + 1, 0
        else:
            # ruamel takes the next token's end: after an explicit '?' or ':' indicator, else its start
            follows = text[index + 1:index + 2]
            if char in "?:" and (not follows or follows in " \t\r\n"):
                column += 1
            return line, column
    # The end of the text: libyaml may have counted a line break the text does not end with.
    breaks = _BREAKS.findall(text)
    last = text.rfind(breaks[-1]) + len(breaks[-1]) if breaks else 0
    return len(breaks), len(text) - last
