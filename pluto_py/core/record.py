"""A cheaper stand-in for a frozen dataclass, for records on the scan's start-up path.

Defining a dataclass costs ~0.5 ms at import (it generates and compiles its methods), and a
pre-commit run of `kdeprecate scan` imports every record class of the scan path. A ``Record``
subclass lists its fields in ``_fields`` (in order; ``__slots__`` holds them too) and writes its
own ``__init__``; it gets the ``__eq__``, ``__hash__`` and ``__repr__`` a frozen dataclass would have. Records that
callers copy with ``dataclasses.replace`` or read with ``dataclasses.fields`` stay dataclasses.
"""

from __future__ import annotations

from typing import ClassVar


class Record:
    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{self.__class__.__name__}({fields})"
