"""Running as non-root user (restricted, from 1.23): runAsUser is never 0. From 1.35 a pod in a user
namespace is exempt."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.podsecurity.controls.base import Control, Hit, PodView, exempt
from pluto_py.podsecurity.standards import ControlRule


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    if exempt(pod, rule):
        return
    if _is_zero(pod.security.get("runAsUser")):
        yield Hit((*pod.security_path, "runAsUser"), "the pod sets runAsUser=0")
    for container in pod.containers:
        if _is_zero(container.security.get("runAsUser")):
            yield Hit((*container.security_path, "runAsUser"), f"{container.describe()} sets runAsUser=0")


def _is_zero(value: object) -> bool:
    return value == 0 and not isinstance(value, bool)


CONTROL = Control("runAsUser", "1.23", check)
