"""Turn the text of a YAML stream or JSON file into Documents, safely and with positions.

Safety: YAML is only *composed* into nodes; we convert nodes to plain data ourselves, so no
tag ever constructs an object (an unknown tag's scalar stays a string). Alias expansion is
bounded (a "billion laughs" document is an error, not an out-of-memory), and so is nesting.

Robustness: a stream is split into its documents before parsing, so a broken document is one
error while the other documents of the same file are still scanned.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from pluto_py.core.fastyaml import Unsupported, parse_block_yaml
from pluto_py.core.model import (
    SOURCE_HELM_TEMPLATE,
    Document,
    NodePath,
    Notice,
    Position,
    ScanError,
)
from pluto_py.core.prescan import FileFacts, PrescanPolicy, needs_full_parse, read_head

# Bounds against hostile input.
MAX_NODES = 1_000_000  # values produced by one document, aliases expanded
MAX_DEPTH = 256  # nesting of mappings/sequences
DUPLICATE_KEY_CODE = "duplicate-key"

_DOC_START = re.compile(r"---(?=[ \t\r\n]|$)")
_DOC_END = re.compile(r"\.\.\.(?=[ \t\r\n]|$)")
_HELM_SOURCE = re.compile(r"^#\s*Source:\s*(\S.*?)\s*$")
_BLANK_OR_COMMENT = re.compile(r"^[ \t]*(?:#[^\r\n]*)?[\r\n]*$")
# YAML line breaks are \r\n, \r and \n only (str.splitlines also splits on \f, \x1c, ...).
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


class InputDecodeError(ValueError):
    pass


def decode_text(raw: bytes) -> str:
    """Decode a file as YAML does: UTF-8 (with or without BOM), or UTF-16/32 with a BOM."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputDecodeError(f"not valid {encoding.upper()} text: {exc.reason}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputDecodeError(f"line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None


class RawDocument(NamedTuple):
    """The text of one document of a stream, before parsing."""

    index: int  # type: ignore[assignment]  # (hides tuple.index, which nothing calls on it)
    first_line: int  # 1-based line of the chunk's first line in the stream
    text: str
    template: str | None  # `# Source:` comment of helm template output

    @property
    def start_line(self) -> int:
        """First line with content (skips the separator, leading blanks and comments)."""
        text = self.text
        if not _has_lone_cr(text):
            match = _FIRST_CONTENT.search(text)
            return self.first_line + (text.count("\n", 0, match.start()) if match else 0)
        for offset, line in enumerate(_LINES.findall(text)):
            stripped = line.strip()
            if stripped and not stripped.startswith("#") and not _DOC_START.match(line):
                return self.first_line + offset
        return self.first_line


# The start of the first line that is not blank, a comment, or a '---' marker (lines end in \n).
_FIRST_CONTENT = re.compile(r"^(?![^\S\n]*(?:#|$)|---(?:[ \t\r\n]|$))", re.MULTILINE)


def _has_lone_cr(text: str) -> bool:
    return "\r" in text and text.count("\r") != text.count("\r\n")


def _iter_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their line breaks, lazily (a caller usually stops early)."""
    if _has_lone_cr(text):
        yield from _LINES.findall(text)
        return
    position, size = 0, len(text)
    while position < size:
        end = text.find("\n", position)
        end = size if end < 0 else end + 1
        yield text[position:end]
        position = end


def split_documents(text: str) -> Iterator[RawDocument]:
    """Split a YAML stream at its document markers, as the YAML spec defines them.

    A '---' or '...' at the start of a line is a marker even inside a block scalar or a
    quoted string, so splitting by lines is exact. Leading comments, directives and blank
    lines before the first '---' do not make a document of their own.
    """
    if _has_lone_cr(text):
        return _split_documents_by_lines(text)
    return _split_documents_by_markers(text)


# Marker lines: '---' or '...' at the start of a line, followed by a blank, a break or the end.
# (Searched as "\n---" and "\n...", literal prefixes the regex engine finds fast, plus offset 0.)
_START_MARKER = re.compile(r"\n---(?=[ \t\r\n]|\Z)")
_END_MARKER = re.compile(r"\n\.\.\.(?=[ \t\r\n]|\Z)")
_MARKER_AT_0 = re.compile(r"(---|\.\.\.)(?=[ \t\r\n]|\Z)")


def _markers(text: str) -> list[tuple[int, bool]]:
    """(offset, is '---') of every marker line, in order."""
    found = [(match.start() + 1, True) for match in _START_MARKER.finditer(text)]
    if "\n..." in text:
        found.extend((match.start() + 1, False) for match in _END_MARKER.finditer(text))
        found.sort()
    first = _MARKER_AT_0.match(text)
    if first is not None:
        found.insert(0, (0, first.group(1) == "---"))
    return found
# A line that is neither blank, nor a comment, nor a directive.
_CONTENT_LINE = re.compile(r"^(?!%)[ \t]*[^ \t\r\n#]", re.MULTILINE)


def _split_documents_by_markers(text: str) -> Iterator[RawDocument]:
    """split_documents for text whose line breaks are \\n or \\r\\n: jumps from marker to marker.

    Same result as _split_documents_by_lines (tests/test_fastpath_split.py checks it).
    """
    counted_at, counted_line = 0, 1  # text.count("\n") up to counted_at, incrementally
    for index, (start, end) in enumerate(_document_bounds(text)):
        counted_line += text.count("\n", counted_at, start)
        counted_at = start
        body = text[start:end]
        yield RawDocument(index, counted_line, body, _helm_source_of(body))


def _document_bounds(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) offsets of each document of a text without lone CRs, in order (the chunks of
    _split_documents_by_markers, before they are cut out and their lines counted)."""
    chunk_at, explicit = 0, False
    for at, is_start in _markers(text):
        if is_start:
            if explicit or _CONTENT_LINE.search(text, chunk_at, at) is not None:
                yield chunk_at, at
                chunk_at = at
            # else: comments/directives before '---' belong to the document it starts
            explicit = True
        else:
            end = text.find("\n", at)
            end = len(text) if end < 0 else end + 1
            if explicit or _CONTENT_LINE.search(text, chunk_at, at) is not None:
                yield chunk_at, end  # the document the '...' ends (its line is part of it)
            # else: a '...' after another one (or at the start) ends nothing: YAML and Helm ignore it
            chunk_at, explicit = end, False
    if explicit or _CONTENT_LINE.search(text, chunk_at) is not None:
        yield chunk_at, len(text)


def _helm_source_of(body: str) -> str | None:
    """_helm_source for a chunk's text, reading only its leading lines."""
    if "Source:" not in body:
        return None
    for line in _iter_lines(body):
        stripped = line.strip()
        if not stripped or _DOC_START.match(line):
            continue
        if not stripped.startswith("#"):
            return None
        match = _HELM_SOURCE.match(stripped)
        if match:
            return match.group(1)
    return None


def _split_documents_by_lines(text: str) -> Iterator[RawDocument]:
    lines = _LINES.findall(text)
    index = 0
    chunk: list[str] = []
    chunk_start = 1
    explicit = False  # chunk begins with '---': always a document, even if empty
    pending_prefix: list[str] = []  # directives/comments waiting for the next '---'

    def flush() -> Iterator[RawDocument]:
        nonlocal index
        has_content = any(not _BLANK_OR_COMMENT.match(line) and not line.startswith("%") and not _DOC_END.match(line)
                          for line in chunk)
        if explicit or has_content:
            body = "".join(chunk)
            yield RawDocument(index, chunk_start, body, _helm_source(chunk))
            index += 1

    for number, line in enumerate(lines, start=1):
        if _DOC_START.match(line):
            if explicit or any(not _BLANK_OR_COMMENT.match(c) and not c.startswith("%") for c in chunk):
                yield from flush()
                pending_prefix = []
            else:
                # Comments/directives before '---' belong to the document it starts (helm
                # puts '# Source:' there in some versions); keep their line numbers exact.
                pending_prefix = chunk
            chunk = [*pending_prefix, line]
            chunk_start = number - len(pending_prefix)
            explicit = True
        elif _DOC_END.match(line):
            chunk.append(line)
            yield from flush()
            chunk, chunk_start, explicit = [], number + 1, False
        else:
            if not chunk:
                chunk_start = number
            chunk.append(line)
    yield from flush()


def _helm_source(chunk: list[str]) -> str | None:
    """The template path of a `# Source: chart/templates/x.yaml` comment heading a document."""
    return _helm_source_of("".join(chunk))


class _Limits:
    __slots__ = ("duplicates", "max_nodes", "nodes")

    def __init__(self, max_nodes: int = MAX_NODES) -> None:
        self.nodes = 0
        self.max_nodes = max_nodes
        self.duplicates: list[tuple[int, str]] = []  # (line, key) of keys given twice in one mapping


class DocumentError(ValueError):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_BOOL_VALUES = {"true": True, "false": False}


def scalar_value(node: Any) -> Any:
    """Plain value of a scalar node (of compose_node) by its resolved tag; anything unusual stays a string."""
    tag = str(getattr(node.tag, "value", node.tag) or "")
    value: str = node.value
    if tag == "tag:yaml.org,2002:str" or not tag.startswith("tag:yaml.org,2002:"):
        return value
    kind = tag.rsplit(":", 1)[1]
    try:
        if kind == "null":
            return None
        if kind == "bool":
            return _BOOL_VALUES.get(value.lower(), value)
        if kind == "int":
            cleaned = value.replace("_", "")
            if cleaned.startswith(("0o", "-0o", "+0o")):
                return int(cleaned.replace("0o", ""), 8)
            return int(cleaned, 0) if cleaned.lower().startswith(("0x", "0b", "-0x", "+0x")) else int(cleaned)
        if kind == "float":
            lowered = value.lower().replace("_", "")
            if lowered in (".inf", "+.inf"):
                return float("inf")
            if lowered == "-.inf":
                return float("-inf")
            if lowered == ".nan":
                return float("nan")
            return float(lowered)
    except ValueError:
        return value
    return value  # timestamps, binary, ...: the text as written


def _convert(node: Any, path: NodePath, line_offset: int, positions: dict[NodePath, Position],
             limits: _Limits, active: set[int], depth: int) -> Any:
    limits.nodes += 1
    if limits.nodes > limits.max_nodes:
        raise DocumentError(node.start_mark.line + line_offset,
                            f"document expands to more than {limits.max_nodes} values (alias bomb?)")
    if depth > MAX_DEPTH:
        raise DocumentError(node.start_mark.line + line_offset, f"nesting deeper than {MAX_DEPTH} levels")
    positions[path] = (node.start_mark.line + line_offset, node.start_mark.column + 1)
    node_id = node.__class__.__name__
    if node_id == "ScalarNode":
        return scalar_value(node)
    if id(node) in active:
        raise DocumentError(node.start_mark.line + line_offset, "recursive alias")
    active.add(id(node))
    try:
        if node_id == "SequenceNode":
            return [
                _convert(item, (*path, i), line_offset, positions, limits, active, depth + 1)
                for i, item in enumerate(node.value)
            ]
        result: dict[Any, Any] = {}
        merges: list[Any] = []
        for key_node, value_node in node.value:
            if key_node.__class__.__name__ != "ScalarNode":
                raise DocumentError(key_node.start_mark.line + line_offset,
                                    "complex mapping keys are not supported in Kubernetes manifests")
            key = scalar_value(key_node)
            if str(getattr(key_node.tag, "value", key_node.tag)) == "tag:yaml.org,2002:merge":
                merges.append(value_node)
                continue
            if not isinstance(key, str):
                key = str(key_node.value)
            if key in result:
                # Helm (go-yaml) takes the last value of a key given twice: so do we, with a notice.
                limits.duplicates.append((key_node.start_mark.line + line_offset, key))
                del result[key]
            result[key] = _convert(value_node, (*path, key), line_offset, positions, limits, active, depth + 1)
        for merge_node in merges:
            sources = merge_node.value if merge_node.__class__.__name__ == "SequenceNode" else [merge_node]
            for source in sources:
                merged = _convert(source, (*path, "<<"), line_offset, positions, limits, active, depth + 1)
                if not isinstance(merged, dict):
                    raise DocumentError(source.start_mark.line + line_offset, "merge key '<<' needs a mapping")
                for key, value in merged.items():
                    result.setdefault(key, value)
        return result
    finally:
        active.discard(id(node))


def _yaml_error_line(exc: Exception, line_offset: int) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return None
    return int(mark.line) + line_offset


def _yaml_error_message(exc: Exception) -> str:
    problem = getattr(exc, "problem", None)
    context = getattr(exc, "context", None)
    if problem:
        message = f"{context}, {problem}" if context else str(problem)
    else:
        message = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return "invalid YAML: " + " ".join(message.split())


def compose_yaml(text: str, line_offset: int) -> tuple[Any, dict[NodePath, Position]]:
    """Parse one YAML document's text into plain data and value positions.

    ``line_offset`` is added to ruamel's 0-based lines to give 1-based stream lines.
    Raises DocumentError. Plain block-style documents are read by the fast parser (same result,
    see core/fastyaml.py); everything else, and every error, comes from compose_yaml_full.
    """
    data, positions, _duplicates = compose_yaml_noting(text, line_offset)
    return data, positions


def compose_yaml_noting(text: str, line_offset: int) -> tuple[Any, dict[NodePath, Position], list[tuple[int, str]]]:
    """compose_yaml, and the (line, key) of every key given twice in a mapping (the last one wins)."""
    try:
        data, positions = parse_block_yaml(text, line_offset)  # refuses duplicate keys: never has any
        return data, positions, []
    except Unsupported:
        duplicates: list[tuple[int, str]] = []
        data, positions = compose_yaml_full(text, line_offset, duplicates)
        return data, positions, duplicates


_NESTING_TOKENS = re.compile(r"""[\[\]{}'"#\n]""")
_DOUBLE_QUOTED_REST = re.compile(r'(?:[^"\\]|\\.)*"', re.DOTALL)
_SINGLE_QUOTED_REST = re.compile(r"[^']*(?:''[^']*)*'")
_OPENS_QUOTE_AFTER = frozenset(" \t\r\n[{,")
_COMPACT_ENTRIES = re.compile(r"(?:-[ \t]+)*")  # `- - - x`: a sequence in a sequence on one line


def nesting_overflow(text: str, limit: int = MAX_DEPTH) -> int | None:
    """The 1-based line of ``text`` (YAML, JSON or TOML) where flow collections (``[``, ``{``) nest
    deeper than ``limit``, or None. One linear pass over brackets, quotes and comments: the parsers
    need time quadratic in the depth (ruamel's scanner) or the Python stack (json, tomllib, ruamel's
    composer) to find out, and fail without a line. Brackets inside quoted strings and comments do
    not count; a quote opens a string only where a scalar can start (after a blank, ``[``, ``{``, ``,``)."""
    if text.count("[") + text.count("{") <= limit:
        return None
    depth, line, position = 0, 1, 0
    while True:
        match = _NESTING_TOKENS.search(text, position)
        if match is None:
            return None
        char, at = match.group(), match.start()
        position = at + 1
        if char == "\n":
            line += 1
        elif char in "[{":
            depth += 1
            if depth > limit:
                return line
        elif char in "]}":
            depth = max(depth - 1, 0)
        elif at == 0 or text[at - 1] in _OPENS_QUOTE_AFTER:
            if char == "#":
                end = text.find("\n", at)
                position = len(text) if end < 0 else end
                continue
            rest = (_DOUBLE_QUOTED_REST if char == '"' else _SINGLE_QUOTED_REST).match(text, at + 1)
            if rest is None:
                return None  # an unterminated string: the parser reports it
            line += text.count("\n", at, rest.end())
            position = rest.end()


def _deep_line(text: str, limit: int = MAX_DEPTH) -> int | None:
    """Where a text that exhausted a recursive parser nests too deep: its flow collections, else the
    first line whose block nesting (indentation levels and compact `- - -` entries) exceeds ``limit``."""
    overflow = nesting_overflow(text, limit)
    if overflow is not None:
        return overflow
    indents: list[int] = []
    for number, line in enumerate(text.split("\n"), start=1):
        body = line.lstrip(" ")
        if not body.strip() or body.startswith("#"):
            continue
        indent = len(line) - len(body)
        while indents and indents[-1] >= indent:
            indents.pop()
        indents.append(indent)
        lead = _COMPACT_ENTRIES.match(body)
        assert lead is not None  # (it matches the empty string)
        compact = lead.group(0).count("-")
        if len(indents) + compact > limit:
            return number
    return None


def compose_node(text: str, line_offset: int = 1) -> Any:
    """The root node of one YAML document composed by ruamel.yaml (safe: nodes only, no object is
    constructed), or None for an empty document: the one tree of YAML nodes with their marks, read by
    compose_yaml_full here and by fix/tree.py. Raises DocumentError."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    overflow = nesting_overflow(text)
    if overflow is not None:
        raise DocumentError(overflow - 1 + line_offset, f"nesting deeper than {MAX_DEPTH} levels")
    yaml = YAML(typ="safe", pure=True)
    try:
        return yaml.compose(text)
    except YAMLError as exc:
        node = _compose_blank_lines_emptied(text)
        if node is None:
            raise DocumentError(_yaml_error_line(exc, line_offset), _yaml_error_message(exc)) from None
        return node
    except RecursionError:
        deep = _deep_line(text)
        raise DocumentError(line_offset - 1 + (deep or 1), f"nesting deeper than {MAX_DEPTH} levels") from None


def node_data(node: Any) -> Any:
    """The plain data of a node of compose_node, aliases expanded within the bounds. Raises DocumentError."""
    try:
        return _convert(node, (), 0, {}, _Limits(), set(), 0)
    except RecursionError:
        raise DocumentError(None, f"nesting deeper than {MAX_DEPTH} levels") from None


def compose_yaml_full(text: str, line_offset: int, duplicates: list[tuple[int, str]] | None = None,
                      max_nodes: int = MAX_NODES, *, use_libyaml: bool = True) -> tuple[Any, dict[NodePath, Position]]:
    """compose_yaml by libyaml when it is installed (core/libyaml.py; ``use_libyaml=False``: never),
    else ruamel.yaml (pure Python), and our converter: any YAML, every error (ruamel's). Keys given
    twice are appended to ``duplicates``; aliases expand to at most ``max_nodes`` values."""
    from pluto_py.core import libyaml

    node = libyaml.compose(text) if use_libyaml and nesting_overflow(text) is None else NotImplemented
    if node is NotImplemented:
        node = compose_node(text, line_offset)
    positions: dict[NodePath, Position] = {}
    if node is None:
        return None, positions
    limits = _Limits(max_nodes)
    try:
        data = _convert(node, (), line_offset, positions, limits, set(), 0)
    except RecursionError:
        raise DocumentError(line_offset, f"nesting deeper than {MAX_DEPTH} levels") from None
    if duplicates is not None:
        duplicates.extend(limits.duplicates)
    return data, positions


_BLOCK_INDICATOR = re.compile(r"(?:^|[ \t:-])[|>][-+]?[ \t]*(?:#.*)?$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _compose_blank_lines_emptied(text: str) -> Any:
    """ruamel refuses a block scalar led by a line of spaces that YAML allows (and libyaml and Helm
    accept). Compose again with those leading lines emptied where libyaml reads them as empty lines:
    right after an auto-indented block indicator, no longer than the indentation of the scalar's
    first content line (or any length when the scalar has no content). None when it still fails."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    lines = text.split("\n")
    changed = False
    number = 0
    while number < len(lines):
        header = lines[number].rstrip("\r")
        number += 1
        if not _BLOCK_INDICATOR.search(header):
            continue
        run = number
        while run < len(lines) and not lines[run].strip():
            run += 1
        content = lines[run].rstrip("\r") if run < len(lines) else ""
        has_content = bool(content.strip()) and _indent(content) > _indent(header)
        for blank in range(number, run):
            line = lines[blank].rstrip("\r")
            if line and not line.strip(" ") and (not has_content or len(line) <= _indent(content)):
                lines[blank] = lines[blank][len(line):]
                changed = True
        number = run
    if not changed:
        return None
    emptied = "\n".join(lines)
    try:
        node = YAML(typ="safe", pure=True).compose(emptied)
    except (YAMLError, RecursionError):
        return None
    _reindex_marks(node, text)
    return node


def _reindex_marks(root: Any, text: str) -> None:
    """Point the marks of a tree composed from the emptied text at ``text`` itself: lines and columns
    are the same in both (only lines of spaces were shortened), offsets are not; fix/tree.py edits by
    offset."""
    starts = [0, *(match.end() for match in re.finditer("\r\n|[\r\n\x85\u2028\u2029]", text))]  # YAML's breaks
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        for mark in (node.start_mark, node.end_mark):
            if mark is not None and mark.line < len(starts):
                mark.index = starts[mark.line] + mark.column
        if node.__class__.__name__ == "SequenceNode":
            stack.extend(node.value)
        elif node.__class__.__name__ == "MappingNode":
            stack.extend(part for pair in node.value for part in pair)


def _within(line: int | None, raw: RawDocument) -> int | None:
    """An error's line, kept inside its document: a parser that runs off the end of a document
    (an unclosed bracket) reports the line after it, which belongs to the next document."""
    if line is None:
        return None
    last = raw.first_line + max(len(_LINES.findall(raw.text)) - 1, 0)
    return min(max(line, raw.first_line), last)


def parse_yaml_stream(text: str, path: str, source: str, prescan: PrescanPolicy | None = None,
                      on_skip: Callable[[], None] | None = None) -> Iterator[Document | ScanError]:
    """Every document of a YAML stream, in order; a broken one becomes a ScanError.

    With a ``prescan`` policy (and ``on_skip``), a document that cannot matter
    (prescan.needs_full_parse) is neither parsed nor yielded: ``on_skip`` is called instead.
    """
    if prescan is not None and on_skip is not None and not prescan.file_needs_full_parse(text):
        raws: Iterable[RawDocument] = _documents_to_parse(text, prescan, on_skip)
    else:
        raws = split_documents(text)
    for raw in raws:
        try:
            data, positions, duplicates = compose_yaml_noting(raw.text, raw.first_line)
        except DocumentError as exc:
            yield ScanError(path, _within(exc.line, raw), f"document {raw.index}: {exc.message}")
            continue
        notices = tuple(Notice(path, line, DUPLICATE_KEY_CODE, f"document {raw.index}: key {key!r} is given twice in "
                                                               "one mapping: the last one is used, as Helm does")
                        for line, key in duplicates)
        yield Document(
            path=path,
            index=raw.index,
            line=raw.start_line,
            data=data,
            positions=positions,
            source=SOURCE_HELM_TEMPLATE if raw.template else source,
            template=raw.template,
            notices=notices,
        )


# A document of nothing but blank lines, comments and its '---' / '...' markers: it holds no object.
_EMPTY_DOCUMENT = re.compile(r"(?:(?:(?:---|\.\.\.)(?=[ \t\r\n]|\Z))?[ \t]*(?:#[^\r\n]*)?(?:\r?\n|\Z))*")


def _documents_to_parse(text: str, prescan: PrescanPolicy, on_skip: Callable[[], None]) -> Iterator[RawDocument]:
    """split_documents(text) without the documents that cannot matter (each calls ``on_skip``).

    Equivalent to filtering split_documents by needs_full_parse(read_head(...)), but what holds for
    the whole text is tested once (a substring absent from the file is absent from each of its
    documents), and a skipped document is neither copied into a RawDocument nor line-counted.
    """
    if _has_lone_cr(text):
        for raw in _split_documents_by_lines(text):
            if needs_full_parse(read_head(raw.text), raw.text, prescan):
                yield raw
            else:
                on_skip()
        return
    facts = FileFacts.of(text, prescan)
    counted_at, counted_line = 0, 1
    for index, (start, end) in enumerate(_document_bounds(text)):
        body = text[start:end]
        if (end - start < 256 and _EMPTY_DOCUMENT.fullmatch(body)) or not facts.needs_full_parse(body):
            on_skip()
            continue
        counted_line += text.count("\n", counted_at, start)
        counted_at = start
        yield RawDocument(index, counted_line, body, _helm_source_of(body))


def parse_json_document(text: str, path: str, source: str) -> Document | ScanError:
    """A JSON file as one document, with the positions of its values."""
    try:
        data, positions = JsonPositionParser(text).parse()
    except DocumentError as exc:
        return ScanError(path, exc.line, f"invalid JSON: {exc.message}")
    return Document(path=path, index=0, line=1, data=data, positions=positions, source=source)


_JSON_START = re.compile(r"\s*[{\[]")


def looks_like_json(text: str) -> bool:
    return _JSON_START.match(text) is not None


def parse_text(text: str, path: str, source: str, *, json_file: bool, prescan: PrescanPolicy | None = None,
               on_skip: Callable[[], None] | None = None) -> Iterator[Document | ScanError]:
    """Documents of a file or stream: JSON files as JSON, everything else as YAML.

    ``prescan``/``on_skip``: YAML documents that cannot matter are skipped (parse_yaml_stream).
    """
    if json_file and not text.strip():
        return  # an empty .json file holds no document (as an empty YAML file holds none)
    if json_file or looks_like_json(text):
        result = parse_json_document(text, path, source)
        if isinstance(result, Document) or json_file:
            yield result
            return
        # Not JSON after all (e.g. a YAML flow mapping followed by more documents).
    yield from parse_yaml_stream(text, path, source, prescan, on_skip)


_JSON_WS = re.compile(r"[ \t\n\r]*")
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_JSON_STRING_CHUNK = re.compile(r'[^"\\\x00-\x1f]*')


class JsonPositionParser:
    """A strict JSON parser that also records the 1-based line/column of every value.

    The standard library's parser does not expose positions; findings must point at the
    apiVersion value, so this one does. Strings are decoded by json's own scanner. With
    ``spans=True`` it also records the character span of every value and key (``spans``,
    ``key_spans``, by the value's path): fix/tree.py builds its edit tree from them.
    """

    def __init__(self, text: str, *, spans: bool = False) -> None:
        self.text = text
        self.positions: dict[NodePath, Position] = {}
        self._line_starts = [0]
        for match in re.finditer("\n", text):
            self._line_starts.append(match.end())
        self._nodes = 0
        self.spans: dict[NodePath, tuple[int, int]] | None = None
        self.key_spans: dict[NodePath, tuple[int, int]] | None = None
        if spans:  # (the scan never asks: its parse pays for no span)
            self.spans, self.key_spans = {}, {}
            self._value = self._spanned_value  # type: ignore[method-assign]

    def _spanned_value(self, offset: int, path: NodePath, depth: int) -> tuple[Any, int]:
        value, end = JsonPositionParser._value(self, offset, path, depth)
        assert self.spans is not None
        self.spans[path] = (offset, end)
        return value, end

    def _position(self, offset: int) -> Position:
        import bisect

        line = bisect.bisect_right(self._line_starts, offset)
        return (line, offset - self._line_starts[line - 1] + 1)

    def _fail(self, offset: int, message: str) -> DocumentError:
        line, column = self._position(min(offset, len(self.text)))
        return DocumentError(line, f"{message} (line {line}, column {column})")

    def _skip(self, offset: int) -> int:
        match = _JSON_WS.match(self.text, offset)
        assert match is not None
        return match.end()

    def parse(self) -> tuple[Any, dict[NodePath, Position]]:
        offset = self._skip(0)
        if offset >= len(self.text):
            raise self._fail(offset, "empty document")
        value, offset = self._value(offset, (), 0)
        offset = self._skip(offset)
        if offset != len(self.text):
            raise self._fail(offset, "extra data after the JSON value")
        return value, self.positions

    def _value(self, offset: int, path: NodePath, depth: int) -> tuple[Any, int]:
        if depth > MAX_DEPTH:
            raise self._fail(offset, f"nesting deeper than {MAX_DEPTH} levels")
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise self._fail(offset, f"more than {MAX_NODES} values")
        self.positions[path] = self._position(offset)
        text = self.text
        char = text[offset : offset + 1]
        if char == "{":
            return self._object(offset + 1, path, depth)
        if char == "[":
            return self._array(offset + 1, path, depth)
        if char == '"':
            return self._string(offset)
        for literal, value in (("true", True), ("false", False), ("null", None)):
            if text.startswith(literal, offset):
                return value, offset + len(literal)
        match = _JSON_NUMBER.match(text, offset)
        if match and match.end() > offset:
            number = match.group(0)
            return (float(number) if match.group(1) or match.group(2) else int(number)), match.end()
        raise self._fail(offset, "expected a JSON value" if char else "unexpected end of input")

    def _string(self, offset: int) -> tuple[str, int]:
        from json import JSONDecodeError  # (imported here: not on the start-up path of YAML scans)
        from json.decoder import scanstring  # type: ignore[attr-defined]

        try:
            value, end = scanstring(self.text, offset + 1, True)
        except JSONDecodeError as exc:
            raise self._fail(exc.pos, exc.msg) from None
        return value, end

    def _object(self, offset: int, path: NodePath, depth: int) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        offset = self._skip(offset)
        if self.text.startswith("}", offset):
            return result, offset + 1
        while True:
            if not self.text.startswith('"', offset):
                raise self._fail(offset, "expected a property name in double quotes")
            key_start = offset
            key, offset = self._string(offset)
            if self.key_spans is not None:
                self.key_spans[(*path, key)] = (key_start, offset)
            offset = self._skip(offset)
            if not self.text.startswith(":", offset):
                raise self._fail(offset, "expected ':'")
            offset = self._skip(offset + 1)
            if key in result:
                raise self._fail(offset, f"duplicate key {key!r}")
            result[key], offset = self._value(offset, (*path, key), depth + 1)
            offset = self._skip(offset)
            if self.text.startswith(",", offset):
                offset = self._skip(offset + 1)
                continue
            if self.text.startswith("}", offset):
                return result, offset + 1
            raise self._fail(offset, "expected ',' or '}'")

    def _array(self, offset: int, path: NodePath, depth: int) -> tuple[list[Any], int]:
        result: list[Any] = []
        offset = self._skip(offset)
        if self.text.startswith("]", offset):
            return result, offset + 1
        while True:
            value, offset = self._value(offset, (*path, len(result)), depth + 1)
            result.append(value)
            offset = self._skip(offset)
            if self.text.startswith(",", offset):
                offset = self._skip(offset + 1)
                continue
            if self.text.startswith("]", offset):
                return result, offset + 1
            raise self._fail(offset, "expected ',' or ']'")
