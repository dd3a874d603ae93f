"""Find the inputs a scan reads: files, directories (recursively), charts and stdin."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pluto_py.model import ScanError

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
# Folders that hold other people's or tools' files, never the user's manifests.
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", "CVS", ".jj", "node_modules", "vendor",
                          ".venv", "__pycache__", ".terraform", ".tox"})
MAX_FILE_BYTES = 64 * 1024 * 1024
STDIN = "-"


@dataclass(frozen=True)
class FileInput:
    path: Path
    display: str


@dataclass(frozen=True)
class StdinInput:
    display: str = STDIN


@dataclass(frozen=True)
class ChartInput:
    """A Helm chart directory: rendered, not read as YAML (its templates are Go templates)."""

    path: Path
    display: str


Input = FileInput | StdinInput | ChartInput


def is_chart_dir(path: Path) -> bool:
    return (path / "Chart.yaml").is_file()


def chart_root_of(path: Path) -> Path | None:
    """The chart a file belongs to as a template (…/chart/templates/**), if any."""
    parents = path.resolve().parents
    for parent in parents:
        if parent.name == "templates" and is_chart_dir(parent.parent):
            return parent.parent
    return None


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
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError as exc:
        yield ScanError(display, None, f"cannot list directory: {exc.strerror or exc}")
        return
    for entry in entries:
        shown = _join(display, entry.name)
        try:
            info = entry.stat(follow_symlinks=True)
        except OSError:
            if entry.is_symlink():
                continue  # a dangling link is not a manifest
            yield ScanError(shown, None, "cannot access")
            continue
        if stat.S_ISDIR(info.st_mode):
            if entry.name in SKIPPED_DIRS:
                continue
            key = (info.st_dev, info.st_ino)
            if key in visited:
                continue  # a symlink loop, or a second way to the same folder
            sub = Path(entry.path)
            if walk_charts and is_chart_dir(sub):
                yield ChartInput(sub, shown)
                continue
            visited.add(key)
            yield from _walk(sub, shown, visited, walk_charts)
        elif stat.S_ISREG(info.st_mode) and entry.name.lower().endswith(MANIFEST_SUFFIXES):
            yield FileInput(Path(entry.path), shown)
        # FIFOs, sockets and devices inside a tree are never opened.


def read_input_bytes(item: FileInput | StdinInput) -> bytes:
    """The raw bytes of a file or of stdin, bounded in size. Raises OSError / ValueError."""
    import sys

    if isinstance(item, StdinInput):
        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    else:
        with open(item.path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; not scanned")
    return data
