"""The second bounded reader: logs streamed with flat memory, plain or gzip (by content, not by
name), from a file, a named FIFO or stdin, with a bound on line length and on how far gzip may expand.

Manifests and every other user file are read whole by the one bounded reader (core/userfiles,
MAX_FILE_BYTES = 64 MiB) and parsed whole. Audit logs are gigabytes, a day of them more: they cannot
be read whole, so they are streamed a chunk (audit logs) or a line (metrics text: ``readline`` of a
buffered stream, C speed) at a time instead. What the two readers share comes from core/userfiles:
a named FIFO is opened by ``open_fifo`` (a FIFO nobody writes to is an error, never a hang), and a
file that cannot be opened is the same one-line "cannot read" error. A line longer than the bound, a
gzip stream cut short and a gzip "bomb" become errors naming the file and line; what was read before
still counts. See docs/architecture.md.
"""

from __future__ import annotations

import io
import os
import stat
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import IO

from pluto_py.core.model import ScanError
from pluto_py.core.userfiles import open_fifo
from pluto_py.sources.files import STDIN

MAX_LINE_BYTES = 4 * 1024 * 1024  # an event with a large request/response body still fits
# A gzip stream may expand this many times its compressed size (audit logs compress ~10-30x), and
# at least to MIN_GZIP_LIMIT: past that it is not a log but a decompression bomb.
MAX_GZIP_RATIO = 1000
MIN_GZIP_LIMIT = 1024 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_READ_CHUNK = 1024 * 1024

# One line: its 1-based number, its bytes without the line break, and whether it had one (False for
# a last line cut short, e.g. a log still being written).
LogLine = tuple[int, bytes, bool]


class _RawReader(io.RawIOBase):
    """A raw stream over a ``read(size)`` function, so that io.BufferedReader gives C-speed readline."""

    def __init__(self, read: Callable[[int], bytes]) -> None:
        super().__init__()
        self._read = read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


class _Gunzip:
    """Decompresses gzip members one after the other in bounded pieces. At a cut or broken spot (or
    past the expansion bound) it ends as if the file ended there, with ``error`` saying why: what
    was decompressed before still counts (a buffered reader would drop it if read raised)."""

    def __init__(self, read: Callable[[int], bytes], limit: int) -> None:
        self._read_raw = read
        self._inflater = zlib.decompressobj(wbits=31)
        self._pending = b""
        self._limit = limit
        self._total = 0
        self._ended = False
        self.error: str | None = None

    def read(self, size: int) -> bytes:
        while not self._ended:
            if not self._pending:
                self._pending = self._read_raw(_READ_CHUNK)
                if not self._pending:
                    self._ended = True
                    if not self._inflater.eof:
                        self.error = ("gzip stream ends early (cut short, or still being written); "
                                      "the lines before it were read")
                    break
            try:
                out = self._inflater.decompress(self._pending, min(size, _READ_CHUNK))
            except zlib.error as exc:
                self._ended = True
                self.error = f"gzip stream is broken ({exc}); the lines before it were read"
                break
            self._pending = self._inflater.unconsumed_tail
            if self._inflater.eof:  # a member ends: another may follow (padding with NULs is allowed)
                self._pending = (self._inflater.unused_data + self._pending).lstrip(b"\0")
                self._inflater = zlib.decompressobj(wbits=31)
                if not self._pending:
                    self._pending = self._read_raw(_READ_CHUNK).lstrip(b"\0")
                    if not self._pending:
                        self._ended = True
            if out:
                self._total += len(out)
                if self._total > self._limit:
                    self._ended = True
                    self.error = (f"decompresses to more than {self._limit // (1024 * 1024)} MiB "
                                  f"(over {MAX_GZIP_RATIO}x its size): not read further")
                    break
                return out
        return b""


