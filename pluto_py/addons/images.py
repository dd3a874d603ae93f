"""Container image references as Kubernetes manifests spell them, and the add-on version in a tag.

``registry.k8s.io/autoscaling/cluster-autoscaler:v1.20.0``, ``istio/pilot:1.10.3`` (Docker Hub without
its registry), ``nginx`` (Docker Hub's ``library/``), ``602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/
coredns:v1.8.7-eksbuild.3``, ``controller:v1.1.0@sha256:...`` (a tag pinned by digest) and
``controller@sha256:...`` (a digest alone: no version to read).
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import NamedTuple

# The shipped support data (data/addon_support.yaml): here, so that the scan's cheap test of image names
# (addons/judge.py) reads it without importing the support module.
SUPPORT_FILE = "addon_support.yaml"

DOCKER_HUB = "docker.io"
_DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"})
# The release numbers at the start of a tag: v1.20.0, 1.8.7-eksbuild.1, v1.28.1-minimal-eksbuild.1, 1.10.3-distroless.
_TAG_VERSION = re.compile(r"^v?(\d{1,6})\.(\d{1,6})(?:\.(\d{1,6}))?(?:[-+_.][0-9A-Za-z.+_-]*)?$")
_PRERELEASE = re.compile(r"^[-.]?(alpha|beta|rc|pre|dev)", re.IGNORECASE)


class ImageRef(NamedTuple):
    registry: str  # docker.io for Docker Hub
    repository: str  # path within the registry: library/nginx, istio/pilot
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}"


def parse_image(text: str) -> ImageRef | None:
    """The parts of an image reference; None for text that is not one (empty, a template, spaces)."""
    value = text.strip()
    if not value or any(c.isspace() for c in value) or "{" in value or "$" in value:
        return None
    digest = None
    if "@" in value:
        value, _, digest = value.partition("@")
    tag = None
    last_slash = value.rfind("/")
    colon = value.rfind(":")
    if colon > last_slash:  # a ':' after the last '/' starts the tag (one before it is a registry port)
        value, tag = value[:colon], value[colon + 1:]
    parts = value.split("/")
    if not all(parts):
        return None
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        registry, path = parts[0].lower(), parts[1:]
    else:
        registry, path = DOCKER_HUB, parts
    if registry in _DOCKER_HUB_ALIASES:
        registry = DOCKER_HUB
        if len(path) == 1:
            path = ["library", *path]
    return ImageRef(registry, "/".join(path).lower(), tag or None, digest or None)


def matches(image: ImageRef, pattern: str) -> bool:
    """Whether ``image`` is ``pattern`` (registry/repository; '*' stands for text within one part)."""
    wanted = pattern.split("/")
    actual = image.name.split("/")
    return len(wanted) == len(actual) and all(fnmatchcase(a, w) for a, w in zip(actual, wanted, strict=True))


def version_in_tag(tag: str | None) -> str | None:
    """The release a tag names ('1.20.0' for v1.20.0, '1.8.7' for v1.8.7-eksbuild.3), or None (latest,
    a branch name, a pre-release: no version to judge by)."""
    if not tag:
        return None
    match = _TAG_VERSION.match(tag)
    if match is None:
        return None
    rest = tag[match.end(3) if match.group(3) else match.end(2):]
    if _PRERELEASE.match(rest):
        return None
    return ".".join(part for part in match.groups() if part is not None)


def repository_basename(text: str) -> str:
    """The last path part of an image reference, without tag or digest ('coredns' for
    ``k8s.gcr.io/coredns:1.7.0``): a cheap key for deciding whether a document may run an add-on."""
    value = text.strip().strip("\"'").partition("@")[0]
    last = value.rsplit("/", 1)[-1]
    return last.partition(":")[0].lower()
