"""Objects whose table rows were not judged: a component without a target says so (issue 11).

Rows of an extra table or of a shipped add-on table are judged only at ``--target COMPONENT=VERSION``.
A scan that meets objects of such a component without that target would otherwise pass in silence;
:class:`UnjudgedComponents` (a ScanHook) notes them and gives one notice per component, at its first
object. Add-on tables that were not loaded are known to the scan only by their (apiVersion, kind)
pairs, read from their text with a pattern (:func:`addon_keys`: cheap, a superset is harmless); the
tables themselves are loaded only when an object matched one of those pairs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import NamedTuple

from pluto_py.core.model import NOTICE_INFO, Finding, Notice
from pluto_py.core.table import ApiRow, Table
from pluto_py.pipeline.judge import Resource, Targets

NOTICE_CODE = "component-not-judged"
_Key = str | tuple[str, str]  # a component, or an (apiVersion, kind) no loaded row knows
_ROW = re.compile(r"api_version:[ \t]*[\"']?(?P<api>[^\s\"',}#]+)"
                  r"(?:(?!api_version:).){0,400}?\bkind:[ \t]*[\"']?(?P<kind>\w+)", re.DOTALL)


class AddonKey(NamedTuple):
    """What the pre-scan needs of a row (core.prescan.PrescanPolicy.for_table)."""

    api_version: str
    kind: str
    replacement: str | None = None


@cache
def addon_keys() -> frozenset[AddonKey]:
    """(apiVersion, kind) of every shipped add-on table's rows, read from the files' text."""
    from pluto_py.core.table import ADDONS_DIR, _builtin_dir

    directory = _builtin_dir()
    if directory is None or not (directory / ADDONS_DIR).is_dir():
        return frozenset()
    keys: set[AddonKey] = set()
    for path in (directory / ADDONS_DIR).glob("*.yaml"):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        keys.update(AddonKey(match["api"], match["kind"]) for match in _ROW.finditer(text))
    return frozenset(keys)


class _Seen:
    """Where a component's objects were first met, and how many there were."""

    __slots__ = ("column", "count", "example", "line", "path")

    def __init__(self, path: str, line: int, column: int, example: str, count: int = 1) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.example = example  # apiVersion kind
        self.count = count


class UnjudgedComponents:
    """A ScanHook: objects of table rows (or of shipped add-on tables) for components without a target."""

    def __init__(self, table: Table, targets: Targets) -> None:
        self.table = table
        self.targets = targets
        self._components: dict[_Key, _Seen] = {}
        self._unknown: dict[_Key, _Seen] = {}

    def on_resource(self, resource: Resource, row: ApiRow | None) -> Iterable[Finding]:
        if row is not None:
            if self.targets.for_component(row.component) is None:
                self._note(self._components, row.component, resource)
        elif AddonKey(resource.api_version, resource.kind) in addon_keys():
            self._note(self._unknown, (resource.api_version, resource.kind), resource)
        return ()

    def finish(self) -> Iterable[Finding]:
        return ()

    @staticmethod
    def _note(seen: dict[_Key, _Seen], key: _Key, resource: Resource) -> None:
        if key in seen:
            seen[key].count += 1
            return
        line, column = resource.document.position((*resource.path, "apiVersion"))
        seen[key] = _Seen(resource.document.path, line, column, f"{resource.api_version} {resource.kind}")

    def notices(self) -> list[Notice]:
        found = {str(key): seen for key, seen in self._components.items()}
        if self._unknown:
            for component, seen in self._addon_matches().items():
                if component in found:
                    found[component].count += seen.count
                else:
                    found[component] = seen
        return [Notice(seen.path, seen.line, NOTICE_CODE,
                       f"{seen.count} object(s) use APIs of component {component} (e.g. {seen.example}) that were "
                       f"not judged: give --target {component}=VERSION to check them", level=NOTICE_INFO,
                       column=seen.column)
                for component, seen in sorted(found.items())]

    def _addon_matches(self) -> dict[str, _Seen]:
        from pluto_py.core.table import TableError, addon_components, load_addon_table

        matches: dict[str, _Seen] = {}
        loaded = set(self.table.components())
        for component in addon_components():
            if component in loaded or self.targets.for_component(component) is not None:
                continue
            try:
                addon = load_addon_table(component)
            except (OSError, TableError):
                continue
            for key, seen in self._unknown.items():
                if not isinstance(key, tuple) or addon.lookup(*key) is None:
                    continue
                if component in matches:
                    matches[component].count += seen.count
                else:
                    matches[component] = _Seen(seen.path, seen.line, seen.column, seen.example, seen.count)
        return matches
