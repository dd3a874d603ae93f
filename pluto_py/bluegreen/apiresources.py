"""The text ``kubectl api-resources`` and ``kubectl api-versions`` print, read back into served APIs.

``kubectl api-resources [-o wide]`` prints a table aligned with spaces (Go's tabwriter)::

    NAME          SHORTNAMES   APIVERSION   NAMESPACED   KIND         VERBS                 CATEGORIES
    bindings                   v1           true         Binding      create
    pods          po           v1           true         Pod          create,delete,...     all

Cells may be empty (SHORTNAMES, CATEGORIES), so a row is cut at the header's column starts; a row
that does not fit them (re-indented, columns widened by hand) is read by its tokens instead, which is
unambiguous with an APIVERSION column. kubectl before 1.20 printed APIGROUP (no version) and verbs as
``[get list]``; the verb form is read, the APIGROUP form is refused (it says nothing of versions).
``kubectl api-versions`` prints one group/version a line. Errors kubectl mixes in when stderr is
captured too (``unable to retrieve the complete list of server APIs: metrics.k8s.io/v1beta1: ...``)
name group/versions that discovery could not reach: an aggregated API whose backend is down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pluto_py.bluegreen.model import ApiResource

_GROUP_VERSION = re.compile(r"^(?:[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*/)?v[0-9]+[a-z0-9]*$")
_RESOURCE = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$")
_KIND = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_SHORT_NAMES = re.compile(r"^[a-z0-9-]+(,[a-z0-9-]+)*$")
_LIST = re.compile(r"^[a-z0-9*-]+(,[a-z0-9*-]+)*$")
# What kubectl writes to stderr when part of discovery fails (captured with 2>&1).
_UNREACHABLE = re.compile(r"(?:unable to retrieve the complete list of server APIs|couldn't get resource list for)"
                          r":?\s+(?P<gv>[a-z0-9.-]+/v[0-9a-z]+)")
_STDERR_PREFIXES = ("error:", "warning:", "W0", "E0", "I0")

COLUMNS = ("NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "VERBS", "CATEGORIES")
_NEEDED = ("NAME", "APIVERSION", "NAMESPACED", "KIND")

FORMAT_RESOURCES = "api-resources"
FORMAT_VERSIONS = "api-versions"


@dataclass
class DiscoveryText:
    """What one file of kubectl output says; ``errors`` are (line, message) of lines not understood."""

    format: str
    resources: list[ApiResource] = field(default_factory=list)
    group_versions: set[str] = field(default_factory=set)  # api-versions: every served group/version
    unreachable: set[str] = field(default_factory=set)
    errors: list[tuple[int, str]] = field(default_factory=list)


class DiscoveryTextError(ValueError):
    """Text that is neither kind of kubectl output (the message says which line and why)."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _is_stderr(line: str) -> bool:
    return line.startswith(_STDERR_PREFIXES) or bool(_UNREACHABLE.search(line))


def parse_discovery_text(source: str) -> DiscoveryText:
    """Read ``kubectl api-resources`` (default or ``-o wide``, with or without headers) or
    ``kubectl api-versions`` output. Raises DiscoveryTextError when it is neither."""
    lines = source.splitlines()
    unreachable: set[str] = set()
    body: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if not line.strip():
            continue
        if _is_stderr(line.lstrip()):
            unreachable.update(match.group("gv") for match in _UNREACHABLE.finditer(line))
            continue
        body.append((number, line))
    if not body:
        if unreachable:
            return DiscoveryText(FORMAT_RESOURCES, unreachable=unreachable)
        raise DiscoveryTextError(None, "empty: no `kubectl api-resources` or `kubectl api-versions` output")
    first_number, first = body[0]
    header = first.split()
    if header and header[0] == "NAME":
        result = _parse_table(body[0], body[1:])
    elif all(_GROUP_VERSION.match(line.strip()) for _, line in body):
        result = DiscoveryText(FORMAT_VERSIONS, group_versions={line.strip() for _, line in body})
    elif _tokens_row(first) is not None:
        result = DiscoveryText(FORMAT_RESOURCES)  # --no-headers
        _read_rows(result, body, None)
    elif all(_RESOURCE.match(line.strip()) for _, line in body):
        raise DiscoveryTextError(first_number, "`kubectl api-resources -o name` output names no versions: "
                                               "use `kubectl api-resources -o wide`")
    else:
        raise DiscoveryTextError(first_number, "neither `kubectl api-resources` nor `kubectl api-versions` output "
                                               f"(first line: {first.strip()[:80]!r})")
    result.unreachable |= unreachable
    return result


