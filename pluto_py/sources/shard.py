"""`--shard I/N`: a deterministic partition of the inputs, so CI can fan a monorepo out over runners.

A file belongs to shard ``crc32(relative path) % N + 1``, where the relative path is the file's
path below the scan argument it was found under (the argument itself for a file named on the
command line), with '/' separators and without a leading './'. The same checkout gives the same
partition on every machine, whatever the checkout's absolute location, and every file is in
exactly one shard. Merge the shards' JSON reports with ``kdeprecate merge-reports``.
"""

from __future__ import annotations

import posixpath
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_SHARD = re.compile(r"\s*([0-9]+)\s*/\s*([0-9]+)\s*")


class ShardError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Shard:
    index: int  # 1-based
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """'2/8' -> Shard(2, 8); 1 <= I <= N."""
    match = _SHARD.fullmatch(text)
    if match is None:
        raise ShardError(f"--shard: expected I/N such as 2/8, not {text!r}")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ShardError(f"--shard {text}: need 1 <= I <= N")
    return Shard(index, count)


def _normal(path: str) -> str:
    normal = posixpath.normpath(path.replace("\\", "/"))
    return "" if normal == "." else normal


def relative_path(display: str, roots: Sequence[str]) -> str:
    """``display`` relative to the longest scan argument it lies under (see the module docstring)."""
    path = _normal(display)
    best: str | None = None
    for root in roots:
        normal_root = _normal(root)
        if normal_root == "":
            candidate = path
        elif path.startswith(normal_root + "/"):
            candidate = path[len(normal_root) + 1:]
        else:
            continue
        if best is None or len(candidate) < len(best):
            best = candidate
    if best is None:
        return path.lstrip("/")  # a file named on the command line: its path as given (normalised)
    return best


def shard_of(relative: str, count: int) -> int:
    """The 1-based shard of a relative path."""
    return zlib.crc32(relative.encode("utf-8", "surrogateescape")) % count + 1


def shard_filter(shard: Shard, roots: Sequence[str],
                 then: Callable[[str], bool] | None = None) -> Callable[[str], bool]:
    """A SourceRequest.path_filter keeping the inputs of ``shard`` (and passing ``then``, if given)."""

    def keep(display: str) -> bool:
        if shard_of(relative_path(display, roots), shard.count) != shard.index:
            return False
        return then is None or then(display)

    return keep
