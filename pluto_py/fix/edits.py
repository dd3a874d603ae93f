"""Turn "this node should now hold that data" into the smallest text edits, and apply them.

Only what changed is touched: a changed scalar is rewritten in its own quoting style, a renamed key
keeps its value's text, a new key is inserted beside its neighbours with their indentation, a removed
one takes its line with it. New text follows the document's own conventions (line breaks, indentation
step, sequence indentation, flow or JSON style). A subtree that a migration moved keeps its original
text (comments included), re-indented for its new place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pluto_py.fix.tree import Node, Origins, content_end, node_same, same, to_data


@dataclass(frozen=True, order=True)
class Edit:
    start: int
    end: int
    text: str


class Refused(Exception):
    """The change would have to edit text that other places share (anchors, aliases, merge keys)."""


class _Replace(Exception):
    """This node cannot be edited in place; its parent re-renders it."""


class EditConflict(Exception):
    """Two edits overlap: a bug, reported and never applied."""


def apply_edits(text: str, edits: Iterable[Edit], base: int = 0) -> str:
    """``text`` (which starts at offset ``base`` of the edits' coordinates) with the edits spliced in."""
    ordered = sorted(edits, key=lambda edit: (edit.start, edit.end))
    parts: list[str] = []
    position = base
    for edit in ordered:
        if edit.start < position:
            raise EditConflict(f"overlapping edits at offset {edit.start}")
        parts.append(text[position - base : edit.start - base])
        parts.append(edit.text)
        position = edit.end
    parts.append(text[position - base :])
    return "".join(parts)


_PLAIN_OK = re.compile(r"[A-Za-z0-9_./@+=%~*][A-Za-z0-9_./@+=%~* -]*")
_PLAIN_NOT_STRING = re.compile(
    r"""(?ix)^(?:y|n|yes|no|true|false|on|off|null|~|
        [-+]?(?:\.?[0-9][0-9_.:eE+-]*|\.inf|\.nan|0x[0-9a-f_]+|0o[0-7_]+|0b[01_]+)
    )$"""
)


def plain_safe(value: str) -> bool:
    """Whether a string can be written as a plain YAML scalar and read back as the same string."""
    return (
        bool(_PLAIN_OK.fullmatch(value))
        and value == value.strip()
        and not _PLAIN_NOT_STRING.match(value)
        and not re.match(r"[0-9]{4}-[0-9]", value)
        and "  " not in value
    )


def render_scalar(value: Any, style: str | None = None, *, json_style: bool = False) -> str:
    if json_style or not isinstance(value, str):
        if isinstance(value, float) and value.is_integer():
            return json.dumps(value)
        return json.dumps(value, ensure_ascii=False)
    if style == "'" and "\n" not in value and value.isprintable():
        return "'" + value.replace("'", "''") + "'"
    if style in (None, "|", ">") and plain_safe(value):
        return value
    return json.dumps(value, ensure_ascii=False)


@dataclass
class Layout:
    """How the document writes what we add."""

    newline: str = "\n"
    step: int = 2  # indentation of a nested mapping
    seq_indent: int = 2  # columns from a key to the '-' of its block sequence


def detect_layout(text: str, root: Node) -> Layout:
    match = re.search(r"\r\n|\r|\n", text)
    layout = Layout(newline=match.group(0) if match else "\n")
    steps: list[int] = []
    seq_indents: list[int] = []
    for node in root.walk():
        if node.kind != "map" or node.flow:
            continue
        for key, value in node.items():
            if value.kind == "map" and not value.flow and value.items():
                steps.append(column(text, value.items()[0][0].start) - column(text, key.start))
            elif value.kind == "seq" and not value.flow and value.elements():
                seq_indents.append(column(text, value.start) - column(text, key.start))
    if steps:
        layout.step = max(set(steps), key=steps.count)
    if seq_indents:
        layout.seq_indent = max(set(seq_indents), key=seq_indents.count)
    else:
        layout.seq_indent = layout.step
    return layout


def line_start(text: str, position: int) -> int:
    return max(text.rfind("\n", 0, position), text.rfind("\r", 0, position)) + 1


def column(text: str, position: int) -> int:
    return position - line_start(text, position)


def after_line(text: str, position: int) -> int:
    """The offset just past the line break that ends the line holding ``position``."""
    match = re.compile(r"\r\n|\r|\n").search(text, position)
    return match.end() if match else len(text)


def _reusable(node: Node) -> bool:
    return not any(n.decorated or n.kind == "alias" or n.merge for n in node.walk())


class Differ:
    """Edits that turn the text of a node into the text of new data."""

    def __init__(self, text: str, layout: Layout, origins: Origins | None = None, json_style: bool = False):
        self.text = text
        self.layout = layout
        self.origins = origins or Origins()
        self.json = json_style
        # Trailing comments of values whose text is rewritten or deleted: they follow their value to
        # where it is written anew (`servicePort: http  # named port` → `name: http  # named port`).
        self._unique: set[tuple[type, Any]] | None = None  # values written once in the object
        self._carried: dict[tuple[type, Any], tuple[str, int]] = {}  # value -> (comment, its end offset)
        self._placed: set[tuple[type, Any]] = set()

    # ---------------------------------------------------------------- diff

    def edits(self, node: Node, new: Any) -> list[Edit]:
        out: list[Edit] = []
        if self._unique is None:
            counts: dict[tuple[type, Any], int] = {}
            for value in _value_scalars(node):
                key = _scalar_key(value.value)
                counts[key] = counts.get(key, 0) + 1
            self._unique = {key for key, count in counts.items() if count == 1}
        try:
            self._diff(node, new, out)
        except _Replace:
            raise Refused("the object cannot be edited in place") from None
        return out

    def _diff(self, node: Node, new: Any, out: list[Edit]) -> None:
        if node.kind == "alias" or node.decorated or node.merge:
            if node_same(node, new):
                return
            raise Refused("it changes a part written with a YAML anchor, alias, tag or merge key")
        if node.kind == "scalar":
            if isinstance(new, dict | list):
                raise _Replace
            if same(node.value, new):
                return
            if node.style in ("|", ">"):
                raise _Replace
            out.append(Edit(node.start, node.end, render_scalar(new, node.style, json_style=self.json)))
            return
        if node.kind == "seq":
            if not isinstance(new, list):
                raise _Replace
            elements = node.elements()
            if len(elements) != len(new):
                raise _Replace
            for element, value in zip(elements, new, strict=True):
                try:
                    self._diff(element, value, out)
                except _Replace:
                    out.append(self._replace_item(node, element, value))
            return
        if not isinstance(new, dict):
            raise _Replace
        self._diff_map(node, new, out)

    def _diff_map(self, node: Node, new: dict[str, Any], out: list[Edit]) -> None:
        pairs = node.items()
        old_keys = node.key_names()
        old_set, new_set = set(old_keys), set(new)
        # Plan first: added keys go after their nearest preceding surviving key; a key the migration
        # renamed takes the old entry's place (keeping its comments).
        groups: dict[int, list[str]] = {}
        anchor = -1
        for key_name in new:
            if key_name in old_set:
                anchor = old_keys.index(key_name)
            else:
                groups.setdefault(anchor, []).append(key_name)
        plan: list[tuple[int, list[tuple[str, int]], list[str]]] = []  # (anchor, renamed, inserted)
        consumed: set[int] = set()
        for anchor, keys in groups.items():
            gap: list[int] = []
            position = anchor + 1
            while position < len(pairs) and old_keys[position] not in new_set:
                gap.append(position)
                position += 1
            renamed: list[tuple[str, int]] = []
            rest: list[str] = []
            for key_name in keys:
                old_name = self.origins.rename_of(new, key_name)
                index = old_keys.index(old_name) if old_name in old_keys else -1
                if index in gap and index not in consumed and not rest:
                    consumed.add(index)
                    renamed.append((key_name, index))
                else:
                    rest.append(key_name)
            plan.append((anchor, renamed, rest))
        if not old_set & new_set and not consumed:
            if node_same(node, new):
                return
            raise _Replace  # nothing of the old mapping stays: the parent writes it anew
        for index, name in enumerate(old_keys):
            if name not in new_set and index not in consumed:
                self._carry_from(pairs[index][1])  # a deleted entry's value may be written elsewhere
        last = {name: index for index, name in enumerate(old_keys)}  # a key given twice: the last one counts
        for index, (_key, value) in enumerate(pairs):
            if old_keys[index] in new_set and last[old_keys[index]] == index:
                try:
                    self._diff(value, new[old_keys[index]], out)
                except _Replace:
                    out.append(self._replace_value(node, index, new[old_keys[index]]))
        for anchor, renamed, rest in plan:
            after = anchor
            for key_name, index in renamed:
                out.extend(self._replace_entry(node, index, key_name, new[key_name]))
                after = index
            if rest:
                out.append(self._insert(node, after, [(k, new[k]) for k in rest]))
        removed = [i for i, name in enumerate(old_keys) if name not in new_set and i not in consumed]
        out.extend(self._delete(node, removed))

    # ---------------------------------------------------------------- edits of a mapping

    def _replace_entry(self, node: Node, index: int, key_name: str, value: Any) -> list[Edit]:
        key, old = node.items()[index]
        edits: list[Edit] = []
        if key.decorated:
            raise Refused("it renames a key written with an anchor or tag")
        edits.append(Edit(key.start, key.end, self.render_key(key_name, key.style)))
        try:
            self._diff(old, value, edits)
        except _Replace:
            edits.append(self._replace_value(node, index, value))
        return edits

    def _replace_value(self, node: Node, index: int, value: Any) -> Edit:
        key, old = node.items()[index]
        if old.decorated or old.kind == "alias":
            raise Refused("it replaces a value written with an anchor, alias or tag")
        indent = column(self.text, key.start)
        if node.flow:
            return Edit(key.end, content_end(old, self.text), ": " + self.render_flow(value))
        prefer_flow = old.kind in ("map", "seq") and old.flow
        end = content_end(old, self.text)
        if old.kind == "scalar" and old.start == old.end and old.value is None:
            # An empty value (`key:` and a line break): ruamel places it at the next token, past the
            # line break and the next line's indentation; the text to replace ends at the ':'.
            end = self.text.index(":", key.end) + 1
        self._carry_from(old)
        rendered = ":" + self.after_key(value, indent, prefer_flow)
        return self._with_last_comment(Edit(key.end, end, rendered))

    def _insert(self, node: Node, after: int, entries: list[tuple[str, Any]]) -> Edit:
        pairs = node.items()
        text, nl = self.text, self.layout.newline
        if node.flow:
            if not pairs:
                body = ", ".join(self.flow_entry(k, v) for k, v in entries)
                return Edit(node.start, node.end, "{" + body + "}")
            first = pairs[0][0].start
            multiline = "\n" in text[node.start : first] or "\r" in text[node.start : first]
            sep = "," + (nl + " " * column(text, first) if multiline else " ")
            if after >= 0:
                at = content_end(pairs[after][1], text)
                return Edit(at, at, "".join(sep + self.flow_entry(k, v) for k, v in entries))
            return Edit(first, first, "".join(self.flow_entry(k, v) + sep for k, v in entries))
        indent = column(text, pairs[0][0].start)
        rendered = [self.block_entry(k, v, indent) for k, v in entries]
        if after >= 0:
            at = after_line(text, content_end(pairs[after][1], text))
            lines = "".join(" " * indent + line + nl for line in rendered)
            if at == len(text) and not text.endswith(("\n", "\r")):
                lines = nl + lines[: -len(nl)]
            return Edit(at, at, lines)
        at = pairs[0][0].start
        if text[line_start(text, at) : at].strip() == "":
            at = line_start(text, at)
            return Edit(at, at, "".join(" " * indent + line + nl for line in rendered))
        return Edit(at, at, "".join(line + nl + " " * indent for line in rendered))

    def _delete(self, node: Node, indexes: list[int]) -> list[Edit]:
        if not indexes:
            return []
        pairs = node.items()
        text = self.text
        doomed = set(indexes)
        edits: list[Edit] = []
        handled: set[int] = set()
        for index in indexes:
            if index in handled:
                continue
            key, value = pairs[index]
            if key.decorated:
                raise Refused("it removes a key written with an anchor or tag")
            own_line = text[line_start(text, key.start) : key.start].strip() == ""
            if node.flow or not own_line:
                if index > 0 and (node.flow or own_line):
                    edits.append(Edit(content_end(pairs[index - 1][1], text), content_end(value, text), ""))
                    handled.add(index)
                    continue
                # The first entry (or the first one on a '- ' line): up to the next entry that stays.
                survivor = index + 1
                while survivor in doomed:
                    handled.add(survivor)
                    survivor += 1
                if survivor >= len(pairs):
                    raise _Replace
                edits.append(Edit(key.start, pairs[survivor][0].start, ""))
                handled.add(index)
                continue
            start = line_start(text, key.start)
            indent = text[start : key.start]
            while start > 0:
                previous = line_start(text, start - 1)
                line = text[previous:start].rstrip("\r\n")
                if line.startswith(indent + "#") and (index > 0 or previous > node.start):
                    start = previous
                else:
                    break
            edits.append(Edit(start, after_line(text, content_end(value, text)), ""))
            handled.add(index)
        return edits

    def _replace_item(self, node: Node, element: Node, value: Any) -> Edit:
        if element.decorated or element.kind == "alias":
            raise Refused("it replaces a value written with an anchor, alias or tag")
        if node.flow:
            return Edit(element.start, content_end(element, self.text), self.render_flow(value))
        dash = column(self.text, element.start) - 2
        self._carry_from(element)
        rendered = self.item_body(value, max(dash, 0))
        return self._with_last_comment(Edit(element.start, content_end(element, self.text), rendered))

    # ---------------------------------------------------------------- rendering

    def render_key(self, name: str, style: str | None = None) -> str:
        if self.json:
            return json.dumps(name, ensure_ascii=False)
        return render_scalar(name, style)

    def flow_entry(self, name: str, value: Any) -> str:
        return self.render_key(name) + ": " + self.render_flow(value)

    def render_flow(self, value: Any) -> str:
        reused = self._reuse_flow(value)
        if reused is not None:
            return reused
        if isinstance(value, dict):
            return "{" + ", ".join(self.flow_entry(k, v) for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(self.render_flow(v) for v in value) + "]"
        return render_scalar(value, json_style=self.json)

    def block_entry(self, name: str, value: Any, indent: int) -> str:
        return self.render_key(name) + ":" + self.after_key(value, indent, False)

    def after_key(self, value: Any, indent: int, prefer_flow: bool) -> str:
        """What follows 'key:' for a value of a block mapping whose keys are at ``indent``."""
        nl = self.layout.newline
        if not isinstance(value, dict | list):
            return " " + render_scalar(value) + self._comment_for(value)
        if not value:
            return " {}" if isinstance(value, dict) else " []"
        target = indent + (self.layout.step if isinstance(value, dict) else self.layout.seq_indent)
        reused = self._reuse_block(value, target)
        if reused is not None:
            return reused
        if prefer_flow:
            return " " + self.render_flow(value)
        if isinstance(value, dict):
            return nl + self.block_map(value, target)
        return nl + self.block_seq(value, target)

    def block_map(self, value: dict[str, Any], indent: int) -> str:
        return self.layout.newline.join(" " * indent + self.block_entry(k, v, indent) for k, v in value.items())

    def block_seq(self, value: list[Any], indent: int) -> str:
        return self.layout.newline.join(" " * indent + "-" + self.item(v, indent) for v in value)

    def item(self, value: Any, dash: int) -> str:
        return " " + self.item_body(value, dash)

    def item_body(self, value: Any, dash: int) -> str:
        """A sequence item's text after '- ' (the dash at column ``dash``)."""
        if not isinstance(value, dict | list):
            return render_scalar(value) + self._comment_for(value)
        if not value:
            return "{}" if isinstance(value, dict) else "[]"
        reused = self._reuse_block(value, dash + 2)
        if reused is not None:
            return reused.lstrip("\r\n").lstrip(" ")
        if isinstance(value, dict):
            return self.block_map(value, dash + 2).lstrip(" ")
        return self.block_seq(value, dash + 2).lstrip(" ")

    # ---------------------------------------------------------------- carried comments

    def _trailing_comment(self, node: Node) -> tuple[str, int] | None:
        """The comment that ends the line where ``node``'s text ends (with the blanks before it)."""
        match = _TRAILING_COMMENT.match(self.text, content_end(node, self.text))
        return (match.group(1), match.end(1)) if match else None

    def _carry_from(self, old: Node) -> None:
        """Offer the trailing comments of ``old``'s scalar values (written once in the object) to the
        values rendered from now on."""
        if self.json:
            return
        for scalar in _value_scalars(old):
            key = _scalar_key(scalar.value)
            if (self._unique is not None and key not in self._unique) or key in self._carried:
                continue
            comment = self._trailing_comment(scalar)
            if comment is not None:
                self._carried[key] = comment

    def _comment_for(self, value: Any) -> str:
        key = _scalar_key(value)
        if key in self._carried and key not in self._placed:
            self._placed.add(key)
            return self._carried[key][0]
        return ""

    def _with_last_comment(self, edit: Edit) -> Edit:
        """``edit`` extended over the comment that ends its last line: the comment went with its value,
        or (when its value is gone) it stays on the first line of what replaces it."""
        match = _TRAILING_COMMENT.match(self.text, edit.end)
        if match is None:
            return edit
        comment = match.group(1)
        if not any(end == match.end(1) for key, (_text, end) in self._carried.items() if key in self._placed):
            first_break = re.search(r"\r\n|\r|\n", edit.text)
            at = first_break.start() if first_break else len(edit.text)
            return Edit(edit.start, match.end(1), edit.text[:at] + comment + edit.text[at:])
        return Edit(edit.start, match.end(1), edit.text)

    # ---------------------------------------------------------------- moved subtrees

    def _origin_text(self, value: Any) -> tuple[Node, str] | None:
        node = self.origins.node_of(value)
        if node is None or not _reusable(node):
            return None
        sub = Differ(self.text, self.layout, self.origins, self.json)
        end = content_end(node, self.text)
        try:
            edits = sub.edits(node, value)
            reach = max([end, *(edit.end for edit in edits)])
            segment = apply_edits(self.text[node.start : reach], edits, base=node.start)
        except (Refused, EditConflict):
            return None
        if reach > end:
            segment = segment.rstrip("\r\n")
        return node, segment

    def _reuse_flow(self, value: Any) -> str | None:
        if not isinstance(value, dict | list):
            return None
        found = self._origin_text(value)
        if found is None:
            return None
        node, segment = found
        if not node.flow or "\n" in segment or "\r" in segment:
            return None
        return segment

    def _reuse_block(self, value: Any, target: int) -> str | None:
        found = self._origin_text(value)
        if found is None:
            return None
        node, segment = found
        if node.flow:
            return None if ("\n" in segment or "\r" in segment) else " " + segment
        delta = target - column(self.text, node.start)
        lines = segment.splitlines(keepends=True)
        shifted = [lines[0]]
        for line in lines[1:]:
            if not line.strip():
                shifted.append(line)
            elif delta >= 0:
                shifted.append(" " * delta + line)
            elif line[:-delta].strip() == "":
                shifted.append(line[-delta:])
            else:
                return None
        return self.layout.newline + " " * target + "".join(shifted)


def data_of(node: Node) -> Any:
    return to_data(node)


_TRAILING_COMMENT = re.compile(r"([ \t]+#[^\r\n]*)(?=\r|\n|$)")


def _scalar_key(value: Any) -> tuple[type, Any]:
    return (type(value), value if not isinstance(value, float) or value == value else "nan")


def _value_scalars(node: Node) -> list[Node]:
    """The scalar values (not keys) under ``node``."""
    if node.kind == "scalar":
        return [node]
    if node.kind == "map":
        return [scalar for _key, value in node.items() for scalar in _value_scalars(value)]
    if node.kind == "seq":
        return [scalar for element in node.elements() for scalar in _value_scalars(element)]
    return []
