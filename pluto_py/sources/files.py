"""Find the inputs a scan reads: files, directories (recursively), charts and stdin."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from pluto_py.core.model import NOTICE_INFO, Notice, ScanError
from pluto_py.core.userfiles import MAX_FILE_BYTES, read_bounded, read_stdin_bounded

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
# Folders that hold other people's or tools' files, never the user's manifests.
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", "CVS", ".jj", "node_modules", "vendor",
                          ".venv", "__pycache__", ".terraform", ".tox"})
STDIN = "-"


class FileInput:
    """A file to read, shown as ``display``. ``path`` is made from ``fspath`` on first use: a walk
    meets thousands of files, and a Path costs more to make than reading a small file."""

    __slots__ = ("_path", "display", "fspath", "regular")

    def __init__(self, path: Path | str, display: str, regular: bool = False) -> None:
        self._path = path if isinstance(path, Path) else None
        self.fspath = os.fspath(path)
        self.display = display
        self.regular = regular  # a directory walk saw a regular file: no FIFO check before reading it

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = Path(self.fspath)
        return self._path

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, FileInput)
        return (self.path, self.display) == (other.path, other.display)

    def __hash__(self) -> int:
        return hash((self.path, self.display))

    def __repr__(self) -> str:
        return f"FileInput(path={self.path!r}, display={self.display!r})"


class StdinInput(NamedTuple):
    display: str = STDIN


class ChartInput(NamedTuple):
    """A Helm chart directory: rendered, not read as YAML (its templates are Go templates)."""

    path: Path
    display: str


Input = FileInput | StdinInput | ChartInput


def is_chart_dir(path: Path) -> bool:
    try:
        return (path / "Chart.yaml").is_file()
    except OSError:  # a folder we may not look into (mode 000): not a chart; listing it is an error
        return False


def chart_root_of(path: Path) -> Path | None:
    """The chart a file belongs to as a template (…/chart/templates/**), if any."""
    parents = path.resolve().parents
    for parent in parents:
        if parent.name == "templates" and is_chart_dir(parent.parent):
            return parent.parent
    return None


def _chart_file(path: Path, chart: Path) -> bool:
    """Whether ``path`` (inside ``chart``) is part of what rendering the chart reads."""
    relative = path.relative_to(chart).parts
    if len(relative) == 1:  # Chart.yaml, values.yaml, values-prod.yaml, values.schema.json, ...
        name = relative[0]
        return name in ("Chart.yaml", "Chart.lock", "values.schema.json") or (
            name.startswith("values") and name.endswith((".yaml", ".yml")))
    return relative[0] in ("templates", "crds", "charts")


def chart_of_file(path: Path) -> Path | None:
    """The chart to render for a changed file: its templates (…/templates/**, `_helpers.tpl`
    included), its Chart.yaml and values files, its crds/ and its subcharts. For a subchart's file,
    the outermost chart that vendors it (a subchart's values come from its parent). None otherwise."""
    resolved = path.resolve()
    chart: Path | None = None
    for parent in resolved.parents:
        if not is_chart_dir(parent):
            continue
        if chart is None:
            if not _chart_file(resolved, parent):
                return None
            chart = parent
        elif chart.parent.name == "charts" and chart.parent.parent == parent:
            chart = parent  # a vendored subchart: render the chart that includes it
        else:
            break
    return chart


def is_values_variant(path: Path, chart: Path) -> bool:
    """Whether ``path`` is one of ``chart``'s own values files other than its defaults (values-prod.yaml)."""
    try:
        relative = path.resolve().relative_to(chart.resolve()).parts
    except ValueError:
        return False
    if len(relative) != 1:
        return False
    name = relative[0]
    return name.startswith("values") and name.endswith((".yaml", ".yml")) and name not in ("values.yaml",
                                                                                          "values.yml")


def chart_values_sets(paths: Sequence[str], configured: Mapping[str, Sequence[Sequence[str]]],
                      chart_of: Callable[[Path], Path | None]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The values sets to render each chart with, by resolved chart directory.

    ``configured`` (the configuration's ``charts:``) names them per chart; a chart's own values file
    handed in (pre-commit passes values-prod.yaml alone) adds a render with it, besides the chart's
    defaults, unless a configured set already holds it. Charts without either are not listed
    (rendered with their defaults).
    """
    sets: dict[str, list[tuple[str, ...]]] = {chart: [tuple(value_set) for value_set in value_sets]
                                              for chart, value_sets in configured.items()}
    for argument in paths:
        path = Path(argument)
        if argument == STDIN or not path.is_file():
            continue
        chart = chart_of(path)
        if chart is None or not is_values_variant(path, chart):
            continue
        current = sets.setdefault(str(chart.resolve()), [()])
        resolved = path.resolve()
        if not any(Path(member).resolve() == resolved for value_set in current for member in value_set):
            current.append((argument,))
    return {chart: tuple(value_sets) for chart, value_sets in sets.items()}


def _join(display_root: str, relative: str) -> str:
    if display_root in ("", "."):
        return relative
    return os.path.join(display_root, relative)


def collect_inputs(paths: Sequence[str], *, walk_charts: bool = True) -> Iterator[Input | ScanError]:
    """Inputs in a stable order: each argument in turn, directory contents sorted.

    A named file is read whatever its name (pre-commit passes files one by one); in a
    directory only .yaml/.yml/.json files are. Walks never follow a symlink loop and never
    open a FIFO, socket or device; a named FIFO is read (process substitution: <(helm template ...)).
    """
    for argument in paths or ["."]:
        if argument == STDIN:
            yield StdinInput()
            continue
        path = Path(argument)
        try:
            info = path.stat()
        except FileNotFoundError:
            yield ScanError(argument, None, "no such file or directory")
            continue
        except OSError as exc:
            yield ScanError(argument, None, f"cannot access: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(info.st_mode):
            if walk_charts and is_chart_dir(path):
                yield ChartInput(path, argument.rstrip("/") or argument)
            else:
                yield from _walk(path, argument.rstrip("/") or argument, {(info.st_dev, info.st_ino)}, walk_charts)
        elif stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode):
            yield FileInput(path, argument)
        else:
            yield ScanError(argument, None, "not a regular file or directory")


def _walk(directory: Path, display: str, visited: set[tuple[int, int]],
          walk_charts: bool) -> Iterator[Input | ScanError]:
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=_entry_name)
    except OSError as exc:
        yield ScanError(display, None, f"cannot list directory: {exc.strerror or exc}")
        return
    for entry in entries:
        name = entry.name
        # The entry's type comes from the directory listing (no system call); only directories
        # (their device and inode guard against loops) and symbolic links (followed) are stat'ed.
        try:
            if entry.is_symlink() or entry.is_dir(follow_symlinks=False):
                info = entry.stat(follow_symlinks=True)
                is_dir = stat.S_ISDIR(info.st_mode)
                is_file = stat.S_ISREG(info.st_mode)
            else:
                info = None
                is_dir = False
                is_file = entry.is_file(follow_symlinks=False)
        except OSError:
            if entry.is_symlink():
                continue  # a dangling link is not a manifest
            yield ScanError(_join(display, name), None, "cannot access")
            continue
        if is_dir:
            assert info is not None
            if name in SKIPPED_DIRS:
                continue
            key = (info.st_dev, info.st_ino)
            if key in visited:
                continue  # a symlink loop, or a second way to the same folder
            shown = _join(display, name)
            sub = Path(entry.path)
            if walk_charts and is_chart_dir(sub):
                yield ChartInput(sub, shown)
                continue
            visited.add(key)
            yield from _walk(sub, shown, visited, walk_charts)
        elif is_file and name.lower().endswith(MANIFEST_SUFFIXES):
            yield FileInput(entry.path, _join(display, name), regular=True)
        # FIFOs, sockets and devices inside a tree are never opened.


def _entry_name(entry: os.DirEntry[str]) -> str:
    return entry.name


def read_input_bytes(item: FileInput | StdinInput) -> bytes:
    """The raw bytes of a file or of stdin, bounded in size (core/userfiles). Raises OSError / ValueError."""
    if isinstance(item, StdinInput):
        data = read_stdin_bounded(MAX_FILE_BYTES)
        if not data:
            # `helm template ... | kdeprecate scan -` whose first command failed: a gate must not pass.
            raise ValueError("stdin is empty: nothing to scan (did the command before the pipe fail?)")
    else:
        data = read_bounded(item.fspath, MAX_FILE_BYTES, regular=item.regular)
        if not data and not item.regular and stat.S_ISFIFO(os.stat(item.fspath).st_mode):
            # `scan <(helm template ...)` whose command failed or printed nothing: as for empty stdin.
            raise ValueError("the pipe is empty: nothing to scan (did the command writing it fail?)")
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; not scanned")
    return data


def relative_display(path: Path) -> str:
    """A path as users like to see it: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # inside a folder we may not look into: the scan reports it
        return False


def map_chart_templates(paths: Sequence[str], chart_root_of: Callable[[Path], Path | None]) -> tuple[
        list[str], list[Notice]]:
    """Replace a chart's files (templates, Chart.yaml, values files, crds/, subcharts: see
    ``sources.files.chart_of_file``) by their chart.

    pre-commit passes changed files one by one; a template is a Go template, not YAML, and a values
    file changes what the chart renders, so each is scanned by rendering its chart (once per chart).
    """
    result: list[str] = []
    notices: list[Notice] = []
    charts_added: dict[Path, str] = {}
    for argument in paths:
        path = Path(argument)
        chart = chart_root_of(path) if argument != "-" and _is_file(path) else None
        if chart is None:
            result.append(argument)
            continue
        display = relative_display(chart)
        if chart not in charts_added:
            charts_added[chart] = display
            result.append(display)
        what = (f"a values file of the Helm chart {display}: the chart is rendered with it"
                if is_values_variant(path, chart)
                else f"part of a Helm chart: scanned by rendering its chart {display}")
        notices.append(Notice(argument, None, "chart-template", what, level=NOTICE_INFO))
    # A chart whose directory (or an ancestor) is also named is rendered by that argument already.
    named = [Path(os.path.abspath(p)) for p in result if p not in charts_added.values() and p != "-"]
    final = [p for p in result
             if p not in charts_added.values()
             or not any(Path(os.path.abspath(p)).is_relative_to(n) for n in named)]
    return list(dict.fromkeys(final)), notices
