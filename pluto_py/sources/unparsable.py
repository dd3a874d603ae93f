"""What a file that does not parse is: a broken manifest, a template of manifests, or no manifest at all.

pre-commit hands the scan hook every YAML and JSON file of a commit, and a repository holds many that
are not Kubernetes manifests and are not plain YAML or JSON either: JSON with comments (tsconfig.json,
.vscode/settings.json, .devcontainer.json), Jinja/Ansible YAML, Go-templated YAML, a ``.tpl`` outside a
chart. Only a broken *manifest* makes the scan incomplete. A cheap textual test decides, on the text of
a file whose parse failed (nothing is paid on the path of files that parse):

* **manifest-looking** (``looks_like_manifest``): top-level ``apiVersion:`` and ``kind:`` keys, a JSON
  ``"apiVersion"`` key, or a flow mapping holding ``apiVersion:``;
* **templated** (``looks_templated``): Go (``{{``) or Jinja (``{%``) template syntax.

A manifest-looking file that is not templated and does not parse is an error, as before (exit 2). A
templated manifest-looking file is read like a chart template without Helm (sources/helm.py's static
reading: the ``apiVersion``/``kind`` it writes literally; findings inside ``{{ if }}``/``with``/``range``
blocks are marked ``context["conditional"]``), with source ``template`` (never rewritten by ``fix``) and
one ``manifest-template`` note. Any other file that does not parse is not a manifest: one
``not-a-manifest`` note for the file, never an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from pluto_py.core.model import NOTICE_INFO, SOURCE_TEMPLATE, Document, Notice, ScanError
from pluto_py.core.prescan import TEMPLATE_MARKERS

NOT_A_MANIFEST = "not-a-manifest"
MANIFEST_TEMPLATE = "manifest-template"

_TOP_API_VERSION = re.compile(r"""^(?:apiVersion|"apiVersion"|'apiVersion')[ \t]*:""", re.MULTILINE)
_TOP_KIND = re.compile(r"""^(?:kind|"kind"|'kind')[ \t]*:""", re.MULTILINE)
_FLOW_API_VERSION = re.compile(r"[{,][ \t]*apiVersion[ \t]*:")
MAX_REASON_CHARS = 160


def looks_like_manifest(text: str) -> bool:
    """Whether ``text`` declares Kubernetes objects, judged from its keys without parsing it."""
    if '"apiVersion"' in text:
        return True
    if _TOP_API_VERSION.search(text) and _TOP_KIND.search(text):
        return True
    return _FLOW_API_VERSION.search(text) is not None


def looks_templated(text: str) -> bool:
    """Whether ``text`` holds Go or Jinja template syntax."""
    return any(marker in text for marker in TEMPLATE_MARKERS)


def not_a_manifest(path: str, error: ScanError) -> Notice:
    """The one note for a file that is neither valid YAML/JSON nor a manifest."""
    reason = " ".join(error.message.split())
    if len(reason) > MAX_REASON_CHARS:
        reason = reason[: MAX_REASON_CHARS - 3] + "..."
    return Notice(path, error.line, NOT_A_MANIFEST,
                  f"not a Kubernetes manifest (no top-level apiVersion and kind) and not plain YAML/JSON "
                  f"({reason}): skipped", level=NOTICE_INFO)


def template_documents(path: str, text: str) -> Iterator[Document | Notice]:
    """A templated manifest file, read statically: its literal apiVersions, and one note saying so."""
    from pluto_py.sources.helm import ENGINE_STATIC, static_documents

    found = 0
    for document in static_documents(path, path, text, {"engine": ENGINE_STATIC}):
        found += 1
        yield replace(document, source=SOURCE_TEMPLATE, template=None)
    yield Notice(path, None, MANIFEST_TEMPLATE,
                 f"a template (Go or Jinja syntax), not plain YAML: read statically, {found} object"
                 f"{'' if found == 1 else 's'} with a literal apiVersion and kind found (computed ones are "
                 "not seen; scan the rendered output for those)", level=NOTICE_INFO)
