"""Running as non-root (restricted): runAsNonRoot: true on the pod (or on every container), and no
container sets it to false. From 1.35 a pod in a user namespace is exempt."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.podsecurity.controls.base import Control, Hit, PodView, exempt
from pluto_py.podsecurity.standards import ControlRule


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    if exempt(pod, rule):
        return
    pod_value = pod.security.get("runAsNonRoot")
    if pod_value is False:
        yield Hit((*pod.security_path, "runAsNonRoot"), "the pod sets runAsNonRoot=false")
    for container in pod.containers:
        value = container.security.get("runAsNonRoot")
        if value is False:
            yield Hit((*container.security_path, "runAsNonRoot"), f"{container.describe()} sets runAsNonRoot=false")
        elif value is None and pod_value is not True:
            yield Hit((*container.security_path, "runAsNonRoot"),
                      f"{container.describe()} may run as root: set securityContext.runAsNonRoot=true on the pod "
                      "or the container")


CONTROL = Control("runAsNonRoot", "1.0", check)
