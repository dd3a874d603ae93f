"""Lines of a log file, streamed with flat memory: plain or gzip (by content, not by name), from a
file or stdin, with a bound on line length and on how far gzip may expand.

Manifests are read whole and bounded (sources/files.py); logs are gigabytes, so they are read line
by line instead. A line longer than the bound, a gzip stream cut short and a gzip "bomb" become
ScanErrors naming the file and line; what was read before still counts.
"""

from __future__ import annotations

import os
import sys
import zlib
from collections.abc import Iterator
from typing import IO, Protocol

from pluto_py.model import ScanError

STDIN = "-"
MAX_LINE_BYTES = 4 * 1024 * 1024  # an event with a large request/response body still fits
# A gzip member may expand this many times its compressed size (audit logs compress ~10-30x), and
# at least to MIN_GZIP_LIMIT: past that it is not a log but a decompression bomb.
MAX_GZIP_RATIO = 1000
MIN_GZIP_LIMIT = 1024 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_READ_CHUNK = 1024 * 1024


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


# One line: its 1-based number, its bytes without the line break, and whether it had one (False for
# a last line cut short, e.g. a log still being written).
LogLine = tuple[int, bytes, bool]
# Consecutive lines: the number of the first, the lines (without line breaks), and whether they all
# had a line break (False only for a batch holding just a last line cut short). Logs have millions
# of lines: they are split in bulk, a chunk at a time.
LineBatch = tuple[int, list[bytes], bool]


def _open(path: str) -> tuple[IO[bytes], int | None]:
    """The raw byte stream of ``path`` (stdin for '-') and its size when known."""
    if path == STDIN:
        return sys.stdin.buffer, None
    stream = open(path, "rb")  # noqa: SIM115 - closed by read_lines
    try:
        size = os.fstat(stream.fileno()).st_size
    except OSError:
        size = None
    return stream, size


class _Prefixed:
    """A stream whose first bytes were already read (to sniff gzip on a stream without peek)."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int = -1, /) -> bytes:
        if not self._head:
            return self._stream.read(size)
        head, self._head = self._head, b""
        if size < 0:
            return head + self._stream.read()
        return head + self._stream.read(max(0, size - len(head))) if size > len(head) else head


def _sniff(stream: IO[bytes]) -> tuple[bool, _Readable]:
    """Whether the stream is gzip, and a stream to read from its start."""
    peek = getattr(stream, "peek", None)
    if peek is not None:
        return peek(2)[:2] == _GZIP_MAGIC, stream
    head = stream.read(2)
    return head == _GZIP_MAGIC, _Prefixed(head, stream)


def read_line_batches(path: str, display: str | None = None, *,
                      max_line: int = MAX_LINE_BYTES) -> Iterator[LineBatch | ScanError]:
    """Every line of ``path`` ('-': stdin), decompressed when it is gzip, in batches. Errors come in
    place (an overlong line is an error and is skipped; the numbers of the lines after it stay
    right); an unreadable or broken stream ends the iteration after its error."""
    shown = display or path
    try:
        raw, size = _open(path)
    except OSError as exc:
        yield ScanError(shown, None, f"cannot read: {exc.strerror or exc}")
        return
    try:
        if path != STDIN and os.path.isdir(path):
            yield ScanError(shown, None, "is a directory, not a log file")
            return
        zipped, stream = _sniff(raw)
        if zipped:
            limit = max(MIN_GZIP_LIMIT, (size or 0) * MAX_GZIP_RATIO)
            yield from _batches(_gunzip(stream), shown, max_line, limit)
        else:
            yield from _batches(_chunks(stream), shown, max_line, None)
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()


def read_lines(path: str, display: str | None = None, *,
               max_line: int = MAX_LINE_BYTES) -> Iterator[LogLine | ScanError]:
    """Line by line what read_line_batches reads in batches."""
    for batch in read_line_batches(path, display, max_line=max_line):
        if isinstance(batch, ScanError):
            yield batch
            continue
        first, lines, complete = batch
        for number, data in enumerate(lines, first):
            yield (number, data, complete)


class _GzipCut(Exception):
    """A gzip stream that ends before its end-of-stream marker, or is not gzip past some point."""


def _chunks(stream: _Readable) -> Iterator[bytes]:
    while True:
        chunk = stream.read(_READ_CHUNK)
        if not chunk:
            return
        yield chunk


def _gunzip(stream: _Readable) -> Iterator[bytes]:
    """The decompressed bytes of a gzip stream (members one after the other), in bounded pieces;
    everything decompressed before a cut or broken spot is yielded before _GzipCut is raised."""
    inflater = zlib.decompressobj(wbits=31)
    pending = b""
    while True:
        if not pending:
            pending = stream.read(_READ_CHUNK)
            if not pending:
                if not inflater.eof:
                    raise _GzipCut("ends early (cut short, or still being written)")
                return
        try:
            out = inflater.decompress(pending, _READ_CHUNK)
        except zlib.error as exc:
            raise _GzipCut(f"is broken ({exc})") from None
        pending = inflater.unconsumed_tail
        if out:
            yield out
        if inflater.eof:
            rest = inflater.unused_data + pending
            pending = rest.lstrip(b"\0")  # padding after the last member is allowed
            if not pending:
                pending = stream.read(_READ_CHUNK)
                if not pending:
                    return
            inflater = zlib.decompressobj(wbits=31)


def _batches(chunks: Iterator[bytes], shown: str, max_line: int,
             limit: int | None) -> Iterator[LineBatch | ScanError]:
    number = 0  # lines passed on so far (an overlong line counts)
    carry = b""  # the start of a line not finished yet
    skipping = False  # inside an overlong line: drop bytes up to its line break
    total = 0
    while True:
        try:
            chunk = next(chunks, b"")
        except _GzipCut as exc:
            if carry:
                yield (number + 1, [carry], False)
            yield ScanError(shown, number + 1, f"gzip stream {exc}; the lines before it were read")
            return
        except OSError as exc:
            yield ScanError(shown, number + 1, f"cannot read: {exc.strerror or exc}")
            return
        if not chunk:
            break
        total += len(chunk)
        if limit is not None and total > limit:
            yield ScanError(shown, number + 1, f"decompresses to more than {limit // (1024 * 1024)} MiB "
                                               f"(over {MAX_GZIP_RATIO}x its size): not read further")
            return
        if skipping:
            end = chunk.find(b"\n")
            if end < 0:
                continue
            chunk, skipping = chunk[end + 1:], False
        lines = (carry + chunk if carry else chunk).split(b"\n")
        carry = lines.pop()
        if lines and max(map(len, lines)) > max_line:
            start = 0
            for index, line in enumerate(lines):
                if len(line) > max_line:
                    if index > start:
                        yield (number + 1, lines[start:index], True)
                        number += index - start
                    number += 1
                    yield ScanError(shown, number, f"line longer than {max_line // 1024} KiB: skipped")
                    start = index + 1
            lines = lines[start:]
        if lines:
            yield (number + 1, lines, True)
            number += len(lines)
        if len(carry) > max_line:
            number += 1
            yield ScanError(shown, number, f"line longer than {max_line // 1024} KiB: skipped")
            carry, skipping = b"", True
    if carry:
        yield (number + 1, [carry], False)
