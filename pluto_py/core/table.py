"""The API version table: the only place where facts about API versions live.

The built-in table ships as ``data/api_versions.yaml`` (inside the package once installed).
Users add rows for their own components (CRDs of cert-manager, Istio, ...) with extra table
files of the same schema; an extra row may never silently replace a built-in one.

The built-in file is validated against its JSON Schema by the test-suite, not at run time:
importing jsonschema and validating on every invocation would be paid by every pre-commit run.
Extra tables come from users, so they are validated with jsonschema when loaded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from pluto_py.core.versions import KubeVersion, VersionError, parse_version

BUILTIN_COMPONENT = "k8s"
TABLE_FILE = "api_versions.yaml"
SCHEMA_FILE = "api_versions.schema.json"


class TableError(ValueError):
    """A table file that cannot be used; the message names the file and the problem."""


class ApiRow(NamedTuple):
    api_version: str
    kind: str
    deprecated_in: KubeVersion | None
    removed_in: KubeVersion | None
    replacement: str | None
    replacement_available_in: KubeVersion | None
    component: str
    notes: str = ""
    replacement_kind: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.api_version, self.kind)

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    def status_at(self, target: KubeVersion) -> str | None:
        """'removed', 'deprecated' or None, for a cluster (or component) at ``target``."""
        if self.removed_in is not None and self.removed_in <= target:
            return "removed"
        if self.deprecated_in is not None and self.deprecated_in <= target:
            return "deprecated"
        return None


class Table:
    """The rows (built-in, add-on and extra tables), indexed by (apiVersion, kind)."""

    __slots__ = ("_index", "covers", "data_version", "rows")

    def __init__(self, rows: tuple[ApiRow, ...], covers: Mapping[str, KubeVersion],
                 data_version: str | None = None) -> None:
        self.rows = rows
        self.covers = covers  # component -> newest release the data covers
        self.data_version = data_version
        index: dict[tuple[str, str], ApiRow] = {}
        for row in rows:
            if row.key in index:
                raise TableError(f"duplicate row for {row.api_version} {row.kind}")
            index[row.key] = row
        self._index = index

    def lookup(self, api_version: str, kind: str) -> ApiRow | None:
        return self._index.get((api_version, kind))

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[ApiRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def newest(self) -> KubeVersion:
        """Newest Kubernetes release the built-in data covers: the default target."""
        return self.covers[BUILTIN_COMPONENT]

    def components(self) -> list[str]:
        return sorted({row.component for row in self.rows})

    def merged_with(self, extra: Table, origin: str) -> Table:
        """This table plus ``extra``'s rows; a row for a pair this table already has is an error."""
        for row in extra.rows:
            existing = self.lookup(row.api_version, row.kind)
            if existing is not None:
                raise TableError(
                    f"{origin}: row {row.api_version} {row.kind} collides with a row the table already has "
                    f"(component {existing.component}); extra tables add rows, they never override them"
                )
        covers = dict(self.covers)
        for component, version in extra.covers.items():
            covers.setdefault(component, version)
        return Table(self.rows + extra.rows, covers, self.data_version)


def _version_field(raw: Mapping[str, Any], field: str, where: str) -> KubeVersion | None:
    value = raw.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise TableError(f"{where}: {field} must be a quoted string like \"1.22\", got {value!r}")
    try:
        return parse_version(value)
    except VersionError as exc:
        raise TableError(f"{where}: {field}: {exc}") from None


