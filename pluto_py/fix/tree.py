"""A position-exact view of one YAML or JSON document: every node with its character span.

The fix engine never re-dumps a document. It reads it into this tree (ruamel.yaml's composer gives
the spans of YAML nodes, the scanner's JSON parser those of JSON values: core/parse.py), turns the migrated data into
edits of the smallest spans that changed, and splices them into the original text.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

NodeKind = Literal["map", "seq", "scalar", "alias"]


class TreeError(ValueError):
    """The document cannot be read into a tree (the scanner's parser reports why in detail)."""


@dataclass(eq=False)
class Node:
    """A YAML/JSON value with its span in the text (character offsets, end exclusive)."""

    kind: NodeKind
    start: int
    end: int
    value: Any  # scalar: plain value; map: list[tuple[Node, Node]]; seq: list[Node]
    flow: bool = False  # {...} / [...] (every JSON collection is flow)
    style: str | None = None  # scalar style: None plain, "'", '"', '|', '>'
    decorated: bool = False  # carries an anchor or an explicit tag: never edited in place
    merge: bool = False  # a mapping with a '<<' merge key
    json: bool = False

    def items(self) -> list[tuple[Node, Node]]:
        assert self.kind == "map"
        pairs: list[tuple[Node, Node]] = self.value
        return pairs

    def elements(self) -> list[Node]:
        assert self.kind == "seq"
        nodes: list[Node] = self.value
        return nodes

    def key_names(self) -> list[str]:
        return [str(key.value) for key, _ in self.items()]

    def get(self, key: str) -> Node | None:
        if self.kind != "map":
            return None
        for key_node, value_node in self.items():
            if str(key_node.value) == key:
                return value_node
        return None

    def walk(self) -> Iterator[Node]:
        yield self
        if self.kind == "map":
            for key, value in self.items():
                yield key
                yield from value.walk()
        elif self.kind == "seq":
            for element in self.elements():
                yield from element.walk()


def content_end(node: Node, text: str) -> int:
    """Where the node's own characters end (a block collection's ruamel span runs on over the
    comments and blank lines that follow it; a block scalar's includes its final line break)."""
    if node.kind == "map" and not node.flow and node.items():
        return content_end(node.items()[-1][1], text)
    if node.kind == "seq" and not node.flow and node.elements():
        return content_end(node.elements()[-1], text)
    if node.kind == "scalar" and node.style in ("|", ">"):
        end = node.end
        while end > node.start and text[end - 1] in " \t\r\n":
            end -= 1
        return end
    return node.end


# ---------------------------------------------------------------- YAML


def yaml_tree(text: str) -> Node | None:
    """The tree of one YAML document (``text`` holds that document only). Raises TreeError.

    Built from the scanner's own composition (core/parse.compose_node): the same nodes, the same
    scalar values (parse.scalar_value), the same bounds on aliases (parse.node_data).
    """
    from pluto_py.core.parse import DocumentError, compose_node, node_data, scalar_value

    try:
        root = compose_node(text)
    except DocumentError as exc:
        raise TreeError(exc.message) from None
    if root is None:
        return None
    seen: set[int] = set()

    def expanded(raw: Any) -> Any:
        try:
            return node_data(raw)
        except DocumentError as exc:
            raise TreeError(exc.message) from None

    def build(raw: Any, parent_key_end: int) -> Node:
        start = raw.start_mark.index
        if id(raw) in seen or start < parent_key_end:
            # An alias: the composer hands back the anchored node itself. Its span is elsewhere;
            # keep its (expanded) data so that it can be compared, never edited.
            return Node("alias", parent_key_end, parent_key_end, expanded(raw), decorated=True)
        seen.add(id(raw))
        decorated = bool(getattr(raw, "anchor", None)) or text[start : start + 1] in ("&", "!")
        name = raw.__class__.__name__
        if name == "ScalarNode":
            return Node("scalar", start, raw.end_mark.index, scalar_value(raw),
                        style=raw.style, decorated=decorated)
        flow = bool(raw.flow_style)
        if name == "SequenceNode":
            elements = [build(item, start) for item in raw.value]
            return Node("seq", start, raw.end_mark.index, elements, flow=flow,
                        decorated=decorated)
        pairs: list[tuple[Node, Node]] = []
        merge = False
        for key_raw, value_raw in raw.value:
            if str(getattr(key_raw.tag, "value", key_raw.tag)) == "tag:yaml.org,2002:merge":
                merge = True
            key = build(key_raw, start)
            pairs.append((key, build(value_raw, key_raw.end_mark.index)))
        return Node("map", start, raw.end_mark.index, pairs, flow=flow, decorated=decorated,
                    merge=merge)

    return build(root, -1)


# ---------------------------------------------------------------- JSON


def json_tree(text: str) -> Node:
    """The tree of a JSON document, from the scanner's JSON parser (core/parse.JsonPositionParser)
    and the spans it records. Raises TreeError."""
    from pluto_py.core.parse import DocumentError, JsonPositionParser

    parser = JsonPositionParser(text, spans=True)
    try:
        data, _ = parser.parse()
    except DocumentError as exc:
        raise TreeError(exc.message) from None
    spans, key_spans = parser.spans, parser.key_spans
    assert spans is not None and key_spans is not None

    def build(value: Any, path: tuple[str | int, ...]) -> Node:
        start, end = spans[path]
        if isinstance(value, dict):
            pairs = []
            for key, item in value.items():
                key_start, key_end = key_spans[(*path, key)]
                key_node = Node("scalar", key_start, key_end, key, style='"', json=True)
                pairs.append((key_node, build(item, (*path, key))))
            return Node("map", start, end, pairs, flow=True, json=True)
        if isinstance(value, list):
            return Node("seq", start, end, [build(item, (*path, index)) for index, item in enumerate(value)],
                        flow=True, json=True)
        return Node("scalar", start, end, value, style='"' if isinstance(value, str) else None, json=True)

    return build(data, ())


# ---------------------------------------------------------------- data


@dataclass
class Origins:
    """Which node each container of the migration's input data was built from.

    A migration that moves a subtree (CRD validation → versions[].schema) keeps the same Python
    object; the engine then reuses that subtree's original text (comments included) at its new place.
    """

    by_id: dict[int, Node] = field(default_factory=dict)
    keep_alive: list[Any] = field(default_factory=list)
    # id(mapping) → {new key: old key} for keys a migration renamed (their comments and place are kept).
    renames: dict[int, dict[str, str]] = field(default_factory=dict)

    def renamed(self, mapping: dict[str, Any], old: str, new: str) -> None:
        self.renames.setdefault(id(mapping), {})[new] = old
        self.keep_alive.append(mapping)

    def rename_of(self, mapping: dict[str, Any], new: str) -> str | None:
        return self.renames.get(id(mapping), {}).get(new)

    def register(self, obj: Any, node: Node) -> None:
        self.by_id[id(obj)] = node
        self.keep_alive.append(obj)

    def node_of(self, obj: Any) -> Node | None:
        return self.by_id.get(id(obj))

    def copy(self, obj: Any) -> Any:
        """A deep copy whose containers still point at the original nodes."""
        if isinstance(obj, dict):
            result: Any = {key: self.copy(value) for key, value in obj.items()}
        elif isinstance(obj, list):
            result = [self.copy(value) for value in obj]
        else:
            return obj
        node = self.node_of(obj)
        if node is not None:
            self.register(result, node)
        if id(obj) in self.renames:
            self.renames[id(result)] = dict(self.renames[id(obj)])
        return result


def to_data(node: Node, origins: Origins | None = None) -> Any:
    """Plain data of a node (fresh containers every call)."""
    if node.kind == "scalar":
        return node.value
    if node.kind == "alias":
        return copy.deepcopy(node.value)
    if node.kind == "seq":
        seq = [to_data(item, origins) for item in node.elements()]
        if origins is not None:
            origins.register(seq, node)
        return seq
    mapping: dict[str, Any] = {}
    merged: list[Any] = []
    for key, value in node.items():
        if node.merge and key.value == "<<":
            source = to_data(value)
            merged.extend(source if isinstance(source, list) else [source])
            continue
        mapping[str(key.value)] = to_data(value, origins)
    for source in merged:
        if isinstance(source, dict):
            for key_name, item in source.items():
                mapping.setdefault(key_name, item)
    if origins is not None and not node.merge:
        origins.register(mapping, node)
    return mapping


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 is not True, 1 is not 1.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:
        return bool(b != b)
    return bool(a == b)


def node_same(node: Node, value: Any) -> bool:
    try:
        return same(to_data(node), value)
    except TreeError:
        return False


def dumps_json_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)
