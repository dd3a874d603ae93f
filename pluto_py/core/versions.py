"""Kubernetes release versions, compared as major.minor.

Every spelling users meet means the same release: ``1.22``, ``v1.22``, ``1.22.3``,
``v1.22.0-eks-1``, ``v1.28.3-gke.1203001``, ``v1.27.4+k3s1``. Patch levels and
distribution suffixes are ignored because API availability and the skew policy are
defined per minor release.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_VERSION_RE = re.compile(
    r"""^\s*v?(?P<major>0|[1-9][0-9]{0,3})\.(?P<minor>0|[1-9][0-9]{0,3})
        (?:\.(?P<patch>[0-9]{1,6}))?   # patch, ignored
        (?:[-+][0-9A-Za-z.+_-]*)?\s*$  # pre-release / build / vendor suffix, ignored
    """,
    re.VERBOSE,
)


class VersionError(ValueError):
    """A string that is not a Kubernetes version."""


class KubeVersion(NamedTuple):
    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    def bump(self, minors: int = 1) -> KubeVersion:
        """The release ``minors`` minors later (or earlier when negative), within this major."""
        return KubeVersion(self.major, self.minor + minors)

    def minus(self, other: KubeVersion) -> int:
        """How many minor releases ``self`` is ahead of ``other`` (same major assumed, as in k8s 1.x)."""
        if self.major != other.major:
            # Kubernetes has only ever had major 1; a different major is treated as far apart.
            return (self.major - other.major) * 1000 + (self.minor - other.minor)
        return self.minor - other.minor


def parse_version(text: str) -> KubeVersion:
    """Parse any common spelling of a Kubernetes version into major.minor.

    Raises VersionError with a message fit to show a user.
    """
    if not isinstance(text, str):
        raise VersionError(f"not a Kubernetes version: {text!r} (expected a string like 1.22)")
    match = _VERSION_RE.match(text)
    if match is None:
        raise VersionError(
            f"not a Kubernetes version: {text!r} (expected e.g. 1.22, v1.22, 1.22.3 or v1.22.0-eks-1)"
        )
    return KubeVersion(int(match["major"]), int(match["minor"]))


def format_version(version: KubeVersion | None) -> str | None:
    """The contract's spelling of a version ("1.22"), or None."""
    return None if version is None else str(version)
