"""Seccomp (restricted, from 1.19): every container runs with the runtime's default profile or one on
the node, set on the pod or on the container. Windows pods are exempt from 1.25."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.podsecurity.controls.base import Control, Hit, PodView, exempt
from pluto_py.podsecurity.controls.seccomp_baseline import container_profile, ignored_annotations, pod_profile
from pluto_py.podsecurity.standards import SECCOMP_ANNOTATIONS_COPIED, ControlRule


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    if exempt(pod, rule):
        return
    pod_setting = pod_profile(pod, rule)
    pod_covers = pod_setting is not None and pod_setting.type in rule.allowed_types
    if pod_setting is not None and not pod_covers:
        yield Hit(pod_setting.field, f"the pod sets seccomp profile {pod_setting.describe()}")
    ignored = "" if SECCOMP_ANNOTATIONS_COPIED in rule.behaviour or not ignored_annotations(pod) else \
        " (from 1.27 the API server ignores the seccomp annotations)"
    for container in pod.containers:
        profile = container_profile(pod, container, rule)
        if profile is None:
            if not pod_covers:
                yield Hit((*container.security_path, "seccompProfile", "type"),
                          f"{container.describe()} has no seccomp profile: set securityContext.seccompProfile.type "
                          f"to RuntimeDefault or Localhost on the pod or the container{ignored}")
        elif profile.type not in rule.allowed_types:
            yield Hit(profile.field, f"{container.describe()} sets seccomp profile {profile.describe()}")


CONTROL = Control("seccompProfile_restricted", "1.19", check)
