"""Privilege escalation (restricted): every container sets allowPrivilegeEscalation: false (it
defaults to true). Windows pods are exempt from 1.25."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.podsecurity.controls.base import Control, Hit, PodView, exempt
from pluto_py.podsecurity.standards import ControlRule


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    if exempt(pod, rule):
        return
    for container in pod.containers:
        value = container.security.get("allowPrivilegeEscalation")
        if value is not False:
            what = "sets allowPrivilegeEscalation=true" if value is True else \
                "does not set securityContext.allowPrivilegeEscalation=false"
            yield Hit((*container.security_path, "allowPrivilegeEscalation"), f"{container.describe()} {what}")


CONTROL = Control("allowPrivilegeEscalation", "1.8", check)
