"""The escaper of shown text, where the report layer's renderers (bluegreen, preflight, podsecurity)
import it from: the one in core/escape.py (control characters, bidirectional overrides and lone
surrogates written as visible escapes)."""

from __future__ import annotations

from pluto_py.core.escape import printable

__all__ = ["printable"]
