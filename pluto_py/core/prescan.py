"""The cheap reading: a document's top-level apiVersion and kind, without parsing it.

Most documents in a repository cannot produce a finding: their (apiVersion, kind) has no table
row. Reading only their top-level ``apiVersion:`` and ``kind:`` lines, with regular expressions
that run in C, costs a small fraction of a full parse; only the documents that can matter are
then fully parsed (``needs_full_parse``).

Why the reading is exact when ``DocumentHead.certain`` is true
-------------------------------------------------------------
The first content line is a ``key:`` line at column 0, so the root is a block mapping at
indentation 0 and every one of its keys is on a line that starts at column 0 (block scalar
content, plain-scalar continuations and nested collections are indented). Every column-0 line
must be a comment, a ``- `` item of an indentless sequence, or a plain ``key:`` line; any other
(quoted or complex keys, ``<<`` merges, anchors, tags, flow collections, directives, a ``---``
with content, a BOM, a tab) makes the reading uncertain. A column-0 line that is really inside a
multi-line quoted scalar or flow collection can only add a *fake* key: a fake apiVersion/kind
next to the real one is a duplicate (uncertain), and without a real one the document is not an
object and has no finding either way. The apiVersion/kind values themselves must be single-line
scalars that YAML resolves to strings, with no continuation line after them.

What the reading does not do is check the rest of the document's syntax: a document that is
not fully parsed is checked for YAML errors only at its top level (a column-0 value that opens a
flow collection or quoted scalar must close on its line; ``{{`` or a tab-indented line makes the
reading uncertain), not below it. It is counted (the summary's
``documents``) but not passed on. ``PrescanPolicy`` is off unless a caller opts in
(``SourceRequest.prescan``; `kdeprecate scan` does, except for reports that list every object).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

# Text that makes a document (or, for FILE_MARKERS, every document of the file) worth a full parse.
FILE_MARKERS = ("kdeprecate:",)  # inline suppressions are comments: read from the parsed file
# Go and Jinja template syntax: a file holding it that does not parse is a template (sources/unparsable.py).
TEMPLATE_MARKERS = ("{{", "{%")
# The built-in kinds whose objects run containers (a pod spec, or a pod template in their spec).
POD_TEMPLATE_KINDS = frozenset({"Pod", "PodTemplate", "ReplicationController", "ReplicaSet", "Deployment",
                                "StatefulSet", "DaemonSet", "Job", "CronJob"})
# Annotations that hold the configuration applied to a live object (kubectl's, by default).
DEFAULT_ANNOTATIONS: tuple[str, ...] = ("kubectl.kubernetes.io/last-applied-configuration",)
# Helm release records (sources/cluster.py) are Secrets/ConfigMaps whose data has a "release" key.
RELEASE_KEY = "release"
CRD_KIND = "CustomResourceDefinition"
ALWAYS_FULL_KINDS = frozenset({CRD_KIND})
RELEASE_KINDS = frozenset({"Secret", "ConfigMap"})  # Helm's storage objects
# Metadata that only objects read from a cluster carry (sources/cluster.py reads their last-applied configuration).
LIVE_METADATA_KEYS = ("uid", "resourceVersion", "managedFields")

_LEAD = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\r?\n|---[ \t]*(?:[ \t]#[^\n]*)?\r?\n)*")
_KEY = r"[A-Za-z0-9_$][A-Za-z0-9_$./-]*"
_TOP_KEY = re.compile(r"\n(" + _KEY + r"):")
# A value that opens a flow collection or a quoted scalar must close on its line (else it spans
# lines, or is broken: a full parse decides).
_UNCLOSED = r"""(?![ ]+[\[{"'](?![^\n]*[\]}"'][ ]*(?:[ ]#[^\n]*)?\r?(?:\n|\Z)))"""
# Column-0 lines: the key of a plain 'key:' line, or '' for a line that is neither that, nor a
# comment, a blank line or an indentless sequence item ('- ').
_COLUMN0 = re.compile(r"\n(?:(" + _KEY + r"):(?=[ \n]|\r?\Z|\r\n)" + _UNCLOSED + r"|(?=[^# \r\n-])|-(?=[^ \r\n]))")
# ': value' of an apiVersion/kind line: a plain, single- or double-quoted string, maybe a comment.
_VALUE = (r""":(?:[ ]+(?:([A-Za-z][A-Za-z0-9._/-]*)|'([A-Za-z0-9._/-]*)'|"([A-Za-z0-9._/-]*)")"""
          r"""(?:[ ]*|[ ]+#[^\n]*))\r?(?=\n|\Z)""")
_API_VERSION = re.compile(r"\napiVersion" + _VALUE)
_KIND = re.compile(r"\nkind" + _VALUE)
_NOT_STRINGS = frozenset({"true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL"})
# After an apiVersion/kind line: blank lines, then an indented line (a continuation) = uncertain.
_CONTINUED = re.compile(r"\n(?:[ \t]*\r?\n)*[ \t]")


class DocumentHead(NamedTuple):
    """What the cheap reading learned of a document."""

    certain: bool
    api_version: str | None = None
    kind: str | None = None


UNCERTAIN = DocumentHead(False)


def read_head(text: str) -> DocumentHead:
    """The top-level apiVersion and kind of one document's text (see the module docstring)."""
    certain, api_version, kind = _head(text, True, True, True)
    return DocumentHead(True, api_version, kind) if certain else UNCERTAIN


_UNCERTAIN_HEAD: tuple[bool, str | None, str | None] = (False, None, None)


def _head(text: str, breaks: bool, braces: bool, tabs: bool) -> tuple[bool, str | None, str | None]:
    """read_head as (certain, apiVersion, kind). ``breaks``/``braces``/``tabs`` False skip the tests for
    unusual line breaks, ``{{`` and tab indentation: for a text known not to hold them (FileFacts)."""
    lead = _LEAD.match(text)
    start = lead.end() if lead else 0
    # Work on "\n" + text so that every line, the first one too, follows a "\n": body[start] is the
    # "\n" before the first content line.
    body = "\n" + text
    if not _TOP_KEY.match(body, start):
        return _UNCERTAIN_HEAD  # empty, comments only, or a root that is not a plain block mapping
    if breaks and (("\r" in text and text.count("\r") != text.count("\r\n")) or "\x85" in text
                   or "\u2028" in text or "\u2029" in text):
        return _UNCERTAIN_HEAD  # line breaks that the column-0 reading does not see
    if (braces and "{{" in text) or (tabs and "\n\t" in text):
        return _UNCERTAIN_HEAD  # an unrendered template, or tab indentation: likely broken, a full parse says
    keys = _COLUMN0.findall(body, start)
    if "" in keys or len(set(keys)) != len(keys):
        # An odd column-0 line; or a duplicate key (an error, or a fake one inside a multi-line scalar).
        return _UNCERTAIN_HEAD
    api_version = kind = None
    if "apiVersion" in keys:
        api_version = _value_of(_API_VERSION.search(body, start), body)
        if api_version is None:
            return _UNCERTAIN_HEAD
    if "kind" in keys:
        kind = _value_of(_KIND.search(body, start), body)
        if kind is None:
            return _UNCERTAIN_HEAD
    return True, api_version, kind


def _value_of(match: re.Match[str] | None, body: str) -> str | None:
    """The string value of an apiVersion/kind line; None when not certainly a one-line string."""
    if match is None or _CONTINUED.match(body, match.end()):
        return None
    plain, single, double = match.groups()
    if plain is not None:
        return None if plain in _NOT_STRINGS else plain
    return single if single is not None else double


class PrescanPolicy(NamedTuple):
    """Which documents are worth a full parse. Build it with ``for_table``.

    ``table_keys``: (apiVersion, kind) pairs with a table row (built-in and extra tables).
    ``known_groups``: API groups whose every version the table accounts for (its rows' groups and
    replacements' groups, and the core group). Objects of other groups — custom resources — are
    fully parsed, because scanned CRDs may retire their versions (pluto_py.pipeline.crd_versions).
    ``annotations``: annotations that hold an object's applied configuration (last-applied).
    ``text_test``: a test of a workload's text (POD_TEMPLATE_KINDS) that makes it worth a full parse (add-on
    images).
    """

    table_keys: frozenset[tuple[str, str]]
    known_groups: frozenset[str]
    annotations: tuple[str, ...] = DEFAULT_ANNOTATIONS
    markers: tuple[str, ...] = FILE_MARKERS
    text_test: Callable[[str], bool] | None = None

    @classmethod
    def for_table(cls, rows: Iterable[Any], annotations: Iterable[str] = (),
                  text_test: Callable[[str], bool] | None = None) -> PrescanPolicy:
        """A policy for a table's rows (objects with ``api_version``, ``kind``, ``replacement``)."""
        keys: set[tuple[str, str]] = set()
        groups: set[str] = {""}
        for row in rows:
            keys.add((row.api_version, row.kind))
            groups.add(_group(row.api_version))
            if row.replacement:
                groups.add(_group(row.replacement))
        extra = tuple(annotations)
        return cls(frozenset(keys), frozenset(groups), tuple(dict.fromkeys((*DEFAULT_ANNOTATIONS, *extra))),
                   text_test=text_test)

    def file_needs_full_parse(self, text: str) -> bool:
        """Whether every document of a file must be parsed (it holds an inline suppression)."""
        return any(marker in text for marker in self.markers)


def _group(api_version: str) -> str:
    return api_version.rpartition("/")[0]


def needs_full_parse(head: DocumentHead, text: str, policy: PrescanPolicy) -> bool:
    """Whether a document must be fully parsed: it may hold a finding, or others need its data.

    Extend this (conservatively) when a feature needs the data of more documents — and
    FileFacts.needs_full_parse, its fast form, alike. A document for which this is False is counted
    but neither parsed nor passed on: no expander, hook or reporter sees it.
    """
    if not head.certain or "\\" in text:  # an escape in a double-quoted key could spell any name below
        return True
    for annotation in policy.annotations:
        if annotation in text:
            return True  # live objects: their last-applied configuration is scanned (sources/cluster.py)
    for marker in policy.markers:
        if marker in text:
            return True
    return _object_matters(head.api_version, head.kind, text, policy)


def _object_matters(api_version: str | None, kind: str | None, text: str, policy: PrescanPolicy) -> bool:
    if api_version is None or kind is None:
        return False  # not a Kubernetes object: nothing to judge
    return (
        (api_version, kind) in policy.table_keys
        or kind.endswith("List")  # items are objects of their own
        or kind in ALWAYS_FULL_KINDS  # CRDs: their versions make findings (pluto_py.pipeline.crd_versions)
        or _group(api_version) not in policy.known_groups  # custom resources
        or (kind in RELEASE_KINDS and RELEASE_KEY in text)  # Helm release records
        # the workload's text (add-on images): only built-in kinds with pod templates run containers, and
        # custom resources (which may, too) are fully parsed anyway
        or (policy.text_test is not None and kind in POD_TEMPLATE_KINDS and bool(text) and policy.text_test(text))
    )


class FileFacts:
    """needs_full_parse(read_head(doc), doc, policy) for the documents of one file, faster.

    A substring that the file does not contain is in none of its documents: each test of
    read_head and needs_full_parse for one is made once per file, and per document only when the
    file holds it. For a file without policy markers (those make every document parsed).
    """

    __slots__ = ("annotations", "backslash", "braces", "breaks", "policy", "release", "tabs")

    def __init__(self, policy: PrescanPolicy, *, breaks: bool, braces: bool, tabs: bool, backslash: bool,
                 annotations: tuple[str, ...], release: bool) -> None:
        self.policy = policy
        self.breaks = breaks
        self.braces = braces
        self.tabs = tabs
        self.backslash = backslash
        self.annotations = annotations
        self.release = release

    @classmethod
    def of(cls, text: str, policy: PrescanPolicy) -> FileFacts:
        ascii_text = text.isascii()
        return cls(
            policy,
            breaks=("\r" in text and text.count("\r") != text.count("\r\n"))
            or (not ascii_text and ("\x85" in text or "\u2028" in text or "\u2029" in text)),
            braces="{" in text and "{{" in text,  # (a one-character search is much faster)
            tabs="\t" in text and "\n\t" in text,
            backslash="\\" in text,
            annotations=tuple(a for a in policy.annotations if a in text),
            release=RELEASE_KEY in text,
        )

    def needs_full_parse(self, text: str) -> bool:
        """needs_full_parse(read_head(text), text, policy) for a document ``text`` of the file."""
        certain, api_version, kind = _head(text, self.breaks, self.braces, self.tabs)
        if not certain or (self.backslash and "\\" in text):
            return True
        for annotation in self.annotations:
            if annotation in text:
                return True
        # (policy markers: none in the file)
        if api_version is None or kind is None:
            return False
        if kind in RELEASE_KINDS and not self.release:
            return _object_matters(api_version, kind, "", self.policy)
        return _object_matters(api_version, kind, text, self.policy)
