"""Add-on judgement: every container image of a scanned workload that an add-on of the support data
runs is judged against the Kubernetes target. Outside the add-on's documented support: a finding with
``status: "unsupported"`` and an ``addon`` object; a version that cannot be read or judged: a notice.

The scan reaches it through the front in pipeline/hooks.py (``AddonHook``, and the pre-scan's text
test), which imports this module only at the first document or object that names a container image.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from pluto_py.core.model import NOTICE_INFO, STATUS_UNSUPPORTED, Document, Finding, NodePath, Notice
from pluto_py.core.objects import containers_of

if TYPE_CHECKING:
    from pluto_py.addons.support import AddonSupport
    from pluto_py.core.versions import KubeVersion

NOTICE_VERSION_UNKNOWN = "addon-version-unknown"
NOTICE_SUPPORT_UNKNOWN = "addon-support-unknown"

class ScannedObject(Protocol):
    """What the judge needs of a scanned object (the pipeline's Resource has it)."""

    @property
    def document(self) -> Document: ...
    @property
    def data(self) -> Mapping[str, Any]: ...
    @property
    def path(self) -> NodePath: ...  # () for the document itself, ("items", i) for a List item
    @property
    def api_version(self) -> str: ...
    @property
    def kind(self) -> str: ...
    def metadata(self, key: str) -> str | None: ...


@cache
def _basenames() -> frozenset[str]:
    """``load_support().basenames()``, read off the image lists of the shipped data alone: every scan
    whose workloads run images asks for them, and the whole load (parsing every support row, importing
    packaging) costs ~35 ms that a scan without add-ons should not pay (tests/test_addon_support.py
    checks that both agree)."""
    from pluto_py.addons.images import SUPPORT_FILE, repository_basename
    from pluto_py.core.table import builtin_data_path

    names: set[str] = set()
    images_indent: int | None = None  # inside an `images:` list: the key's indentation
    for line in builtin_data_path(SUPPORT_FILE).read_text(encoding="utf-8").splitlines():
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if stripped.startswith("images:"):
            images_indent = indent
        elif images_indent is not None and stripped.startswith("- ") and indent > images_indent:
            names.add(repository_basename(stripped[2:].split(" #")[0]))
        elif stripped and not stripped.startswith("#"):
            images_indent = None
    return frozenset(names)


@cache
def _addon_image_key() -> re.Pattern[str]:
    """An image key whose value is an add-on's image (its last path part is one of ``_basenames()``), or a
    value that cannot be read off the line (a block scalar, alias, tag, or the next line): a document
    without a match runs no add-on, found by one scan in C."""
    names = "|".join(re.escape(name) for name in sorted(_basenames(), key=len, reverse=True))
    return re.compile(r"""image["']?[ \t]*:[ \t]*["']?(?:[|>&*!]|$|(?:[^\s"'#,}\]]*/)?(?i:""" + names
                      + r""")(?:[:@"'\s,}\]#]|$))""", re.MULTILINE)


def may_run_addon(text: str) -> bool:
    """Whether a document's text may name an add-on image (a superset: used to decide what to parse)."""
    if "image" not in text:
        return False
    for match in _addon_image_key().finditer(text):
        start = match.start()
        if not start or not (text[start - 1].isalnum() or text[start - 1] == "_"):
            return True  # (a preceding letter: another key, e.g. `baseImage:`)
    return False


def runs_known_addon(data: Mapping[str, Any]) -> bool:
    """Whether an object runs an image whose last path part is one an add-on uses (a superset)."""
    from pluto_py.addons.images import repository_basename

    names = _basenames()
    return any(repository_basename(image) in names for _, _, image in containers_of(data))


class AddonJudge:
    """Findings for add-ons that do not support the target; notices for what it cannot judge."""

    __slots__ = ("_noticed", "_support", "_target", "notices")

    def __init__(self, target: KubeVersion, support: AddonSupport) -> None:
        self._target = target
        self._support = support
        self.notices: list[Notice] = []
        self._noticed: set[tuple[str, str, str]] = set()

    def judge(self, scanned: ScannedObject) -> list[Finding]:
        """The findings for one scanned object; what cannot be judged goes to ``notices``."""
        from pluto_py.addons.images import version_in_tag
        from pluto_py.addons.support import judge, supported_text

        document = scanned.document
        found: list[Finding] = []
        for image_path, container, image in containers_of(scanned.data):
            recognised = self._support.recognise(image)
            if recognised is None:
                continue
            addon, ref = recognised
            line, column = document.position((*scanned.path, *image_path))
            version = version_in_tag(ref.tag)
            if version is None:
                why = "a digest without a tag" if ref.tag is None else f"tag {ref.tag!r}"
                self._notice(image, Notice(
                    document.path, line, NOTICE_VERSION_UNKNOWN,
                    f"{addon.title} image {image} has {why}, which names no release: whether it supports "
                    f"Kubernetes {self._target} is not checked", NOTICE_INFO, column))
                continue
            verdict = judge(addon, version, self._target)
            if verdict.supported is None:
                self._notice(image, Notice(
                    document.path, line, NOTICE_SUPPORT_UNKNOWN,
                    f"{addon.title} {version} ({image}): {verdict.reason}; its support of Kubernetes "
                    f"{self._target} is not checked ({verdict.source})", NOTICE_INFO, column))
            elif not verdict.supported:
                found.append(self._finding(scanned, container, addon.name, version, image, verdict.kubernetes,
                                           f"{addon.title} {version} supports Kubernetes "
                                           f"{supported_text(verdict.kubernetes)} ({verdict.source})",
                                           verdict.source))
        return found

    def _notice(self, image: str, notice: Notice) -> None:
        """``notice``, once per file, image and code."""
        key = (notice.path, image, notice.code)
        if key not in self._noticed:
            self._noticed.add(key)
            self.notices.append(notice)

    def _finding(self, scanned: ScannedObject, container: str, name: str, version: str, image: str,
                 supported: str | None, notes: str, source: str | None) -> Finding:
        document = scanned.document
        line, column = document.position((*scanned.path, "apiVersion"))
        context = dict(document.context)
        if scanned.path:
            context["item"] = str(scanned.path[-1])
        if container:
            context["container"] = container
        return Finding(
            path=document.path, line=line, column=column, document=document.index, source=document.source,
            template=document.template, api_version=scanned.api_version, kind=scanned.kind,
            name=scanned.metadata("name"), namespace=scanned.metadata("namespace"), status=STATUS_UNSUPPORTED,
            deprecated_in=None, removed_in=None, replacement=None, replacement_available_in=None,
            component="k8s", fixable=False, target=str(self._target), notes=notes, context=context,
            addon={"name": name, "version": version, "image": image, "supported": supported or "",
                   "source": source or ""},
        )

