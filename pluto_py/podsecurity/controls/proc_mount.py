"""/proc mount type (baseline): the default /proc masks stay. From 1.35 any value is allowed in a pod
that runs in a user namespace (spec.hostUsers: false)."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.podsecurity.controls.base import Control, Hit, PodView, exempt, text
from pluto_py.podsecurity.standards import ControlRule


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    if exempt(pod, rule):
        return
    for container in pod.containers:
        value = container.security.get("procMount")
        if value is not None and text(value) not in rule.allowed:
            yield Hit((*container.security_path, "procMount"),
                      f"{container.describe()} sets securityContext.procMount to {text(value)}")


CONTROL = Control("procMount", "1.0", check)
