"""AppArmor (baseline): a profile may be the runtime's default or one loaded on the node, never
``unconfined``. The beta annotations are checked at every version; the securityContext field
(added in 1.30) from 1.30."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.podsecurity.controls.base import Control, Hit, PodView, mapping, text
from pluto_py.podsecurity.standards import APPARMOR_FIELD, ControlRule

ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    for key, value in pod.annotations.items():
        if str(key).startswith(ANNOTATION_PREFIX) and not rule.allows(text(value)):
            yield Hit(pod.annotation_path(str(key)), f"annotation {key} is {text(value)!r}")
    if APPARMOR_FIELD not in rule.behaviour:
        return  # before 1.30 the API server has no appArmorProfile field
    for security, path, who in pod.security_contexts():
        if security.get("appArmorProfile") is None:
            continue
        profile_type = text(mapping(security.get("appArmorProfile")).get("type"))
        if profile_type not in rule.allowed_types:
            yield Hit((*path, "appArmorProfile", "type"), f"{who} sets securityContext.appArmorProfile.type to "
                                                          f"{profile_type or '(empty)'}")


CONTROL = Control("appArmorProfile", "1.0", check)
