"""SELinux (baseline): only the container types; a custom user or role is forbidden."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.podsecurity.controls.base import Control, Hit, PodView, mapping, text
from pluto_py.podsecurity.standards import ControlRule


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    for security, path, who in pod.security_contexts():
        if security.get("seLinuxOptions") is None:
            continue
        options = mapping(security.get("seLinuxOptions"))
        where = (*path, "seLinuxOptions")
        selinux_type = text(options.get("type"))
        if selinux_type not in rule.allowed:
            yield Hit((*where, "type"), f"{who} sets seLinuxOptions.type to {selinux_type}")
        for key in ("user", "role"):
            if text(options.get(key)):
                yield Hit((*where, key), f"{who} sets seLinuxOptions.{key}")


CONTROL = Control("seLinuxOptions", "1.0", check)
