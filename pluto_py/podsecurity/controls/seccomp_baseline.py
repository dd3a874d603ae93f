"""Seccomp (baseline): a profile, where one is set, is the runtime's default or one on the node —
never Unconfined.

Up to policy version 1.18 the standard reads the alpha annotations; from 1.19 the securityContext
fields. The API server of 1.19 to 1.26 copied an annotation into the unset field when it created a
pod, so there an annotation still counts; from 1.27 annotations are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from pluto_py.core.model import NodePath
from pluto_py.podsecurity.controls.base import ContainerRef, Control, Hit, PodView, mapping, text
from pluto_py.podsecurity.standards import SECCOMP_ANNOTATIONS_COPIED as COPIED
from pluto_py.podsecurity.standards import ControlRule

POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"
ANNOTATIONS = "annotations"


class Profile(NamedTuple):
    """A seccomp profile type in effect, and where it was written."""

    type: str  # RuntimeDefault, Localhost, Unconfined, or whatever was written
    field: NodePath
    from_annotation: bool

    def describe(self) -> str:
        if self.from_annotation:
            return f"{self.type} (from annotation {self.field[-1]}, copied by the API server)"
        return self.type


def annotation_type(value: str) -> str:
    """The field type the API server wrote for an annotation value (1.19-1.26)."""
    if value in ("runtime/default", "docker/default"):
        return "RuntimeDefault"
    if value == "unconfined":
        return "Unconfined"
    if value.startswith("localhost/"):
        return "Localhost"
    return value


def pod_profile(pod: PodView, rule: ControlRule) -> Profile | None:
    if pod.security.get("seccompProfile") is not None:
        return Profile(text(mapping(pod.security.get("seccompProfile")).get("type")),
                       (*pod.security_path, "seccompProfile", "type"), False)
    value = pod.annotations.get(POD_ANNOTATION)
    if COPIED in rule.behaviour and value is not None:
        return Profile(annotation_type(text(value)), pod.annotation_path(POD_ANNOTATION), True)
    return None


def container_profile(pod: PodView, container: ContainerRef, rule: ControlRule) -> Profile | None:
    if container.security.get("seccompProfile") is not None:
        return Profile(text(mapping(container.security.get("seccompProfile")).get("type")),
                       (*container.security_path, "seccompProfile", "type"), False)
    key = CONTAINER_ANNOTATION_PREFIX + container.name
    value = pod.annotations.get(key)
    # Ephemeral containers never took a profile from an annotation (KEP-135).
    if COPIED in rule.behaviour and value is not None and container.list_key != "ephemeralContainers":
        return Profile(annotation_type(text(value)), pod.annotation_path(key), True)
    return None


def ignored_annotations(pod: PodView) -> list[str]:
    """The seccomp annotations a pod carries (ignored from 1.27)."""
    return [str(key) for key in pod.annotations
            if key == POD_ANNOTATION or str(key).startswith(CONTAINER_ANNOTATION_PREFIX)]


def check(pod: PodView, rule: ControlRule) -> Iterator[Hit]:
    if ANNOTATIONS in rule.behaviour:
        keys = [POD_ANNOTATION, *(CONTAINER_ANNOTATION_PREFIX + c.name for c in pod.containers)]
        for key in keys:
            value = pod.annotations.get(key)
            if value is not None and not rule.allows(text(value)):
                yield Hit(pod.annotation_path(key), f"annotation {key} is {text(value)!r}")
        return
    profiles = [("the pod", pod_profile(pod, rule))]
    profiles += [(c.describe(), container_profile(pod, c, rule)) for c in pod.containers]
    for who, profile in profiles:
        if profile is not None and profile.type not in rule.allowed_types:
            yield Hit(profile.field, f"{who} sets seccomp profile {profile.describe()}")


CONTROL = Control("seccompProfile_baseline", "1.0", check)
