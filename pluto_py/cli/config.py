"""Configuration: `.kdeprecate.yaml` or `[tool.kdeprecate]` in pyproject.toml, and KDEPRECATE_* variables.

Discovery: from the working directory upward, the first directory holding ``.kdeprecate.yaml``,
``.kdeprecate.yml`` or a ``pyproject.toml`` with a ``[tool.kdeprecate]`` table wins (in that
order within a directory). The search stops at the repository root (a directory with ``.git``)
or the filesystem root. ``--config FILE`` / ``KDEPRECATE_CONFIG=FILE`` name the file instead;
``--no-config`` / ``KDEPRECATE_CONFIG=none`` turn discovery off.

Precedence, per setting: command-line flag > environment variable > configuration file > default.
Targets merge per component (a ``--target 1.30`` flag replaces the file's Kubernetes target and
keeps its ``cert-manager=1.6``); list settings given by a flag or variable replace the file's list.

The file is validated against ``data/config.schema.json``; errors name the file and the key.
jsonschema is imported only when a configuration file exists (the default path stays fast).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from pluto_py.cli.globs import GlobError, compile_glob
from pluto_py.sources.files import relative_display

CONFIG_NAMES = (".kdeprecate.yaml", ".kdeprecate.yml")
PYPROJECT = "pyproject.toml"
SCHEMA_FILE = "config.schema.json"
ENV_PREFIX = "KDEPRECATE_"
ENV_CONFIG = "KDEPRECATE_CONFIG"
# Setting -> environment variable. Lists are separated by commas (paths: by os.pathsep).
ENV_VARS = {
    "target": "KDEPRECATE_TARGET",
    "from": "KDEPRECATE_FROM",
    "fail-on": "KDEPRECATE_FAIL_ON",
    "output": "KDEPRECATE_OUTPUT",
    "output-file": "KDEPRECATE_OUTPUT_FILE",
    "extra-tables": "KDEPRECATE_EXTRA_TABLE",
}
_PATH_LISTS = frozenset({"extra-tables"})


class ConfigError(ValueError):
    """A configuration file or variable that cannot be used; the message names where and what."""


class Config(NamedTuple):
    """The settings of one configuration file (all optional), with paths made absolute."""

    path: Path | None = None  # None: no file
    values: Mapping[str, Any] = MappingProxyType({})

    @property
    def root(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def strings(self, key: str) -> tuple[str, ...] | None:
        value = self.values.get(key)
        if value is None:
            return None
        return (value,) if isinstance(value, str) else tuple(value)

    def paths(self, key: str) -> tuple[str, ...] | None:
        """A list of paths from the file, relative to the file's directory."""
        values = self.strings(key)
        if values is None:
            return None
        return tuple(relative_display(self.root / os.path.expanduser(v)) for v in values)

    def where(self, key: str) -> str:
        return f"{self.path}: {key}" if self.path is not None else key

    def chart_values(self) -> dict[str, tuple[tuple[str, ...], ...]]:
        """``charts:``: {resolved chart directory: renders, each a tuple of values files as shown}.

        Chart directories are relative to the file, values files to their chart. Raises ConfigError
        for a chart or a values file that does not exist.
        """
        charts = self.values.get("charts") or {}
        found: dict[str, tuple[tuple[str, ...], ...]] = {}
        for key, renders in charts.items():
            chart = self.root / os.path.expanduser(str(key))
            if not (chart / "Chart.yaml").is_file():
                raise ConfigError(f"{self.where('charts')}: {key}: not a chart "
                                  f"(no Chart.yaml in {relative_display(chart)})")
            value_sets: list[tuple[str, ...]] = []
            for render in renders:
                files = (render,) if isinstance(render, str) else tuple(render)
                shown = tuple(relative_display(chart / os.path.expanduser(str(name))) for name in files)
                for name, display in zip(files, shown, strict=True):
                    if not Path(display).is_file():
                        raise ConfigError(f"{self.where('charts')}: {key}: {name}: no such values file ({display})")
                value_sets.append(shown)
            found[str(chart.resolve())] = tuple(value_sets)
        return found


# --- discovery and loading -------------------------------------------------------------------------


def _pyproject_has_section(path: Path) -> bool:
    from pluto_py.core.userfiles import UserFileError, read_user_text

    try:
        text = read_user_text(path, "pyproject.toml")  # (bounded: a pyproject.toml can be anything)
    except UserFileError:
        return False
    return "tool.kdeprecate" in text and re.search(r"^\s*\[\s*tool\.kdeprecate\s*\]", text, re.MULTILINE) is not None


