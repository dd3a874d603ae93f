"""HostPath volumes (baseline)."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.podsecurity.controls.base import Control, Hit, PodView, mapping, sequence, text
from pluto_py.podsecurity.standards import ControlRule


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    for index, volume in enumerate(sequence(pod.spec.get("volumes"))):
        if mapping(volume).get("hostPath") is not None:
            yield Hit((*pod.spec_path, "volumes", index, "hostPath"),
                      f"volume {text(mapping(volume).get('name'))!r} is a hostPath volume")


CONTROL = Control("hostPathVolumes", "1.0", check)
