"""Host namespaces (baseline): sharing the node's network, PID or IPC namespace."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.podsecurity.controls.base import Control, Hit, PodView
from pluto_py.podsecurity.standards import ControlRule


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.spec.get(key) is True:
            yield Hit((*pod.spec_path, key), f"the pod sets {key}=true")


CONTROL = Control("hostNamespaces", "1.0", check)
