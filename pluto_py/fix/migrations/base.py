"""What a migration is: which (apiVersion, kind) it handles, what it may write, how it changes an object."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pluto_py.core.successors import SUCCESSORS, Key
from pluto_py.core.versions import KubeVersion
from pluto_py.fix.tree import Origins

Obj = dict[str, Any]


@dataclass
class MigrationContext:
    """What a migration knows about its object, and where it records what it did and could not do."""

    source: str  # the object's apiVersion
    target_api: str  # the apiVersion it is rewritten to
    kind: str
    target: KubeVersion  # the release the object must be valid for
    from_version: KubeVersion | None = None
    pin_defaults: bool = False
    origins: Origins = field(default_factory=Origins)
    changes: list[str] = field(default_factory=list)  # what was changed, for people
    notes: list[str] = field(default_factory=list)  # what a human should review (object still migrated)
    blockers: list[str] = field(default_factory=list)  # what a human must decide (object left unchanged)

    def change(self, message: str) -> None:
        self.changes.append(message)

    def note(self, message: str) -> None:
        self.notes.append(message)

    def human(self, message: str) -> None:
        self.blockers.append(message)

    def rename(self, mapping: Obj, old: str, new: str, value: Any) -> None:
        """``new: value`` in place of ``old``: the entry keeps its place and comments in the file."""
        replace_key(mapping, old, new, value)
        self.origins.renamed(mapping, old, new)

    def copy(self, value: Any) -> Any:
        """A deep copy of part of the object that keeps its original text when written elsewhere."""
        return self.origins.copy(value)

    @property
    def target_version(self) -> str:
        return self.target_api.rpartition("/")[2]


MigrateFn = Callable[[Obj, MigrationContext], None]


def rename_only(obj: Obj, ctx: MigrationContext) -> None:
    """The replacement has the same fields: only apiVersion changes (the engine writes it)."""


@dataclass(frozen=True, slots=True)
class Migration:
    """One API family's migration.

    ``sources`` maps each (apiVersion, kind) it handles to the apiVersions it can write for it (the
    table's replacement, and older ones still useful with --from or an old --target): the family's
    entry in ``core.successors.SUCCESSORS``, which scan's advice reads too.
    ``changes`` and ``undecided`` say, for people and docs, what it rewrites and what it leaves to them.
    """

    family: str
    changes: str
    undecided: str
    migrate: MigrateFn = rename_only
    # Advice for an object this family cannot migrate at all (no replacement API).
    advise: Callable[[Obj], list[str]] | None = None

    @property
    def sources(self) -> Mapping[Key, tuple[str, ...]]:
        return SUCCESSORS[self.family]

    def handles(self, api_version: str, kind: str) -> bool:
        return (api_version, kind) in self.sources

    def targets(self, api_version: str, kind: str) -> tuple[str, ...]:
        return tuple(self.sources.get((api_version, kind), ()))


# ---------------------------------------------------------------- helpers for migrations


def replace_key(mapping: Obj, old: str, new: str, value: Any) -> None:
    """Put ``new: value`` where ``old`` was (key order kept); ``old`` is removed."""
    items = [(new, value) if key == old else (key, current) for key, current in mapping.items() if key != new]
    mapping.clear()
    mapping.update(items)


def insert_after(mapping: Obj, after: str | None, key: str, value: Any) -> None:
    """Add ``key: value`` right after ``after`` (at the end when ``after`` is absent)."""
    if after is None or after not in mapping:
        mapping[key] = value
        return
    items: list[tuple[str, Any]] = []
    for current_key, current in mapping.items():
        items.append((current_key, current))
        if current_key == after:
            items.append((key, value))
    mapping.clear()
    mapping.update(items)


def mapping_at(obj: Obj, *path: str) -> Obj | None:
    current: Any = obj
    for part in path:
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return current if isinstance(current, dict) else None


def list_at(obj: Obj, *path: str) -> list[Any]:
    current: Any = obj
    for part in path:
        if not isinstance(current, dict):
            return []
        current = current.get(part)
    return current if isinstance(current, list) else []