def table_from_data(data: Any, origin: str, *, availability_known: bool = True) -> Table:
    """Build a Table from parsed table-file data; checks what the code relies on.

    ``availability_known=False`` (rows converted from Pluto's format, which may omit it) lets a row
    name a replacement without the release that first serves it.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("apis"), list):
        raise TableError(f"{origin}: not an API table (expected a mapping with an 'apis' list)")
    if data.get("schema_version") != 1:
        raise TableError(f"{origin}: unsupported schema_version {data.get('schema_version')!r} (expected 1)")
    rows: list[ApiRow] = []
    seen: set[tuple[str, str]] = set()
    for position, raw in enumerate(data["apis"]):
        where = f"{origin}: apis[{position}]"
        if not isinstance(raw, Mapping):
            raise TableError(f"{where}: a row must be a mapping")
        api_version, kind, component = raw.get("api_version"), raw.get("kind"), raw.get("component")
        if not all(isinstance(v, str) and v for v in (api_version, kind, component)):
            raise TableError(f"{where}: api_version, kind and component are required strings")
        assert isinstance(api_version, str) and isinstance(kind, str) and isinstance(component, str)
        if (api_version, kind) in seen:
            raise TableError(f"{where}: duplicate row for {api_version} {kind}")
        seen.add((api_version, kind))
        replacement = raw.get("replacement")
        if replacement is not None and not isinstance(replacement, str):
            raise TableError(f"{where}: replacement must be a string or null")
        replacement_kind = raw.get("replacement_kind")
        if replacement_kind is not None and not isinstance(replacement_kind, str):
            raise TableError(f"{where}: replacement_kind must be a string")
        row = ApiRow(
            api_version=api_version,
            kind=kind,
            deprecated_in=_version_field(raw, "deprecated_in", where),
            removed_in=_version_field(raw, "removed_in", where),
            replacement=replacement,
            replacement_available_in=_version_field(raw, "replacement_available_in", where),
            component=component,
            notes=str(raw.get("notes") or "").strip(),
            replacement_kind=replacement_kind,
        )
        if (row.replacement is None) != (row.replacement_available_in is None) and (
                availability_known or row.replacement is None):
            raise TableError(f"{where}: replacement and replacement_available_in go together (both set or both null)")
        if row.deprecated_in and row.removed_in and row.deprecated_in > row.removed_in:
            raise TableError(f"{where}: deprecated_in {row.deprecated_in} is after removed_in {row.removed_in}")
        rows.append(row)
    # A declared `covers` is what the data was reviewed up to (rows may announce later, planned
    # removals); without one, the newest release any row mentions stands in for it.
    covers: dict[str, KubeVersion] = {}
    declared = _version_field(data, "covers", origin)
    for row in rows:
        if declared is not None:
            covers[row.component] = declared
            continue
        newest = max((v for v in (row.deprecated_in, row.removed_in) if v is not None), default=None)
        if newest is not None and (row.component not in covers or covers[row.component] < newest):
            covers[row.component] = newest
    if declared is not None and not rows:
        covers[BUILTIN_COMPONENT] = declared
    data_version = data.get("data_version")
    return Table(tuple(rows), covers, str(data_version) if data_version is not None else None)


def _load_yaml_text(text: str, origin: str) -> Any:
    from pluto_py.core.userfiles import UserFileError, parse_user_yaml

    try:
        return parse_user_yaml(text, origin)
    except UserFileError as exc:
        raise TableError(str(exc)) from None


def _builtin_dir() -> Path | None:
    """The data directory: inside the installed package, or at the source tree's root."""
    package = Path(__file__).resolve().parent.parent
    for directory in (package / "data", package.parent / "data"):  # installed wheel, then source tree
        if (directory / TABLE_FILE).is_file():
            return directory
    from importlib import resources  # e.g. a zipped installation

    packaged = resources.files("pluto_py").joinpath("data")
    if packaged.joinpath(TABLE_FILE).is_file():
        return Path(str(packaged))
    return None


def builtin_data_path(name: str) -> Path:
    """Path of a shipped data file (the table, its schema, the served-API list, ...)."""
    directory = _builtin_dir()
    if directory is None or not (directory / name).is_file():
        raise TableError(f"shipped data file {name} is missing: the installation is broken")
    return directory / name


@cache
def load_builtin_table() -> Table:
    path = builtin_data_path(TABLE_FILE)
    return table_from_data(_load_builtin_yaml(path.read_text(encoding="utf-8"), str(path)), str(path))


def _load_builtin_yaml(text: str, origin: str) -> Any:
    """The shipped table's data: from its JSON cache when the cache was made from exactly this text
    (~0.5 ms; every scan starts here), else read by the fast block-YAML reader (~10 ms, ~30x faster
    than ruamel's pure-Python loader); anything the fast reader does not support goes to ruamel.
    tests/test_fastpath_parser.py checks that this equals ruamel's load of the shipped file."""
    cached = _cached_table_data(text)
    if cached is not None:
        return cached
    from pluto_py.core.fastyaml import Unsupported, parse_block_yaml

    try:
        return parse_block_yaml(text, 1)[0]
    except Unsupported:
        return _load_yaml_text(text, origin)


# The built-in table's data as JSON, with a fingerprint of the YAML text it was read from: loading
# it is ~20x faster than the fast YAML reader. A cache that does not match the text is ignored (the
# YAML is read instead), so a stale one costs time, never correctness. Refresh it after editing
# data/api_versions.yaml:  python -m pluto_py.core.table --write-cache
TABLE_CACHE = Path(__file__).resolve().parent / "_api_versions.json"


