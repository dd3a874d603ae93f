"""Host probes and lifecycle hooks (baseline, from 1.34): probes and hooks may not name a host."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pluto_py.podsecurity.controls.base import Control, Hit, PodView, mapping, text
from pluto_py.podsecurity.standards import ControlRule

_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
_HOOKS = ("postStart", "preStop")
_HANDLERS = ("httpGet", "tcpSocket")


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    for container in pod.containers:
        places: list[tuple[tuple[str, ...], Mapping[str, Any]]] = [
            ((probe,), mapping(container.data.get(probe))) for probe in _PROBES]
        lifecycle = mapping(container.data.get("lifecycle"))
        places += [(("lifecycle", hook), mapping(lifecycle.get(hook))) for hook in _HOOKS]
        for where, handler in places:
            for kind in _HANDLERS:
                host = text(mapping(handler.get(kind)).get("host"))
                if host:
                    yield Hit((*container.path, *where, kind, "host"),
                              f"{container.describe()} {'.'.join(where)}.{kind} targets host {host}")


CONTROL = Control("hostProbesAndHostLifecycle", "1.34", check)
