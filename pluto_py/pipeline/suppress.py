"""Inline suppressions: ``# kdeprecate: ignore`` comments in the scanned files, like ruff's ``# noqa``.

Forms (a YAML comment, so JSON files cannot carry one)::

    apiVersion: extensions/v1beta1  # kdeprecate: ignore
    # kdeprecate: ignore[removed] -- kept until the 1.21 clusters are gone
    apiVersion: policy/v1beta1
    # kdeprecate: ignore-file: vendored upstream manifest

* ``ignore`` silences every finding of the object whose ``apiVersion`` is on the same line, or on
  the first line below a run of comment-only lines (``---`` separators in between are skipped).
* ``ignore[removed]`` / ``ignore[deprecated]`` / ``ignore[removed,deprecated]`` silence only
  findings of those statuses.
* ``ignore-file`` (on a comment-only line, anywhere in the file) silences the whole file; it
  takes the same optional ``[codes]``.
* Text after the directive (an optional ``--`` or ``:`` first) is the reason; it is kept in the
  finding (``suppression_reason``).

Suppressed findings stay in every report, marked ``"suppressed": true``, and are counted in the
summary; they never fail the scan. A suppression that silences nothing at this scan's targets
becomes an ``unused-suppression`` notice, and a directive that cannot be read an
``invalid-suppression`` notice (both warnings: they fail only with ``--fail-on deprecated``), so
stale comments do not pile up. As with noqa, "unused" is judged at the targets of the scan.

Cost: files are offered to :meth:`SuppressionIndex.observe` as they are read; a file whose text
does not contain ``kdeprecate:`` costs one substring test and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from pluto_py.core.model import STATUS_DEPRECATED, STATUS_REMOVED, Finding, Notice
from pluto_py.core.prescan import FILE_MARKERS

MARKER = FILE_MARKERS[0]  # "kdeprecate:"
CODES = frozenset({STATUS_REMOVED, STATUS_DEPRECATED})
UNUSED_CODE = "unused-suppression"
INVALID_CODE = "invalid-suppression"

# A YAML comment starts at the beginning of a line or after whitespace.
_DIRECTIVE = re.compile(
    r"(?:^|[ \t])#[ \t]*kdeprecate:[ \t]*(?P<word>[A-Za-z][A-Za-z-]*)"
    r"(?:\[(?P<codes>[^\]]*)\])?(?P<rest>[^\r\n]*)"
)
_COMMENT_ONLY = re.compile(r"^[ \t]*#")
_SEPARATOR = re.compile(r"^(?:---|\.\.\.)(?:[ \t].*)?$")
_REASON_PREFIX = re.compile(r"^[ \t]*(?:--|:|—|-)?[ \t]*")


@dataclass
class Suppression:
    """One directive: where it is written, what it targets and what it silences."""

    path: str
    line: int  # where the comment is
    column: int
    target_line: int | None  # the line it applies to; None for ignore-file
    codes: frozenset[str] | None  # None: every status
    reason: str | None
    file_level: bool = False
    used: int = 0

    def silences(self, status: str) -> bool:
        return self.codes is None or status in self.codes

    @property
    def text(self) -> str:
        word = "ignore-file" if self.file_level else "ignore"
        codes = f"[{','.join(sorted(self.codes))}]" if self.codes is not None else ""
        return f"# kdeprecate: {word}{codes}"


@dataclass
class FileSuppressions:
    path: str
    file_level: list[Suppression] = field(default_factory=list)
    by_line: dict[int, list[Suppression]] = field(default_factory=dict)

    def all(self) -> list[Suppression]:
        return self.file_level + [s for group in self.by_line.values() for s in group]


def _lines(text: str) -> list[str]:
    return text.splitlines() if "\r" in text else text.split("\n")


def parse_suppressions(path: str, text: str) -> tuple[FileSuppressions, list[Notice]]:
    """Every directive in one file's text, and notices for the ones that cannot be understood."""
    result = FileSuppressions(path)
    notices: list[Notice] = []
    if MARKER not in text:
        return result, notices
    lines = _lines(text)
    starts = _line_starts(text, lines)
    in_scalar = _ScalarSpans(text)
    for index, line in enumerate(lines):
        if MARKER not in line:
            continue
        match = _real_directive(line, starts[index], in_scalar)
        if match is None:
            continue
        number = index + 1
        hash_at = line.index("#", match.start())
        column = hash_at + 1
        word = match["word"]
        own_line = not line[:hash_at].strip()  # a comment-only line, not a trailing comment
        if word not in ("ignore", "ignore-file"):
            notices.append(Notice(path, number, INVALID_CODE,
                                  f"unknown directive 'kdeprecate: {word}' (use 'ignore' or 'ignore-file')",
                                  column=column))
            continue
        codes: frozenset[str] | None = None
        if match["codes"] is None and match["rest"].lstrip().startswith("["):
            # `ignore[removed` or `ignore [removed]`: read as a reason, it would silence every status.
            notices.append(Notice(path, number, INVALID_CODE,
                                  f"cannot read the codes of 'kdeprecate: {word}': write them right after it, "
                                  "in closed brackets: [removed], [deprecated] or [removed,deprecated]",
                                  column=column))
            continue
        if match["codes"] is not None:
            names = [c.strip() for c in match["codes"].split(",") if c.strip()]
            unknown = [c for c in names if c not in CODES]
            if unknown or not names:
                what = ", ".join(unknown) if unknown else "nothing"
                notices.append(Notice(path, number, INVALID_CODE,
                                      f"unknown code(s) in brackets: {what} (codes: removed, deprecated)",
                                      column=column))
                continue
            codes = frozenset(names)
        reason = _REASON_PREFIX.sub("", match["rest"], count=1).strip() or None
        if word == "ignore-file":
            if not own_line:
                notices.append(Notice(path, number, INVALID_CODE,
                                      "'kdeprecate: ignore-file' must be on a line of its own", column=column))
                continue
            result.file_level.append(Suppression(path, number, column, None, codes, reason, file_level=True))
            continue
        target: int | None = number
        if own_line:
            target = _line_below(lines, index)
        suppression = Suppression(path, number, column, target, codes, reason)
        if target is None:
            notices.append(Notice(path, number, UNUSED_CODE,
                                  f"'{suppression.text}' is not followed by an object's apiVersion line",
                                  column=column))
            continue
        result.by_line.setdefault(target, []).append(suppression)
    return result, notices


