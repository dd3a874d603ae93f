"""Capabilities (restricted, from 1.22): every container drops ALL and adds at most
NET_BIND_SERVICE. Windows pods are exempt from 1.25."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.podsecurity.controls.base import Control, Hit, PodView, exempt, mapping, sequence, text
from pluto_py.podsecurity.standards import ControlRule


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    if exempt(pod, rule):
        return
    for container in pod.containers:
        capabilities = mapping(container.security.get("capabilities"))
        where = (*container.security_path, "capabilities")
        if "ALL" not in [text(item) for item in sequence(capabilities.get("drop"))]:
            yield Hit((*where, "drop"), f"{container.describe()} does not drop ALL capabilities")
        for index, capability in enumerate(sequence(capabilities.get("add"))):
            if text(capability) not in rule.allowed:
                yield Hit((*where, "add", index), f"{container.describe()} adds capability {text(capability)}")


CONTROL = Control("capabilities_restricted", "1.22", check)
