"""The scan hook: every container image of every scanned workload that an add-on of the support data
runs is judged against the Kubernetes target. Outside the add-on's documented support: a finding with
``status: "unsupported"`` and an ``addon`` object; a version that cannot be read or judged: a notice.

Nothing here is imported by a plain scan until a workload names an image whose last path part is one
an add-on uses (``may_run_addon``, the pre-scan's test, is a regular expression and a set lookup).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from pluto_py.model import NOTICE_INFO, Finding, NodePath, Notice

if TYPE_CHECKING:
    from pluto_py.addons.support import AddonSupport
    from pluto_py.scan import Resource, Targets
    from pluto_py.table import ApiRow

STATUS_UNSUPPORTED = "unsupported"
NOTICE_VERSION_UNKNOWN = "addon-version-unknown"
NOTICE_SUPPORT_UNKNOWN = "addon-support-unknown"

# Where a pod spec sits in the workload kinds: Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
# ReplicationController (spec.template.spec), CronJob, PodTemplate, Pod.
_POD_SPECS: tuple[NodePath, ...] = (("spec", "template", "spec"), ("spec", "jobTemplate", "spec", "template", "spec"),
                                   ("template", "spec"))
_CONTAINER_LISTS = ("initContainers", "containers")
# An `image:` key and the start of its value, in any YAML or JSON spelling.
_IMAGE_KEY = re.compile(r"""\bimage["']?[ \t]*:[ \t]*["']?([^\s"'#,}\]]*)""")


@cache
def _basenames() -> frozenset[str]:
    from pluto_py.addons.support import load_support

    return load_support().basenames()


def may_run_addon(text: str) -> bool:
    """Whether a document's text may name an add-on image (a superset: used to decide what to parse)."""
    if "image" not in text:
        return False
    from pluto_py.addons.images import repository_basename

    names = _basenames()
    for match in _IMAGE_KEY.finditer(text):
        value = match.group(1)
        if not value or value[0] in "|>&*!" or repository_basename(value) in names:
            return True  # a value elsewhere (next line, block scalar, alias, tag) cannot be ruled out cheaply
    return False


def _pod_specs(data: Mapping[str, Any]) -> Iterator[tuple[NodePath, Mapping[str, Any]]]:
    paths = (*_POD_SPECS, ("spec",)) if data.get("kind") == "Pod" else _POD_SPECS
    for path in paths:
        node: Any = data
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        if isinstance(node, Mapping):
            yield path, node


def containers_of(data: Mapping[str, Any]) -> Iterator[tuple[NodePath, str, str]]:
    """(path of the image value, container name, image) for every container and init container."""
    for path, spec in _pod_specs(data):
        for list_name in _CONTAINER_LISTS:
            containers = spec.get(list_name)
            if not isinstance(containers, list):
                continue
            for index, container in enumerate(containers):
                if isinstance(container, Mapping) and isinstance(container.get("image"), str):
                    yield (*path, list_name, index, "image"), str(container.get("name") or ""), container["image"]


class AddonJudge:
    """A ScanHook: findings for add-ons that do not support the target; notices for what it cannot judge."""

    def __init__(self, targets: Targets, support: AddonSupport) -> None:
        self._target = targets.k8s
        self._support = support
        self.notices: list[Notice] = []
        self._noticed: set[tuple[str, str, str]] = set()

    def on_resource(self, resource: Resource, row: ApiRow | None) -> Iterable[Finding]:
        from pluto_py.addons.images import version_in_tag
        from pluto_py.addons.support import judge, supported_text

        found: list[Finding] = []
        for path, container, image in containers_of(resource.data):
            recognised = self._support.recognise(image)
            if recognised is None:
                continue
            addon, ref = recognised
            version = version_in_tag(ref.tag)
            if version is None:
                why = "a digest without a tag" if ref.tag is None else f"tag {ref.tag!r}"
                self._notice(resource, path, NOTICE_VERSION_UNKNOWN, image,
                             f"{addon.title} image {image} has {why}, which names no release: whether it "
                             f"supports Kubernetes {self._target} is not checked")
                continue
            verdict = judge(addon, version, self._target)
            if verdict.supported is None:
                self._notice(resource, path, NOTICE_SUPPORT_UNKNOWN, image,
                             f"{addon.title} {version} ({image}): {verdict.reason}; its support of Kubernetes "
                             f"{self._target} is not checked ({verdict.source})")
            elif not verdict.supported:
                found.append(self._finding(resource, container, addon.name, version, image, verdict.kubernetes,
                                           f"{addon.title} {version} supports Kubernetes "
                                           f"{supported_text(verdict.kubernetes)} ({verdict.source})",
                                           verdict.source))
        return found

    def finish(self) -> Iterable[Finding]:
        return ()

    def _notice(self, resource: Resource, path: NodePath, code: str, image: str, message: str) -> None:
        document = resource.document
        key = (document.path, image, code)
        if key in self._noticed:
            return
        self._noticed.add(key)
        line, column = document.position((*resource.path, *path))
        self.notices.append(Notice(document.path, line, code, message, NOTICE_INFO, column))

    def _finding(self, resource: Resource, container: str, name: str, version: str, image: str,
                 supported: str | None, notes: str, source: str | None) -> Finding:
        document = resource.document
        line, column = document.position((*resource.path, "apiVersion"))
        context = dict(document.context)
        if resource.path:
            context["item"] = str(resource.path[-1])
        if container:
            context["container"] = container
        return Finding(
            path=document.path, line=line, column=column, document=document.index, source=document.source,
            template=document.template, api_version=resource.api_version, kind=resource.kind,
            name=resource.metadata("name"), namespace=resource.metadata("namespace"), status=STATUS_UNSUPPORTED,
            deprecated_in=None, removed_in=None, replacement=None, replacement_available_in=None,
            component="k8s", fixable=False, target=str(self._target), notes=notes, context=context,
            addon={"name": name, "version": version, "image": image, "supported": supported or "",
                   "source": source or ""},
        )


class LazyAddonJudge:
    """``AddonJudge``, with the support data loaded at the first workload that runs a known add-on image."""

    def __init__(self, targets: Targets) -> None:
        self._targets = targets
        self._judge: AddonJudge | None = None

    @property
    def notices(self) -> list[Notice]:
        return self._judge.notices if self._judge is not None else []

    def on_resource(self, resource: Resource, row: ApiRow | None) -> Iterable[Finding]:
        if self._judge is None:
            from pluto_py.addons.images import repository_basename

            images = [image for _, _, image in containers_of(resource.data)]
            if not images or not any(repository_basename(image) in _basenames() for image in images):
                return ()
            from pluto_py.addons.support import load_support

            self._judge = AddonJudge(self._targets, load_support())
        return self._judge.on_resource(resource, row)

    def finish(self) -> Iterable[Finding]:
        return ()


def addon_advice(finding: Finding) -> str:
    """The reporters' sentence for an add-on finding."""
    addon = finding.addon or {}
    return (f"{addon.get('name')} {addon.get('version')} ({addon.get('image')}) does not support Kubernetes "
            f"{finding.target}: {finding.notes}; upgrade it to a release that supports {finding.target} "
            f"before the cluster")