def _line_starts(text: str, lines: list[str]) -> list[int]:
    """The offset in ``text`` of each of ``lines`` (as _lines split it)."""
    starts: list[int] = []
    at = 0
    for line in lines:
        at = text.find(line, at) if line else at
        starts.append(at)
        at += len(line)
        at += 2 if text.startswith("\r\n", at) else 1
    return starts


def _real_directive(line: str, line_start: int, in_scalar: _ScalarSpans) -> re.Match[str] | None:
    """The first directive of a line that is a real YAML comment: not text inside a block scalar, a
    quoted string or a plain multi-line value that merely looks like one."""
    for match in _DIRECTIVE.finditer(line):
        if not in_scalar(line_start + line.index("#", match.start())):
            return match
    return None


class _ScalarSpans:
    """Whether an offset of a text lies inside a scalar (a key or value), by YAML's own parser.

    Each document is parsed on its own, lazily, and only for files holding the marker. A document
    the parser rejects has no comments it can vouch for: its directives are not obeyed (the scan
    reports the document as an error anyway).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._spans: list[tuple[int, int]] | None = None

    def __call__(self, offset: int) -> bool:
        if self._spans is None:
            self._spans = self._scan()
        import bisect

        at = bisect.bisect_right(self._spans, (offset, float("inf"))) - 1
        return at >= 0 and self._spans[at][0] <= offset < self._spans[at][1]

    def _scan(self) -> list[tuple[int, int]]:
        from ruamel.yaml import YAML
        from ruamel.yaml.error import YAMLError

        from pluto_py.core.parse import split_documents

        spans: list[tuple[int, int]] = []
        searched = 0
        for raw in split_documents(self.text):
            base = self.text.find(raw.text, searched)
            if base < 0:
                continue
            searched = base + len(raw.text)
            try:
                for event in YAML(typ="safe", pure=True).parse(raw.text):
                    if event.__class__.__name__ != "ScalarEvent":
                        continue
                    start, end = event.start_mark.index, event.end_mark.index
                    if getattr(event, "style", None) in ("|", ">"):
                        # A comment may follow the indicator on its own line; the content starts below.
                        breaks = [i for i in (raw.text.find("\n", start), raw.text.find("\r", start)) if i >= 0]
                        start = min(breaks) if breaks else end
                    spans.append((base + start, base + end))
            except (YAMLError, RecursionError):
                spans.append((base, base + len(raw.text)))  # no directive of a broken document is obeyed
        spans.sort()
        return spans


def _line_below(lines: list[str], index: int) -> int | None:
    """The first line below ``index`` that is neither a comment nor a document separator."""
    for below in range(index + 1, len(lines)):
        line = lines[below]
        if _COMMENT_ONLY.match(line) or _SEPARATOR.match(line):
            continue
        if not line.strip():
            return None  # a blank line ends the comment block: the directive is attached to nothing
        return below + 1
    return None


class SuppressionIndex:
    """Collects directives from scanned files; afterwards marks the findings they silence."""

    def __init__(self) -> None:
        self._files: dict[str, FileSuppressions] = {}
        self._notices: list[Notice] = []

    def observe(self, path: str, text: str) -> None:
        """Record the directives of one file (call with every file read; cheap when there are none)."""
        if MARKER not in text:
            return
        parsed, notices = parse_suppressions(path, text)
        self._notices.extend(notices)
        if parsed.file_level or parsed.by_line:
            self._files[path] = parsed

    def __bool__(self) -> bool:
        return bool(self._files or self._notices)

    def apply(self, findings: Iterable[Finding]) -> tuple[list[Finding], list[Notice]]:
        """The findings with the silenced ones marked, and the notices (invalid and unused directives)."""
        marked: list[Finding] = []
        for finding in findings:
            suppression = self._match(finding)
            if suppression is None:
                marked.append(finding)
                continue
            suppression.used += 1
            marked.append(replace(finding, suppressed=True, suppression_reason=suppression.reason))
        notices = list(self._notices)
        for parsed in self._files.values():
            for suppression in parsed.all():
                if not suppression.used:
                    scope = "in this file" if suppression.file_level else "on its line"
                    notices.append(Notice(
                        suppression.path, suppression.line, UNUSED_CODE,
                        f"'{suppression.text}' silences no finding {scope} at the scanned target(s): "
                        "remove it", column=suppression.column))
        notices.sort(key=lambda n: (n.path, n.line or 0, n.column or 0))
        return marked, notices

    def _match(self, finding: Finding) -> Suppression | None:
        parsed = self._files.get(finding.path)
        if parsed is None or finding.suppressed or finding.line is None:
            return None
        for suppression in parsed.by_line.get(finding.line, ()):
            if suppression.silences(finding.status):
                return suppression
        for suppression in parsed.file_level:
            if suppression.silences(finding.status):
                return suppression
        return None
