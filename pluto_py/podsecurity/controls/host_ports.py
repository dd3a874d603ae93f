"""Host ports (baseline)."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.podsecurity.controls.base import Control, Hit, PodView, mapping, sequence
from pluto_py.podsecurity.standards import ControlRule


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    for container in pod.containers:
        for index, port in enumerate(sequence(container.data.get("ports"))):
            host_port = mapping(port).get("hostPort")
            if host_port not in (None, 0, "0", ""):
                yield Hit((*container.path, "ports", index, "hostPort"),
                          f"{container.describe()} uses hostPort {host_port}")


CONTROL = Control("hostPorts", "1.0", check)
