"""Volume types (restricted): only volumes that do not reach into the node or the network directly."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.podsecurity.controls.base import Control, Hit, PodView, mapping, sequence, text
from pluto_py.podsecurity.standards import ControlRule


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    for index, volume in enumerate(sequence(pod.spec.get("volumes"))):
        sources = [str(key) for key, value in mapping(volume).items() if key != "name" and value is not None]
        if not sources or any(source in rule.allowed for source in sources):
            continue  # a volume without a source is defaulted to emptyDir by the API server
        yield Hit((*pod.spec_path, "volumes", index, sources[0]),
                  f"volume {text(mapping(volume).get('name'))!r} is of type {sources[0]}")


CONTROL = Control("restrictedVolumes", "1.0", check)
