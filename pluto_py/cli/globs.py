"""The include/exclude globs of a configuration file, matched in time linear in the path.

Semantics are `.gitignore`'s: ``*`` and ``?`` stay within a path segment, ``[...]`` is a character class
(``[!...]`` or ``[^...]`` negated), a segment that is exactly ``**`` matches any number of segments (other
runs of asterisks are one ``*``), a pattern without a slash matches a name at any depth, a leading ``/``
anchors it at the configuration's directory, and a pattern also matches everything below what it matches
(``vendor`` excludes ``vendor/**``).

Why not a regular expression of the whole pattern: ``*a*a*a*a*a*a*a*a*a*a*a*a*a*b`` translated to
``[^/]*a[^/]*a...b`` backtracks exponentially on a long name of ``a``s (a scan that never ends). Here a
segment is matched by a regular expression in which every ``*`` but the last is an atomic group (it takes
the first place its following text fits and never goes back: enough, since a segment has one kind of
star), and the segments by the greedy two-pointer walk of wildcard matching with ``**`` as the wildcard.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_GLOBSTAR = None  # a segment that is exactly '**'
_Segment = re.Pattern[str] | None


class GlobError(ValueError):
    """A glob that cannot be used (a character class whose range runs backwards)."""


class Glob:
    """One compiled include/exclude pattern: ``match(path)`` for a '/'-separated relative path."""

    __slots__ = ("_segments", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._segments = _compile(pattern)

    def match(self, path: str) -> bool:
        if self._segments is None:
            return False
        return _match_segments(self._segments, path.split("/"))

    def __repr__(self) -> str:
        return f"Glob({self.pattern!r})"


def compile_glob(pattern: str) -> Glob:
    """A Glob; GlobError for a pattern that cannot be used."""
    return Glob(pattern)


def _compile(pattern: str) -> list[_Segment] | None:
    text = pattern.strip().replace("\\", "/")
    anchored = text.startswith("/")
    text = text.strip("/")
    if not text:
        return None  # an empty pattern matches nothing
    if not anchored and "/" not in text:
        parts = ["**", text]
    else:
        while text.startswith("./"):
            text = text[2:]
        parts = [part for part in text.split("/") if part not in ("", ".")]
    if not parts:
        return None  # '.', './': no file is named so
    if parts[-1] == "**":
        parts[-1] = "*"  # 'dir/**': something below dir (then anything below that, as for every pattern)
    segments: list[_Segment] = [_GLOBSTAR if part == "**" else _segment_regex(part, pattern) for part in parts]
    segments.append(_GLOBSTAR)  # a pattern also matches everything below what it matches
    return segments


def _segment_regex(part: str, pattern: str) -> re.Pattern[str]:
    """A regular expression for one segment: literal text, ``?``, classes and ``*`` (runs of asterisks
    are one), each ``*`` but the last atomic and lazy (``(?>.*?text)``), so matching is linear."""
    chunks: list[list[str]] = [[]]  # the fixed-width pieces between stars, as regex fragments
    index = 0
    while index < len(part):
        char = part[index]
        if char == "*":
            while index < len(part) and part[index] == "*":
                index += 1
            chunks.append([])
            continue
        if char == "?":
            chunks[-1].append(".")
            index += 1
        elif char == "[":
            fragment, index = _char_class(part, index, pattern)
            chunks[-1].append(fragment)
        else:
            chunks[-1].append(re.escape(char))
            index += 1
    pieces = ["".join(chunk) for chunk in chunks]
    if len(pieces) == 1:
        body = pieces[0]
    else:
        middle = "".join(f"(?>.*?{piece})" for piece in pieces[1:-1])
        body = f"{pieces[0]}{middle}.*{pieces[-1]}"
    return re.compile(f"{body}\\Z", re.DOTALL)


def _char_class(part: str, start: int, pattern: str) -> tuple[str, int]:
    """The regex of the class at ``part[start]`` ('[') and the index after it; an unclosed '[' is a
    literal. GlobError for a range that runs backwards (``[z-a]``)."""
    index = start + 1
    negated = index < len(part) and part[index] in "!^"
    if negated:
        index += 1
    body_start = index
    if index < len(part) and part[index] == "]":
        index += 1  # a ']' first is part of the class
    end = part.find("]", index)
    if end == -1:
        return re.escape("["), start + 1
    body = part[body_start:end]
    items: list[str] = []
    position = 0
    while position < len(body):
        if position + 2 < len(body) and body[position + 1] == "-":
            low, high = body[position], body[position + 2]
            if low > high:
                raise GlobError(f"glob {pattern!r}: the range {low}-{high} runs backwards (write {high}-{low})")
            items.append(f"{re.escape(low)}-{re.escape(high)}")
            position += 3
        else:
            items.append(re.escape(body[position]))
            position += 1
    return f"[{'^' if negated else ''}{''.join(items)}]", end + 1


def _match_segments(pattern: Sequence[_Segment], path: Sequence[str]) -> bool:
    """Wildcard matching over segments, ``**`` the wildcard: the greedy walk that remembers only the
    last ``**`` (correct for any one-segment test; time at most segments x pattern length)."""
    p = s = 0
    star_p, star_s = -1, 0
    while s < len(path):
        if p < len(pattern) and pattern[p] is _GLOBSTAR:
            star_p, star_s = p, s
            p += 1
            continue
        segment = pattern[p] if p < len(pattern) else None
        if segment is not None and segment.match(path[s]):
            p += 1
            s += 1
        elif star_p >= 0:
            star_s += 1
            p, s = star_p + 1, star_s
        else:
            return False
    while p < len(pattern) and pattern[p] is _GLOBSTAR:
        p += 1
    return p == len(pattern)
