"""Users' files: the one bounded reader (files, FIFOs, stdin), the one atomic writer, and the reading
of small files users write by hand (extra tables, configuration, a skew policy, reports to merge),
with one place for the encoding rules and the one-line errors naming the file."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 64 * 1024 * 1024  # the default bound of everything read from users
FIFO_WRITER_WAIT = 10.0  # seconds a named FIFO may stay without a writer before it is an error


class UserFileError(ValueError):
    """A user's file that cannot be read or parsed; the message names the file."""


def read_bounded(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES, *, regular: bool = False) -> bytes:
    """At most ``limit + 1`` bytes of a file or a named FIFO (one more than allowed, so that the caller
    can tell an oversized input). Raises OSError; ValueError for a FIFO nobody writes to.

    A regular file is read in one call sized by its length (asking for ``limit + 1`` would allocate a
    64 MiB buffer for every file); a FIFO, or a file that grows while it is read, in chunks.
    """
    fspath = os.fspath(path)
    # A FIFO is known by a stat before the open: opening one, even without blocking, lets its writer go
    # on, and what it writes is lost if that descriptor is closed again (sources/paths, fix).
    # (``regular``: the caller's directory listing said so: one system call less per file of a walk.)
    if not regular and stat.S_ISFIFO(os.stat(fspath).st_mode):
        return _read_fifo(fspath, limit)
    fd = os.open(fspath, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        size = info.st_size if stat.S_ISREG(info.st_mode) else 0
        data = os.read(fd, min(size, limit) + 1)
        if len(data) == size:
            return data  # all of a regular file: asked for one byte more than its size, got its size
        return _read_rest(fd, [data], limit)
    finally:
        os.close(fd)


def read_stdin_bounded(limit: int = MAX_FILE_BYTES) -> bytes:
    """At most ``limit + 1`` bytes of stdin."""
    import sys

    return sys.stdin.buffer.read(limit + 1)


def _read_rest(fd: int, chunks: list[bytes], limit: int) -> bytes:
    """``chunks`` plus what ``fd`` still holds, up to ``limit + 1`` bytes in all."""
    total = sum(len(chunk) for chunk in chunks)
    while total <= limit:
        chunk = os.read(fd, min(1024 * 1024, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _read_fifo(path: str, limit: int) -> bytes:
    """A named FIFO's data, read to its end (see open_fifo)."""
    fd, first = open_fifo(path)
    try:
        return _read_rest(fd, [first] if first else [], limit)
    finally:
        os.close(fd)


def open_fifo(path: str) -> tuple[int, bytes]:
    """A named FIFO opened for blocking reads, and the first bytes its writer wrote (empty when a
    writer is attached but has not written yet). Raises OSError; ValueError for a FIFO nobody writes to.

    `kdeprecate scan <(helm template ...)` passes a pipe whose writer is attached: it is read to its
    end, however long the writer takes. A FIFO nobody writes to would block a blocking open forever
    (a gate must never hang): it is opened without blocking, and if no writer shows up within
    FIFO_WRITER_WAIT seconds it is an error. The caller closes the descriptor.
    """
    import time

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        deadline = time.monotonic() + FIFO_WRITER_WAIT
        first = b""
        while True:
            try:
                first = os.read(fd, 64 * 1024)
            except BlockingIOError:
                break  # a writer is attached and has not written yet: wait for it, blocking
            if first:
                break
            if _is_anonymous_pipe(path):
                return fd, b""  # <(cmd): its writer has come and gone (reads give end of file)
            if time.monotonic() >= deadline:  # no writer (or one that wrote nothing and left)
                raise ValueError(f"a FIFO with no writer for {FIFO_WRITER_WAIT:g} s; not scanned")
            time.sleep(0.02)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd, first


def _is_anonymous_pipe(path: str) -> bool:
    """Whether ``path`` (/dev/fd/63 of process substitution) names an anonymous pipe, which no new
    writer can ever open, rather than a named FIFO."""
    try:
        return os.readlink(path).startswith("pipe:")
    except OSError:
        return False


def read_user_text(path: str | os.PathLike[str], what: str = "", limit: int = MAX_FILE_BYTES, *,
                   stdin: bool = False) -> str:
    """The UTF-8 text of ``path`` (a BOM is allowed), at most ``limit`` bytes; with ``stdin``, '-' reads
    stdin. ``what`` names it in errors ("extra table"). Raises UserFileError naming the file."""
    name, subject = (f" {what}", f"{what} is ") if what else ("", "")
    try:
        data = read_stdin_bounded(limit) if stdin and os.fspath(path) == "-" else read_bounded(path, limit)
    except OSError as exc:
        raise UserFileError(f"{path}: cannot read{name}: {exc.strerror or exc}") from None
    except ValueError as exc:  # a FIFO nobody writes to
        raise UserFileError(f"{path}: cannot read{name}: {exc}") from None
    if len(data) > limit:
        raise UserFileError(f"{path}: {subject}larger than {limit // (1024 * 1024)} MiB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserFileError(f"{path}: {subject}not UTF-8 text") from None


def parse_user_yaml(text: str, origin: str) -> Any:
    """Safe YAML (no tag constructs an object), for small files users write by hand."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        raise UserFileError(f"{origin}: not valid YAML: {' '.join(str(exc).split())}") from None


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Replace ``path``'s content so that readers see the old file or the whole new one, never a part.

    A temporary file in the same directory (of the link's target, for a symbolic link) is written,
    flushed to disk and renamed over it; an existing file keeps its mode, a new one gets the umask's.
    ``str`` data is written as UTF-8, line endings as given. Raises OSError (e.g. no such directory).
    """
    import contextlib
    import tempfile

    target = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".kdeprecate", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
