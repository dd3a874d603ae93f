"""/proc mount type (restricted, from 1.35): the unconditional version of the baseline check, which
from 1.35 relaxes for pods in a user namespace."""

from __future__ import annotations

from pluto_py.podsecurity.controls.base import Control
from pluto_py.podsecurity.controls.proc_mount import check

CONTROL = Control("procMount_restricted", "1.35", check)
