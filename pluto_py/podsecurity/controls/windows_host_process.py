"""HostProcess (baseline): Windows HostProcess pods and containers have full access to the node."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.podsecurity.controls.base import Control, Hit, PodView, mapping
from pluto_py.podsecurity.standards import ControlRule


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    if mapping(pod.security.get("windowsOptions")).get("hostProcess") is True:
        yield Hit((*pod.security_path, "windowsOptions", "hostProcess"),
                  "the pod sets securityContext.windowsOptions.hostProcess=true")
    for container in pod.containers:
        if mapping(container.security.get("windowsOptions")).get("hostProcess") is True:
            yield Hit((*container.security_path, "windowsOptions", "hostProcess"),
                      f"{container.describe()} sets securityContext.windowsOptions.hostProcess=true")


CONTROL = Control("windowsHostProcess", "1.0", check)
