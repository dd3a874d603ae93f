"""`kdeprecate fix`: rewrite objects to their replacement API, changing nothing else.

The library returns FixResult records and never prints; pluto_py.cli.fix presents them.
"""

from __future__ import annotations

from pluto_py.core.userfiles import write_atomic
from pluto_py.fix.engine import (
    EMBEDDED,
    FAILED,
    MIGRATED,
    NEEDS_HUMAN,
    TEMPLATE,
    FileFixer,
    FixOptions,
    FixResult,
    ObjectFix,
)
from pluto_py.fix.run import fix_paths

__all__ = ["EMBEDDED", "FAILED", "MIGRATED", "NEEDS_HUMAN", "TEMPLATE", "FileFixer", "FixOptions", "FixResult",
           "ObjectFix", "fix_paths", "write_atomic"]
