"""Lines of a log file, streamed with flat memory: plain or gzip (by content, not by name), from a
file or stdin, with a bound on line length and on how far gzip may expand.

Manifests are read whole and bounded (sources/files.py); logs are gigabytes, so they are read line
by line instead. A line longer than the bound, a gzip stream cut short and a gzip "bomb" become
ScanErrors naming the file and line; what was read before still counts.
"""

from __future__ import annotations

import gzip
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


def _is_gzip(stream: IO[bytes]) -> bool:
    peek = getattr(stream, "peek", None)
    head = peek(2)[:2] if peek is not None else b""
    return head == _GZIP_MAGIC


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
        if _is_gzip(raw):
            limit = max(MIN_GZIP_LIMIT, (size or 0) * MAX_GZIP_RATIO)
            with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                yield from _batches(unzipped, shown, max_line, limit)
        else:
            yield from _batches(raw, shown, max_line, None)
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


def _batches(stream: _Readable, shown: str, max_line: int, limit: int | None) -> Iterator[LineBatch | ScanError]:
    number = 0  # lines passed on so far (an overlong line counts)
    carry = b""  # the start of a line not finished yet
    skipping = False  # inside an overlong line: drop bytes up to its line break
    total = 0
    chunk_size = min(_READ_CHUNK, max_line)
    while True:
        try:
            chunk = stream.read(chunk_size)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            reason = ("ends early (cut short, or still being written)" if isinstance(exc, EOFError)
                      else f"is broken ({exc})")
            if carry:
                yield (number + 1, [carry], False)
            yield ScanError(shown, number + 1, f"gzip stream {reason}; the lines before it were read")
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
        if lines and len(lines[0]) > max_line:  # only the first can have grown past the bound
            number += 1
            yield ScanError(shown, number, f"line longer than {max_line // 1024} KiB: skipped")
            del lines[0]
        if lines:
            yield (number + 1, lines, True)
            number += len(lines)
        if len(carry) > max_line:
            number += 1
            yield ScanError(shown, number, f"line longer than {max_line // 1024} KiB: skipped")
            carry, skipping = b"", True
    if carry:
        yield (number + 1, [carry], False)
