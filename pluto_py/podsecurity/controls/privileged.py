"""Privileged containers (baseline)."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.podsecurity.controls.base import Control, Hit, PodView
from pluto_py.podsecurity.standards import ControlRule


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    for container in pod.containers:
        if container.security.get("privileged") is True:
            yield Hit((*container.security_path, "privileged"),
                      f"{container.describe()} sets securityContext.privileged=true")


CONTROL = Control("privileged", "1.0", check)
