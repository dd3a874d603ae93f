"""The protocols of pluto_py.sources: a Source produces documents, an Expander turns one into others.

Implement them structurally (no base class needed); register the class in ``SOURCES`` or
``EXPANDERS`` (pluto_py/sources/__init__.py). This module is imported for type checking only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import ClassVar, Protocol

from pluto_py.core.model import Document, Notice, ScanError
from pluto_py.sources import InputStats, SourceRequest


class Source(Protocol):
    """Produces the documents of one kind of input."""

    name: ClassVar[str]  # its key in SOURCES: "paths", "live-cluster", "audit-log", ...

    def wanted(self, request: SourceRequest) -> bool:
        """Cheap: whether this run needs this source at all (no import, no I/O)."""
        ...

    def documents(self, request: SourceRequest, stats: InputStats) -> Iterator[Document | ScanError | Notice]:
        """Every document, in a stable order; count files and documents in ``stats``."""
        ...

    @property
    def warnings(self) -> Sequence[str]:
        """What the user must know but does not make the scan incomplete (e.g. a Helm fallback)."""
        ...


class Expander(Protocol):
    """Turns a parsed document into the documents to judge (None: judge it as it is)."""

    name: ClassVar[str]  # its key in EXPANDERS

    def wanted(self, request: SourceRequest) -> bool: ...

    def prepare(self, items: Iterable[Document | ScanError]) -> Iterator[Document | ScanError]:
        """The stream, unchanged, after looking at all of it if the expander must (release revisions)."""
        ...

    def expand(self, document: Document) -> Iterable[Document | ScanError] | None: ...