def find_config(start: Path) -> Path | None:
    """The nearest configuration file from ``start`` upward, stopping at the repository root."""
    directory = start.resolve()
    while True:
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and _pyproject_has_section(pyproject):
            return pyproject
        if (directory / ".git").exists() or directory.parent == directory:
            return None
        directory = directory.parent


def _schema() -> dict[str, Any]:
    import json

    from pluto_py.core.table import builtin_data_path

    schema: dict[str, Any] = json.loads(builtin_data_path(SCHEMA_FILE).read_text(encoding="utf-8"))
    return schema


def _read_raw(path: Path) -> Any:
    from pluto_py.core.userfiles import UserFileError, parse_user_yaml, read_user_text

    try:
        text = read_user_text(path, "configuration")
    except UserFileError as exc:
        raise ConfigError(str(exc)) from None
    if path.name == PYPROJECT:
        import tomllib

        from pluto_py.core.parse import MAX_DEPTH, nesting_overflow

        deep = nesting_overflow(text)  # (tomllib would exhaust the stack)
        if deep is not None:
            raise ConfigError(f"{path}:{deep}: not valid TOML: nesting deeper than {MAX_DEPTH} levels")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        except RecursionError:
            raise ConfigError(f"{path}: not valid TOML: nesting deeper than {MAX_DEPTH} levels") from None
        tool = data.get("tool")
        section = tool.get("kdeprecate") if isinstance(tool, dict) else None
        return {} if section is None else section
    try:
        loaded = parse_user_yaml(text, str(path))
    except UserFileError as exc:
        raise ConfigError(str(exc)) from None
    return {} if loaded is None else loaded


def _describe(error: Any, data: Any, path: Path) -> str:
    """One line naming the file, the key and what is wrong with it."""
    location = "/".join(str(p) for p in error.absolute_path)
    section = "[tool.kdeprecate]" if path.name == PYPROJECT else ""
    prefix = f"{path}{': ' + section if section else ''}"
    if error.validator == "additionalProperties":
        import difflib

        known = sorted(error.schema.get("properties", {}))
        instance = error.instance if isinstance(error.instance, dict) else {}
        unknown = [k for k in instance if k not in known]
        parts = []
        for key in unknown:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            parts.append(f"unknown key '{location + '/' if location else ''}{key}'{hint}")
        return f"{prefix}: {'; '.join(parts)}; known keys: {', '.join(known)}"
    where = location or "(top level)"
    value = error.instance
    if isinstance(value, int | float) and not isinstance(value, bool) and error.validator in ("type", "oneOf"):
        return (f"{prefix}: {where}: read as the number {value!r} (YAML drops trailing zeros: 1.20 is 1.2); "
                f"quote versions as you mean them, e.g. \"1.20\"")
    if error.validator == "oneOf":
        return f"{prefix}: {where}: {value!r} is not valid here: {error.schema.get('description', '')}".rstrip()
    return f"{prefix}: {where}: {error.message}"


