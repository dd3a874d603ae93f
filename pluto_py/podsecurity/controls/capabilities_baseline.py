"""Capabilities (baseline): adding capabilities beyond the container runtimes' default set."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.podsecurity.controls.base import Control, Hit, PodView, mapping, sequence, text
from pluto_py.podsecurity.standards import ControlRule


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    for container in pod.containers:
        added = sequence(mapping(container.security.get("capabilities")).get("add"))
        for index, capability in enumerate(added):
            if text(capability) not in rule.allowed:
                yield Hit((*container.security_path, "capabilities", "add", index),
                          f"{container.describe()} adds capability {text(capability)}")


CONTROL = Control("capabilities_baseline", "1.0", check)