def _parse_table(header_line: tuple[int, str], rows: list[tuple[int, str]]) -> DiscoveryText:
    number, header = header_line
    if "\t" in header:
        names = [cell.strip() for cell in header.split("\t")]
        starts: list[int] | None = None
    else:
        matches = list(re.finditer(r"\S+", header))
        names = [m.group() for m in matches]
        starts = [m.start() for m in matches]
    if "APIGROUP" in names:
        raise DiscoveryTextError(number, "this is the output of kubectl older than 1.20 (an APIGROUP column, no "
                                         "versions): run a newer kubectl, or give `kubectl api-versions` output")
    unknown = [name for name in names if name not in COLUMNS]
    missing = [name for name in _NEEDED if name not in names]
    if unknown or missing:
        problem = f"unknown column(s) {', '.join(unknown)}" if unknown else f"no {', '.join(missing)} column"
        raise DiscoveryTextError(number, f"not a `kubectl api-resources` header: {problem}")
    result = DiscoveryText(FORMAT_RESOURCES)
    _read_rows(result, rows, (names, starts))
    return result


def _read_rows(result: DiscoveryText, rows: list[tuple[int, str]],
               layout: tuple[list[str], list[int] | None] | None) -> None:
    for number, line in rows:
        resource = None
        if layout is not None:
            names, starts = layout
            cells = _cut(line, starts) if starts is not None else [c.strip() for c in line.split("\t")]
            resource = _row_of_cells(dict(zip(names, cells, strict=False)))
        if resource is None:
            resource = _tokens_row(line)
        if resource is None:
            result.errors.append((number, "not a row of `kubectl api-resources` output (expected NAME [SHORTNAMES] "
                                          f"APIVERSION NAMESPACED KIND ...): {line.strip()[:80]!r}"))
        else:
            result.resources.append(resource)


def _cut(line: str, starts: list[int]) -> list[str]:
    """Cells at the header's column starts; a cell that does not begin at its start (a token running
    across the boundary) makes the whole cut invalid."""
    cells: list[str] = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(line)
        if start > 0 and start < len(line) and not line[start - 1].isspace() and not line[start].isspace():
            return []
        cells.append(line[start:end].strip() if start < len(line) else "")
    return cells


def _verbs(text: str) -> tuple[str, ...] | None:
    """``create,delete`` (kubectl >= 1.20) or ``[create delete]`` (older)."""
    if text.startswith("[") and text.endswith("]"):
        return tuple(text[1:-1].split())
    if not text:
        return ()
    return tuple(text.split(",")) if _LIST.match(text) else None


def _row_of_cells(cells: dict[str, str]) -> ApiResource | None:
    name, api_version = cells.get("NAME", ""), cells.get("APIVERSION", "")
    namespaced, kind, short = cells.get("NAMESPACED", ""), cells.get("KIND", ""), cells.get("SHORTNAMES", "")
    verbs = _verbs(cells.get("VERBS", ""))
    categories = cells.get("CATEGORIES", "")
    if not (_RESOURCE.match(name) and _GROUP_VERSION.match(api_version) and namespaced in ("true", "false")
            and _KIND.match(kind) and (not short or _SHORT_NAMES.match(short)) and verbs is not None
            and (not categories or _LIST.match(categories))):
        return None
    return ApiResource(name, api_version, kind, namespaced == "true", tuple(short.split(",")) if short else (),
                       verbs, tuple(categories.split(",")) if categories else ())


def _tokens_row(line: str) -> ApiResource | None:
    """A row read by its tokens: NAME [SHORTNAMES] APIVERSION true|false KIND [VERBS [CATEGORIES]]."""
    tokens = line.split()
    flag = next((i for i, token in enumerate(tokens) if token in ("true", "false") and i >= 2), None)
    if flag is None or flag > 3 or flag + 1 >= len(tokens):
        return None
    rest = tokens[flag + 2:]
    verbs_text, categories = "", ""
    if rest and rest[0].startswith("["):
        end = next((i for i, token in enumerate(rest) if token.endswith("]")), None)
        if end is None:
            return None
        verbs_text, rest = " ".join(rest[:end + 1]), rest[end + 1:]
    elif rest:
        verbs_text, rest = rest[0], rest[1:]
    if rest:
        categories = rest[0] if len(rest) == 1 else "?"
    cells = {"NAME": tokens[0], "SHORTNAMES": tokens[1] if flag == 3 else "", "APIVERSION": tokens[flag - 1],
             "NAMESPACED": tokens[flag], "KIND": tokens[flag + 1], "VERBS": verbs_text, "CATEGORIES": categories}
    return _row_of_cells(cells)
