"""HostProcess (baseline): Windows HostProcess pods and containers have full access to the node."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.podsecurity.controls.base import Control, Hit, PodView, mapping
from pluto_py.podsecurity.standards import ControlRule


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    for security, path, who in pod.security_contexts():
        if mapping(security.get("windowsOptions")).get("hostProcess") is True:
            yield Hit((*path, "windowsOptions", "hostProcess"),
                      f"{who} sets securityContext.windowsOptions.hostProcess=true")


CONTROL = Control("windowsHostProcess", "1.0", check)
