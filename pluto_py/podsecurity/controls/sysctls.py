"""Sysctls (baseline): only the namespaced, isolated ("safe") set of the release."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.podsecurity.controls.base import Control, Hit, PodView, mapping, sequence, text
from pluto_py.podsecurity.standards import ControlRule


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    for index, sysctl in enumerate(sequence(pod.security.get("sysctls"))):
        name = text(mapping(sysctl).get("name"))
        if name not in rule.allowed:
            yield Hit((*pod.security_path, "sysctls", index, "name"), f"the pod sets sysctl {name}")


CONTROL = Control("sysctls", "1.0", check)
