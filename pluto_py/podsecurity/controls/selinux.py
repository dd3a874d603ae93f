"""SELinux (baseline): only the container types; a custom user or role is forbidden."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pluto_py.model import NodePath
from pluto_py.podsecurity.controls.base import Control, Hit, PodView, mapping, text
from pluto_py.podsecurity.standards import ControlRule


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    yield from _options(pod.security, pod.security_path, "the pod", rule)
    for container in pod.containers:
        yield from _options(container.security, container.security_path, container.describe(), rule)


def _options(security: Mapping[str, Any], path: NodePath, who: str, rule: ControlRule) -> Iterator[Hit]:
    if security.get("seLinuxOptions") is None:
        return
    options = mapping(security.get("seLinuxOptions"))
    where = (*path, "seLinuxOptions")
    selinux_type = text(options.get("type"))
    if selinux_type not in rule.allowed:
        yield Hit((*where, "type"), f"{who} sets seLinuxOptions.type to {selinux_type}")
    for key in ("user", "role"):
        if text(options.get(key)):
            yield Hit((*where, key), f"{who} sets seLinuxOptions.{key}")


CONTROL = Control("seLinuxOptions", "1.0", check)