def load_config(path: Path) -> Config:
    """Read and validate one configuration file. Raises ConfigError."""
    data = _read_raw(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping of settings, not {type(data).__name__}")
    if data:
        import jsonschema

        validator = jsonschema.Draft202012Validator(_schema())
        errors = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
        if errors:
            first = errors[0]
            more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
            raise ConfigError(_describe(first, data, path) + more)
    return Config(path.resolve(), data)


def discover(cwd: Path | None = None, env: Mapping[str, str] | None = None, *, explicit: str | None = None,
             disabled: bool = False) -> Config:
    """The configuration in force: ``explicit`` (--config) > KDEPRECATE_CONFIG > discovery from ``cwd``."""
    env = os.environ if env is None else env
    if disabled:
        return Config()
    named = explicit if explicit is not None else env.get(ENV_CONFIG)
    if named is not None and named.strip():
        if named.strip().lower() == "none":
            return Config()
        path = Path(os.path.expanduser(named.strip()))
        origin = "--config" if explicit is not None else ENV_CONFIG
        if not path.is_file():
            what = "not a regular file" if path.exists() else "no such file"
            raise ConfigError(f"{origin} {named}: {what}")
        return load_config(path)
    found = find_config(cwd or Path.cwd())
    return load_config(found) if found is not None else Config()


# --- resolution: flags > environment > file > defaults ---------------------------------------------


class Setting(NamedTuple):
    """A resolved value and where it came from (for error messages)."""

    value: Any
    origin: str  # "--fail-on", "KDEPRECATE_FAIL_ON", "/repo/.kdeprecate.yaml: fail-on", "default"


def _env_list(env: Mapping[str, str], name: str, paths: bool) -> tuple[str, ...] | None:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return None
    separator = os.pathsep if paths else ","
    return tuple(part.strip() for part in raw.split(separator) if part.strip())


def resolve(key: str, flag: Any, flag_name: str, config: Config, env: Mapping[str, str], default: Any) -> Setting:
    """One scalar setting by precedence."""
    if flag is not None:
        return Setting(flag, flag_name)
    variable = ENV_VARS.get(key)
    if variable is not None:
        raw = env.get(variable)
        if raw is not None and raw.strip():
            return Setting(raw.strip(), variable)
    value = config.get(key)
    if value is not None:
        if key in ("output-file",):
            value = relative_display(config.root / os.path.expanduser(str(value)))
        return Setting(value, config.where(key))
    return Setting(default, "default")


def resolve_list(key: str, flag: Sequence[str] | None, flag_name: str, config: Config, env: Mapping[str, str],
                 *, paths: bool = False) -> Setting:
    """A list setting: the first of flag, variable, file that is given replaces the others."""
    if flag:
        return Setting(tuple(flag), flag_name)
    variable = ENV_VARS.get(key)
    if variable is not None:
        values = _env_list(env, variable, paths or key in _PATH_LISTS)
        if values is not None:
            return Setting(values, variable)
    from_file = config.paths(key) if paths or key in _PATH_LISTS else config.strings(key)
    if from_file is not None:
        return Setting(from_file, config.where(key))
    return Setting((), "default")


def target_key(value: str) -> str:
    name, sep, _version = value.partition("=")
    name = name.strip()
    return name if sep and name not in ("kubernetes", "") else "k8s"


def resolve_targets(flag: Sequence[str] | None, config: Config, env: Mapping[str, str]) -> Setting:
    """--target values merged per component: flag > KDEPRECATE_TARGET > file."""
    merged: dict[str, str] = {}
    origins: list[str] = []
    layers = [(config.strings("target") or (), config.where("target")),
              (_env_list(env, ENV_VARS["target"], False) or (), ENV_VARS["target"])]
    for values, origin in layers:
        layer: dict[str, str] = {}
        for value in values:
            layer[target_key(value)] = value
        if layer:
            origins.append(origin)
        merged.update(layer)
    # One flag may carry several, as KDEPRECATE_TARGET does: --target k8s=1.25,cert-manager=1.6
    flags = [part.strip() for value in flag or [] for part in value.split(",") if part.strip()]
    if flags:
        origins.append("--target")
        for component in {target_key(v) for v in flags}:
            merged.pop(component, None)
    return Setting(tuple([*merged.values(), *flags]), " + ".join(origins) or "default")


# --- which files: include/exclude globs, chart templates -------------------------------------------


class PathFilter:
    """Decides which inputs are scanned, from include/exclude globs relative to ``root``."""

    __slots__ = ("_exclude", "_include", "exclude", "include", "root", "skipped")

    def __init__(self, root: Path, include: tuple[str, ...] = (), exclude: tuple[str, ...] = (),
                 skipped: list[str] | None = None) -> None:
        self.root = root
        self.include = include
        self.exclude = exclude
        self.skipped: list[str] = [] if skipped is None else skipped
        self._include = [compile_glob(p) for p in self.include]  # GlobError for a pattern that cannot be used
        self._exclude = [compile_glob(p) for p in self.exclude]

    def __bool__(self) -> bool:
        return bool(self._include or self._exclude)

    def relative(self, display: str) -> str:
        absolute = Path(os.path.abspath(display))
        try:
            return absolute.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return display.replace("\\", "/")

    def __call__(self, display: str) -> bool:
        relative = self.relative(display)
        if any(rx.match(relative) for rx in self._exclude):
            self.skipped.append(display)
            return False
        if self._include and not os.path.isdir(display) and not any(rx.match(relative) for rx in self._include):
            self.skipped.append(display)
            return False
        return True


def path_filter(config: Config) -> PathFilter:
    """The configuration's include/exclude globs; ConfigError naming the key for a glob that cannot be used."""
    for key in ("include", "exclude"):
        for pattern in config.strings(key) or ():
            try:
                compile_glob(pattern)
            except GlobError as exc:
                raise ConfigError(f"{config.where(key)}: {exc}") from None
    return PathFilter(config.root, config.strings("include") or (), config.strings("exclude") or ())


# --- the scan command's settings ---------------------------------------------------------------------


class ScanSettings(NamedTuple):
    """Everything `kdeprecate scan` takes from flags, environment and configuration file."""

    config: Config
    targets: Setting  # tuple of --target strings
    from_version: Setting
    fail_on: Setting
    output: Setting
    output_file: Setting
    extra_tables: Setting
    helm_values: Setting
    helm_set: Setting
    annotations: Setting
    paths: Setting
    path_filter: PathFilter
    chart_values: Setting  # {resolved chart directory: values sets} from `charts:`


def resolve_scan_settings(*, paths: Sequence[str] | None, target: Sequence[str] | None, from_version: str | None,
                          output: str | None, output_file: str | None, fail_on: str | None,
                          extra_table: Sequence[str] | None, helm_values: Sequence[str] | None,
                          helm_set: Sequence[str] | None, annotations: Sequence[str] | None,
                          config_file: str | None = None, no_config: bool = False,
                          env: Mapping[str, str] | None = None, cwd: Path | None = None) -> ScanSettings:
    """Resolve flags > KDEPRECATE_* > configuration file > defaults. Raises ConfigError."""
    env = os.environ if env is None else env
    config = discover(cwd, env, explicit=config_file, disabled=no_config)
    chosen_output = resolve("output", output, "--output", config, env, None)
    if chosen_output.value is None:
        # In GitHub Actions, annotate the pull request unless a format was asked for.
        in_actions = env.get("GITHUB_ACTIONS", "").lower() == "true"
        chosen_output = Setting("github", "GITHUB_ACTIONS") if in_actions else Setting("text", "default")
    helm = config.get("helm") or {}
    helm_config = Config(config.path, helm if isinstance(helm, dict) else {})
    return ScanSettings(
        config=config,
        targets=resolve_targets(target, config, env),
        from_version=resolve("from", from_version, "--from", config, env, None),
        fail_on=resolve("fail-on", fail_on, "--fail-on", config, env, "removed"),
        output=chosen_output,
        output_file=resolve("output-file", output_file, "--output-file", config, env, None),
        extra_tables=resolve_list("extra-tables", extra_table, "--extra-table", config, env, paths=True),
        helm_values=resolve_list("values", helm_values, "--values", helm_config, env, paths=True),
        helm_set=resolve_list("set", helm_set, "--set", helm_config, env),
        annotations=resolve_list("annotations", annotations, "--annotation", config, env),
        paths=Setting(tuple(paths), "arguments") if paths else resolve_list("paths", None, "", config, env,
                                                                             paths=True),
        path_filter=path_filter(config),
        chart_values=Setting(config.chart_values(), config.where("charts")),
    )


# --- the fix command's settings ----------------------------------------------------------------------


class FixSettings(NamedTuple):
    """What `kdeprecate fix` takes from flags, environment and configuration file."""

    target: str | None  # the Kubernetes target (fix rewrites built-in APIs only)
    from_version: str | None
    paths: tuple[str, ...]
    path_filter: PathFilter


def fix_settings(*, paths: Sequence[str] | None, target: str | None, from_version: str | None,
                 config_file: str | None = None, no_config: bool = False,
                 env: Mapping[str, str] | None = None, cwd: Path | None = None) -> FixSettings:
    """Resolve flags > KDEPRECATE_* > configuration file for `fix`. Raises ConfigError."""
    env = os.environ if env is None else env
    config = discover(cwd, env, explicit=config_file, disabled=no_config)
    targets = resolve_targets([target] if target else None, config, env).value
    k8s_target = next((value.partition("=")[2] if "=" in value else value
                       for value in targets if target_key(value) == "k8s"), None)
    return FixSettings(
        target=k8s_target,
        from_version=resolve("from", from_version, "--from", config, env, None).value,
        paths=tuple(paths) if paths else resolve_list("paths", None, "", config, env, paths=True).value,
        path_filter=path_filter(config),
    )