def _fingerprint(text: str) -> str:
    import zlib

    data = text.encode("utf-8", "surrogatepass")
    return f"{len(data)}:{zlib.crc32(data):08x}:{zlib.adler32(data):08x}"


def _cached_table_data(text: str) -> Any:
    try:
        cache = json.loads(TABLE_CACHE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(cache, dict) or cache.get("source") != _fingerprint(text) or "data" not in cache:
        return None
    return cache["data"]


def write_table_cache() -> Path:
    """(Re)write TABLE_CACHE from the shipped table, read by ruamel.yaml (the reference loader)."""
    path = builtin_data_path(TABLE_FILE)
    text = path.read_text(encoding="utf-8")
    data = _load_yaml_text(text, str(path))
    TABLE_CACHE.write_text(json.dumps({"source": _fingerprint(text), "data": data}, ensure_ascii=False,
                                      separators=(",", ":")) + "\n", encoding="utf-8")
    return TABLE_CACHE


def load_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(builtin_data_path(SCHEMA_FILE).read_text(encoding="utf-8"))
    return schema


def validate_table_data(data: Any, origin: str) -> None:
    """Validate parsed table data against the JSON Schema; raise TableError naming the bad field."""
    from pluto_py.core.schemas import first_schema_problem

    problem = first_schema_problem(data, load_schema())
    if problem is not None:
        raise TableError(f"{origin}: {problem}")


def load_extra_table(path: Path) -> Table:
    """Load and validate a user's extra table file."""
    from pluto_py.core.userfiles import UserFileError, read_user_text

    try:
        text = read_user_text(path, "extra table")
    except UserFileError as exc:
        raise TableError(str(exc)) from None
    data = _load_yaml_text(text, str(path))
    from pluto_py.core.pluto_versions import is_pluto_versions

    if is_pluto_versions(data):  # Pluto's versions.yaml: its rows, converted (core/pluto_versions.py)
        return _pluto_table(data, str(path))
    validate_table_data(data, str(path))
    return table_from_data(data, str(path))


def _pluto_table(data: Any, origin: str) -> Table:
    from pluto_py.core.pluto_versions import SCHEMA_FILE, PlutoVersionsError, table_data
    from pluto_py.core.schemas import first_schema_problem

    schema = json.loads(builtin_data_path(SCHEMA_FILE).read_text(encoding="utf-8"))
    problem = first_schema_problem(data, schema)
    if problem is not None:
        raise TableError(f"{origin}: Pluto versions file: {problem}")
    try:
        converted = table_data(data, origin)
    except PlutoVersionsError as exc:
        raise TableError(str(exc)) from None
    validate_table_data(converted, f"{origin} (converted from Pluto's format)")
    return table_from_data(converted, origin, availability_known=False)


ADDONS_DIR = "addons"  # shipped opt-in tables: data/addons/<component>.yaml


def addon_components() -> list[str]:
    """Components with a shipped add-on table (cert-manager, istio, ...), by file name."""
    directory = _builtin_dir()
    if directory is None or not (directory / ADDONS_DIR).is_dir():
        return []
    return sorted(path.stem for path in (directory / ADDONS_DIR).glob("*.yaml"))


@cache
def load_addon_table(component: str) -> Table:
    """A shipped add-on table (validated by the test-suite, like the built-in one)."""
    path = builtin_data_path(f"{ADDONS_DIR}/{component}.yaml")
    return table_from_data(_load_yaml_text(path.read_text(encoding="utf-8"), str(path)), str(path))


def load_table(extra_tables: Iterable[Path] = (), *, addons: Iterable[str] | bool = False) -> Table:
    """The built-in table, shipped add-on tables (``addons``: all, none, or these components) and extras.

    Add-on rows only matter for components given a target (``--target cert-manager=1.6``), so the
    scan loads just those; ``list-versions`` shows them all. An extra table that has rows for an
    add-on's component replaces that add-on table (the user's own data for the component); any
    other collision is an error.
    """
    table = load_builtin_table()
    extras = [(load_extra_table(extra), str(extra)) for extra in extra_tables]
    own = {component for extra, _ in extras for component in extra.components()}
    wanted = addon_components() if addons is True else [] if addons is False else list(addons)
    for component in wanted:
        if component in own or component not in addon_components():
            continue
        table = table.merged_with(load_addon_table(component), f"add-on table {component}")
    for extra, origin in extras:
        table = table.merged_with(extra, origin)
    return table


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["--write-cache"]:
        sys.exit("usage: python -m pluto_py.core.table --write-cache")
    print(f"wrote {write_table_cache()}")