class LogStream:
    """An opened log: ``readline(size)`` and ``read(size)``; after the end, ``error`` says whether
    the stream ended early (a gzip stream cut short or broken, a decompression bomb)."""

    def __init__(self, path: str, *, bulk: bool = False) -> None:
        """``bulk``: only big ``read`` calls will be made, so a plain file is read without a buffer.
        Raises OSError; ValueError for a named FIFO nobody writes to."""
        self.path = path
        size = None
        first: bytes | None = None  # a FIFO's first bytes, read while waiting for its writer
        if path == STDIN:
            raw: IO[bytes] = sys.stdin.buffer
        else:
            mode = os.stat(path).st_mode
            if stat.S_ISDIR(mode):
                raise IsADirectoryError(21, "is a directory, not a log file")
            if stat.S_ISFIFO(mode):
                fd, first = open_fifo(path)
                raw = open(fd, "rb", buffering=0)  # noqa: SIM115 - closed by close()
            else:
                raw = open(path, "rb", buffering=0 if bulk else _READ_CHUNK)  # noqa: SIM115 - closed by close()
                size = os.fstat(raw.fileno()).st_size
        self._raw = raw
        peek = getattr(raw, "peek", None)
        read: Callable[[int], bytes] = raw.read
        given_back = first is not None  # bytes already read are given back before the rest
        if first is not None:
            while len(first) < 2 and (more := raw.read(2 - len(first))):  # enough to tell gzip
                first += more
            head = first[:2]
            read = _prepend(first, raw.read)
        else:
            head = peek(2)[:2] if peek is not None else raw.read(2)
            if peek is None and bulk and raw.seekable():
                raw.seek(0)  # read() straight from the file
            elif peek is None:  # a stream without peek (a test's BytesIO): give the sniffed bytes back
                read = _prepend(head, raw.read)
                given_back = True
        self._gunzip: _Gunzip | None = None
        if head == _GZIP_MAGIC:
            limit = max(MIN_GZIP_LIMIT, (size or 0) * MAX_GZIP_RATIO)
            self._gunzip = _Gunzip(read, limit)
            self._stream: IO[bytes] = io.BufferedReader(_RawReader(self._gunzip.read), _READ_CHUNK)
        elif given_back:
            self._stream = io.BufferedReader(_RawReader(read), _READ_CHUNK)
        else:
            self._stream = raw
        self.readline = self._stream.readline
        self.read = self._stream.read

    @property
    def error(self) -> str | None:
        return self._gunzip.error if self._gunzip is not None else None

    def close(self) -> None:
        if self._raw is not sys.stdin.buffer:
            self._raw.close()

    def __enter__(self) -> LogStream:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _prepend(head: bytes, read: Callable[[int], bytes]) -> Callable[[int], bytes]:
    """``read`` with ``head`` (bytes already taken from the stream) given back first."""
    pending = [head]

    def read_with_head(size: int) -> bytes:
        if pending[0]:
            piece, pending[0] = pending[0][:size], pending[0][size:]
            return piece
        return read(size)

    return read_with_head


def expand_log_paths(paths: Iterable[str]) -> tuple[list[str], list[ScanError]]:
    """Files to read: each path as given ('-' is stdin); a directory's regular files, by name (so
    rotated ``audit-<time>.log.gz`` files come before ``audit.log``)."""
    files: list[str] = []
    errors: list[ScanError] = []
    for path in paths:
        if path == STDIN:
            files.append(path)
        elif os.path.isdir(path):
            try:
                names = sorted(name for name in os.listdir(path)
                               if not name.startswith(".") and os.path.isfile(os.path.join(path, name)))
            except OSError as exc:
                errors.append(ScanError(path, None, f"cannot read: {exc.strerror or exc}"))
                continue
            if not names:
                errors.append(ScanError(path, None, "directory holds no log files"))
            files.extend(os.path.join(path, name) for name in names)
        elif not os.path.exists(path):
            errors.append(ScanError(path, None, "no such file"))
        else:
            files.append(path)
    return files, errors


def open_log(path: str, display: str | None = None, *, bulk: bool = False) -> LogStream | ScanError:
    """The opened log, or the error that it cannot be opened."""
    try:
        return LogStream(path, bulk=bulk)
    except OSError as exc:
        return ScanError(display or path, None, f"cannot read: {exc.strerror or exc}")
    except ValueError as exc:  # a FIFO nobody writes to
        return ScanError(display or path, None, f"cannot read: {exc}")


def skip_rest_of_line(stream: LogStream) -> None:
    """Read past the rest of an overlong line, in bounded pieces."""
    while True:
        piece = stream.readline(_READ_CHUNK)
        if not piece or piece[-1:] == b"\n":
            return


def read_lines(path: str, display: str | None = None, *,
               max_line: int = MAX_LINE_BYTES) -> Iterator[LogLine | ScanError]:
    """Every line of ``path`` ('-': stdin), decompressed when it is gzip. Errors are yielded in place
    (an overlong line is an error and is skipped; the numbers of the lines after it stay right); an
    unreadable or broken stream ends the iteration after its error."""
    shown = display or path
    opened = open_log(path, shown)
    if isinstance(opened, ScanError):
        yield opened
        return
    number = 0
    with opened as stream:
        while True:
            try:
                line = stream.readline(max_line + 1)
                if not line:
                    if stream.error:
                        yield ScanError(shown, number + 1, stream.error)
                    return
                number += 1
                if line[-1:] == b"\n":
                    yield (number, line[:-1], True)
                elif len(line) <= max_line:
                    yield (number, line, False)  # the last line, without a line break
                else:
                    yield ScanError(shown, number, overlong_message(max_line))
                    skip_rest_of_line(stream)
            except OSError as exc:
                yield ScanError(shown, number + 1, f"cannot read: {exc.strerror or exc}")
                return


def overlong_message(max_line: int) -> str:
    return f"line longer than {max_line // 1024} KiB: skipped"
