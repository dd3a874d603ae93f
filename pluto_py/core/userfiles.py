"""Users' files: the one bounded reader (files, FIFOs, stdin), the one atomic writer, and the reading
of small files users write by hand (extra tables, configuration, a skew policy, reports to merge),
with one place for the encoding rules and the one-line errors naming the file."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
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


MAX_HANDWRITTEN_VALUES = 100_000  # values (aliases expanded) of a file written by hand: an alias bomb stops early


def parse_user_yaml(text: str, origin: str, max_values: int = MAX_HANDWRITTEN_VALUES) -> Any:
    """The data of a small YAML file users write by hand (configuration, extra table, skew policy,
    `kubectl version -o yaml`), with the manifest parser's bounds (core/parse.py: no tag constructs an
    object, nesting is at most MAX_DEPTH levels) and aliases expanding to at most ``max_values`` values
    (MAX_NODES for tool output such as `kubectl get nodes -o yaml`). At most one document (None for
    none); a key given twice is an error. UserFileError names the file and the line."""
    from pluto_py.core.parse import DocumentError, compose_yaml_full, split_documents

    documents: list[Any] = []
    for raw in split_documents(text):
        duplicates: list[tuple[int, str]] = []
        try:
            data, _positions = compose_yaml_full(raw.text, raw.first_line, duplicates, max_values)
        except DocumentError as exc:
            where = f"{origin}:{exc.line}" if exc.line is not None else origin
            message = exc.message.removeprefix("invalid YAML: ")
            raise UserFileError(f"{where}: {'not valid YAML: ' if message != exc.message else ''}{message}") from None
        if duplicates:
            line, key = duplicates[0]
            raise UserFileError(f"{origin}:{line}: not valid YAML: the key {key!r} is given twice")
        if data is not None:
            documents.append(data)
    if len(documents) > 1:
        raise UserFileError(f"{origin}: expected one YAML document, found {len(documents)}")
    return documents[0] if documents else None


def parse_user_json(text: str, origin: str) -> Any:
    """The data of a JSON file users give (reports to merge, `kubectl ... -o json`): strict JSON, so
    NaN, Infinity, numbers beyond 64 bits and keys given twice are errors, and so is nesting deeper
    than MAX_DEPTH levels (json would exhaust the stack). UserFileError names the file and the line."""
    import json

    from pluto_py.core.parse import MAX_DEPTH, nesting_overflow

    overflow = nesting_overflow(text)
    if overflow is not None:
        raise UserFileError(f"{origin}:{overflow}: not valid JSON: nesting deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text, parse_constant=_no_constant, parse_int=_bounded_int, parse_float=_finite_float,
                          object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise UserFileError(f"{origin}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    except _JsonValueError as exc:
        raise UserFileError(f"{origin}:{_line_of(text, exc.text)}: not valid JSON: {exc}") from None
    except RecursionError:
        raise UserFileError(f"{origin}: not valid JSON: nesting deeper than {MAX_DEPTH} levels") from None


class _JsonValueError(ValueError):
    def __init__(self, message: str, text: str) -> None:
        super().__init__(message)
        self.text = text


_MAX_INTEGER_DIGITS = 19  # 64-bit integers: what every reader of a report can hold


def _no_constant(name: str) -> Any:
    raise _JsonValueError(f"{name} is not a JSON number", name)


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > _MAX_INTEGER_DIGITS:
        raise _JsonValueError(f"the integer {digits[:24]}{'...' if len(digits) > 24 else ''} is out of range",
                              digits)
    return int(digits)


def _finite_float(digits: str) -> float:
    import math

    value = float(digits)
    if not math.isfinite(value):
        raise _JsonValueError(f"the number {digits[:24]} is out of range", digits)
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _JsonValueError(f"the key {key!r} is given twice in one object", f'"{key}"')
            seen.add(key)
    return result


def _line_of(text: str, token: str) -> int:
    """The line of the first occurrence of ``token`` in ``text`` (1 when it cannot be found)."""
    at = text.find(token)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


class WriteRefused(OSError):
    """A file write_atomic leaves as it is (read-only, hard-linked, someone else's, reached through a
    symbolic link that leaves the tree): ``strerror`` says why, as an OSError's does."""

    def __init__(self, message: str) -> None:
        super().__init__(errno.EPERM, message)


def write_atomic(path: str | os.PathLike[str], data: bytes | str, *,
                 within: Sequence[str | os.PathLike[str]] | None = None) -> None:
    """Replace ``path``'s content so that readers see the old file or the whole new one, never a part.

    A temporary file in the same directory (of the link's target, for a symbolic link) is written,
    flushed to disk and renamed over it. An existing file keeps its mode and its owner and group; a new
    one gets the umask's mode. ``str`` data is written as UTF-8, line endings as given.

    What a rename would silently change is refused (WriteRefused, nothing written): a read-only file
    (no write permission bit, or none for us), a file with several hard links (a new file would split
    it from its other names), a file whose owner or group cannot be kept, and, with ``within`` (the
    real directories the file was found under), a symbolic link whose target lies outside them. A
    device or a pipe (``/dev/stdout``) is written as it is, without a rename. Raises OSError.
    """
    import contextlib
    import tempfile

    payload = data.encode("utf-8") if isinstance(data, str) else data
    fspath = os.fspath(path)
    try:
        info: os.stat_result | None = os.stat(fspath)
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory")
        _write_through(fspath, payload)
        return
    target = Path(os.path.realpath(fspath))
    if within is not None and not any(target.is_relative_to(os.path.realpath(root)) for root in within):
        raise WriteRefused(f"a symbolic link to {target}, outside the tree being fixed: not rewritten "
                           "(fix the file where it is)")
    if info is not None:
        _check_replaceable(target, info)
        mode = stat.S_IMODE(info.st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".kdeprecate", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        if info is not None:
            _keep_owner(temporary, info)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _check_replaceable(target: Path, info: os.stat_result) -> None:
    """WriteRefused when replacing ``target`` would change more than its content."""
    if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
        raise WriteRefused(f"read-only (mode {stat.S_IMODE(info.st_mode):04o}): not rewritten; make it writable "
                           "to fix it")
    if info.st_nlink > 1:
        raise WriteRefused(f"{info.st_nlink} hard links name this file: not rewritten (a rewritten file would "
                           "no longer be the one its other names show); fix it with --diff and apply the diff")


def _keep_owner(temporary: str, info: os.stat_result) -> None:
    """Give the new file the old one's owner and group, or refuse (only root may give a file away)."""
    mine = os.stat(temporary)
    if (mine.st_uid, mine.st_gid) == (info.st_uid, info.st_gid):
        return
    try:
        os.chown(temporary, info.st_uid, info.st_gid)
    except PermissionError:
        raise WriteRefused(f"owned by user {info.st_uid}, group {info.st_gid}: a rewritten file would be "
                           "yours; not rewritten (run fix as its owner)") from None


def _write_through(path: str, payload: bytes) -> None:
    """Write to a device or a pipe (``--output-file /dev/stdout``), which cannot be renamed over."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_BINARY", 0))
    try:
        view = memoryview(payload)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    finally:
        os.close(fd)
