"""Find the inputs a scan reads: files, directories (recursively), charts and stdin."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from pluto_py._record import Record
from pluto_py.model import ScanError

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
# Folders that hold other people's or tools' files, never the user's manifests.
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", "CVS", ".jj", "node_modules", "vendor",
                          ".venv", "__pycache__", ".terraform", ".tox"})
MAX_FILE_BYTES = 64 * 1024 * 1024
STDIN = "-"


class FileInput:
    """A file to read, shown as ``display``. ``path`` is made from ``fspath`` on first use: a walk
    meets thousands of files, and a Path costs more to make than reading a small file."""

    __slots__ = ("_path", "display", "fspath")

    def __init__(self, path: Path | str, display: str) -> None:
        self._path = path if isinstance(path, Path) else None
        self.fspath = os.fspath(path)
        self.display = display

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


class StdinInput(Record):
    __slots__ = ("display",)
    _fields = ("display",)

    def __init__(self, display: str = STDIN) -> None:
        self.display = display


class ChartInput(Record):
    """A Helm chart directory: rendered, not read as YAML (its templates are Go templates)."""

    __slots__ = ("display", "path")
    _fields = ("path", "display")

    def __init__(self, path: Path, display: str) -> None:
        self.path = path
        self.display = display


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
            yield FileInput(entry.path, _join(display, name))
        # FIFOs, sockets and devices inside a tree are never opened.


def _entry_name(entry: os.DirEntry[str]) -> str:
    return entry.name


def read_input_bytes(item: FileInput | StdinInput) -> bytes:
    """The raw bytes of a file or of stdin, bounded in size. Raises OSError / ValueError."""
    if isinstance(item, StdinInput):
        import sys

        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        if not data:
            # `helm template ... | kdeprecate scan -` whose first command failed: a gate must not pass.
            raise ValueError("stdin is empty: nothing to scan (did the command before the pipe fail?)")
    elif stat.S_ISFIFO(os.stat(item.fspath).st_mode):
        data = _read_fifo(item.fspath)
        if not data:
            # `scan <(helm template ...)` whose command failed or printed nothing: as for empty stdin.
            raise ValueError("the pipe is empty: nothing to scan (did the command writing it fail?)")
    else:
        data = _read_bounded(item.fspath)
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; not scanned")
    return data


def _read_bounded(path: str) -> bytes:
    """At most MAX_FILE_BYTES + 1 bytes of a file. A regular file is read in one call sized by its
    length (asking for MAX_FILE_BYTES + 1 would allocate a 64 MiB buffer for every file); a FIFO,
    or a file that grows while it is read, in chunks up to the same bound."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        size = info.st_size if stat.S_ISREG(info.st_mode) else 0
        data = os.read(fd, min(size, MAX_FILE_BYTES) + 1)
        if len(data) == size:
            return data  # all of a regular file: asked for one byte more than its size, got its size
        return _read_rest(fd, [data])
    finally:
        os.close(fd)


def _read_rest(fd: int, chunks: list[bytes]) -> bytes:
    """``chunks`` plus what ``fd`` still holds, up to MAX_FILE_BYTES + 1 bytes in all (one more
    than allowed, so that the caller can tell an oversized input)."""
    total = sum(len(chunk) for chunk in chunks)
    while total <= MAX_FILE_BYTES:
        chunk = os.read(fd, min(1024 * 1024, MAX_FILE_BYTES + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


FIFO_WRITER_WAIT = 10.0  # seconds a named FIFO may stay without a writer before it is an error


def _read_fifo(path: str) -> bytes:
    """A named FIFO's data. `kdeprecate scan <(helm template ...)` passes a pipe whose writer is
    attached: it is read to its end, however long the writer takes. A FIFO nobody writes to would
    block a blocking open forever (a gate must never hang): it is opened without blocking, and if
    no writer shows up within FIFO_WRITER_WAIT seconds it is an error."""
    import time

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        deadline = time.monotonic() + FIFO_WRITER_WAIT
        chunks: list[bytes] = []
        while True:
            try:
                first = os.read(fd, 64 * 1024)
            except BlockingIOError:
                break  # a writer is attached and has not written yet: wait for it, blocking
            if first:
                chunks.append(first)
                break
            if _is_anonymous_pipe(path):
                return b""  # <(cmd): its writer has come and gone; nobody else can open it
            if time.monotonic() >= deadline:  # no writer (or one that wrote nothing and left)
                raise ValueError(f"a FIFO with no writer for {FIFO_WRITER_WAIT:g} s; not scanned")
            time.sleep(0.02)
        os.set_blocking(fd, True)
        return _read_rest(fd, chunks)
    finally:
        os.close(fd)



def _is_anonymous_pipe(path: str) -> bool:
    """Whether ``path`` (/dev/fd/63 of process substitution) names an anonymous pipe, which no new
    writer can ever open, rather than a named FIFO."""
    try:
        return os.readlink(path).startswith("pipe:")
    except OSError:
        return False
