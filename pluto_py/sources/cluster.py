"""Dumps of a live cluster: what was *applied*, and Helm release records.

``kubectl get ... -o yaml|json`` returns every object in whatever version the client asked for,
so the apiVersion of a live object says nothing about what its owners wrote. For live objects
(they carry ``metadata.uid``, ``resourceVersion`` or ``managedFields``) this source reports the
configuration that was applied, as recorded in an annotation (``kubectl.kubernetes.io/last-applied-
configuration`` by default; kapp's ``kapp.k14s.io/original`` and others can be added). A live
object without such an annotation is not reported.

Helm release records (Secrets of type ``helm.sh/release.v1``, and the ConfigMap storage driver,
both labelled ``owner=helm``) are decoded — base64 of the Secret, then Helm's base64, gzip and
JSON, with bounds against decompression bombs — and the objects of the release manifest and of
its hooks are reported, for the latest deployed revision of each release only: older revisions
are history, not state. These are what makes ``helm upgrade`` fail once the cluster no longer
serves an API the last release used (remedy: the helm-mapkubeapis plugin).

Secret values are never reported nor echoed in messages: only apiVersion, kind, name and
namespace of the objects a release manifest declares.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pluto_py.core.model import (
    SOURCE_HELM_RELEASE,
    SOURCE_LAST_APPLIED,
    Document,
    Position,
    ScanError,
)
from pluto_py.core.objects import DocumentObject, objects_of
from pluto_py.core.parse import DocumentError, JsonPositionParser, compose_yaml, parse_yaml_stream
from pluto_py.core.prescan import DEFAULT_ANNOTATIONS, LIVE_METADATA_KEYS, RELEASE_KINDS

LAST_APPLIED = DEFAULT_ANNOTATIONS[0]  # "kubectl.kubernetes.io/last-applied-configuration"
HELM_SECRET_TYPE = "helm.sh/release.v1"
REMEDY = "helm-mapkubeapis"
UPGRADE_NOTE = ("recorded in a Helm release: `helm upgrade` fails once the cluster no longer serves this API; "
                "fix the chart, and rewrite the release record with helm-mapkubeapis")
# Helm diffs an upgrade against the release's manifest only; the recorded hooks are replaced by the
# new chart's hooks, and helm-mapkubeapis does not rewrite them either.
HOOK_NOTE = ("a hook recorded in a Helm release: it does not block `helm upgrade` (the new chart's hooks "
             "run instead); fix the hook in the chart")

# Bounds for decoding a release record (Helm itself caps a release at 1 MiB in a Secret).
MAX_RECORD_CHARS = 64 * 1024 * 1024
MAX_RELEASE_BYTES = 64 * 1024 * 1024  # decompressed JSON
MAX_RATIO = 200  # decompressed/compressed, beyond the first MiB
_RATIO_FREE_BYTES = 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b\x08"

_RELEASE_SECRET_NAME = re.compile(r"^sh\.helm\.release\.v1\.(?P<name>.+)\.v(?P<revision>[0-9]+)$")

# Kinds of the built-in API that are cluster-scoped: Helm does not give them the release's
# namespace, so neither do we. (Kinds, not API versions: scope does not change between versions.)
CLUSTER_SCOPED_KINDS = frozenset({
    "APIService", "CertificateSigningRequest", "ClusterRole", "ClusterRoleBinding", "ClusterTrustBundle",
    "ComponentStatus", "CSIDriver", "CSINode", "CustomResourceDefinition", "DeviceClass", "FlowSchema",
    "IngressClass", "IPAddress", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
    "MutatingWebhookConfiguration", "Namespace", "Node", "PersistentVolume", "PodSecurityPolicy",
    "PriorityClass", "PriorityLevelConfiguration", "ResourceSlice", "RuntimeClass", "SelfSubjectAccessReview",
    "SelfSubjectReview", "SelfSubjectRulesReview", "ServiceCIDR", "StorageClass", "StorageVersion",
    "StorageVersionMigration", "SubjectAccessReview", "TokenReview", "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration", "VolumeAttachment",
    "VolumeAttributesClass",
})


class ReleaseDecodeError(ValueError):
    """A Helm release record that cannot be decoded (the message never contains its data)."""


# --- recognising objects -----------------------------------------------------------------------


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def is_live_object(obj: Mapping[str, Any]) -> bool:
    """An object read from a cluster, not a manifest someone wrote."""
    metadata = _mapping(obj.get("metadata"))
    return any(metadata.get(key) not in (None, "", []) for key in LIVE_METADATA_KEYS)


@dataclass(frozen=True, slots=True)
class ReleaseRecord:
    """What the labels and name of a Helm storage object say, before decoding it."""

    storage: str  # "secret" or "configmap"
    object_name: str
    namespace: str | None
    name: str | None  # the release's name
    revision: int | None
    status: str | None

    @property
    def key(self) -> tuple[str | None, str | None]:
        return (self.namespace, self.name)


def release_record_of(obj: Mapping[str, Any]) -> ReleaseRecord | None:
    """The release record a Secret/ConfigMap holds, or None when it is not one."""
    kind = obj.get("kind")
    if obj.get("apiVersion") != "v1" or kind not in RELEASE_KINDS:
        return None
    metadata = _mapping(obj.get("metadata"))
    labels = _mapping(metadata.get("labels"))
    data = _mapping(obj.get("data"))
    if not isinstance(data.get("release"), str):
        return None
    helm_owned = labels.get("owner") == "helm" or labels.get("OWNER") == "TILLER"
    if kind == "Secret":
        if obj.get("type") != HELM_SECRET_TYPE and not helm_owned:
            return None
    elif not helm_owned:
        return None
    object_name = _text(metadata.get("name")) or ""
    name = _text(labels.get("name")) or _text(labels.get("NAME"))
    revision_text = _text(labels.get("version")) or _text(labels.get("VERSION"))
    matched = _RELEASE_SECRET_NAME.match(object_name)
    if matched:
        name = name or matched.group("name")
        revision_text = revision_text or matched.group("revision")
    revision = int(revision_text) if revision_text and revision_text.isdigit() else None
    status = _text(labels.get("status")) or _text(labels.get("STATUS"))
    return ReleaseRecord("secret" if kind == "Secret" else "configmap", object_name,
                         _text(metadata.get("namespace")), name, revision, status.lower() if status else None)


def choose_revisions(records: Iterable[ReleaseRecord]) -> dict[tuple[str | None, str | None], int | None]:
    """Per release: the latest deployed revision, or the latest one when none is deployed."""
    by_release: dict[tuple[str | None, str | None], list[ReleaseRecord]] = {}
    for record in records:
        by_release.setdefault(record.key, []).append(record)
    chosen: dict[tuple[str | None, str | None], int | None] = {}
    for key, group in by_release.items():
        deployed = [r for r in group if r.status == "deployed"]
        pool = deployed or group
        chosen[key] = max((r.revision for r in pool if r.revision is not None), default=None)
    return chosen


# --- decoding a release ------------------------------------------------------------------------


def _b64decode(text: str, what: str) -> bytes:
    if len(text) > MAX_RECORD_CHARS:
        raise ReleaseDecodeError(f"{what} is larger than {MAX_RECORD_CHARS // (1024 * 1024)} MiB")
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ReleaseDecodeError(f"{what} is not valid base64 ({exc})") from None


def _gunzip_bounded(data: bytes) -> bytes:
    limit = min(MAX_RELEASE_BYTES, max(_RATIO_FREE_BYTES, len(data) * MAX_RATIO))
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(data, limit + 1)
    except zlib.error as exc:
        raise ReleaseDecodeError(f"gzip data is corrupt ({exc})") from None
    if len(out) > limit or decompressor.unconsumed_tail:
        raise ReleaseDecodeError(
            f"gzip data expands beyond {limit} bytes (a decompression bomb, or a release larger than "
            f"{MAX_RELEASE_BYTES // (1024 * 1024)} MiB)")
    if not decompressor.eof:
        raise ReleaseDecodeError("gzip data is truncated")
    return out


def decode_release(value: str, storage: str) -> dict[str, Any]:
    """The release JSON of a record's ``data.release``. Raises ReleaseDecodeError.

    A Secret's data is base64 (Kubernetes) of Helm's base64 of gzip of JSON; a ConfigMap holds
    Helm's base64 directly. Helm stores uncompressed JSON when it is not gzip; so do we read it.
    """
    helm_text: str
    if storage == "secret":
        try:
            helm_text = _b64decode(value, "the Secret's data.release").decode("ascii")
        except UnicodeDecodeError:
            raise ReleaseDecodeError("the Secret's data.release does not hold Helm's base64 text") from None
    else:
        helm_text = value
    payload = _b64decode(helm_text, "the release data")
    if payload.startswith(_GZIP_MAGIC):
        payload = _gunzip_bounded(payload)
    elif len(payload) > MAX_RELEASE_BYTES:
        raise ReleaseDecodeError(f"release larger than {MAX_RELEASE_BYTES // (1024 * 1024)} MiB")
    try:
        release = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
        raise ReleaseDecodeError(f"the release is not valid JSON ({reason})") from None
    if not isinstance(release, dict):
        raise ReleaseDecodeError("the release is not a JSON object")
    return release


# --- the expander --------------------------------------------------------------------------------


def _release_records(document: Document) -> list[ReleaseRecord]:
    return [record for record in (release_record_of(item.data) for item in objects_of(document.data))
            if record is not None]


def _describe(obj: Mapping[str, Any]) -> str:
    metadata = _mapping(obj.get("metadata"))
    name = _text(metadata.get("name")) or "<unnamed>"
    namespace = _text(metadata.get("namespace"))
    where = f"{namespace}/{name}" if namespace else name
    return f"{obj.get('kind', 'object')} {where}"


def _with_namespace(data: Any, namespace: str | None) -> Any:
    """``data`` with metadata.namespace defaulted for a namespaced object."""
    if namespace is None or not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        return data
    if data["kind"] in CLUSTER_SCOPED_KINDS:
        return data
    metadata = data.get("metadata")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict) or metadata.get("namespace") not in (None, ""):
        return data
    return {**data, "metadata": {**metadata, "namespace": namespace}}


@dataclass
class ClusterExpander:
    """A ``DocumentExpander`` for cluster dumps: live objects and Helm release records.

    Pass it to ``scan_stream(..., expanders=[expander])``. To keep only the latest deployed
    revision of a release whose records are spread over several documents, pass the document
    stream through ``prepare`` first (it reads the whole stream); without it the choice is made
    within each document (``kubectl get -o yaml`` prints one ``List``).
    """

    annotations: Sequence[str] = DEFAULT_ANNOTATIONS
    releases: bool = True  # decode Helm release records
    _chosen: dict[tuple[str | None, str | None], int | None] | None = field(default=None, repr=False)

    def prepare(self, items: Iterable[Document | ScanError]) -> Iterator[Document | ScanError]:
        """The same stream, after choosing each release's revision across all of it.

        Documents are passed on as they come until the first one that holds a Helm release record;
        from there on the rest of the stream is read before anything more is passed on (the
        choice needs every record). A stream without release records is never held in memory.
        """
        stream = iter(items)
        for item in stream:
            if isinstance(item, Document) and _release_records(item):
                buffered = [item, *stream]
                self._chosen = choose_revisions(
                    record for held in buffered if isinstance(held, Document) for record in _release_records(held))
                yield from buffered
                return
            yield item  # no release record so far: nothing to choose for this one
        self._chosen = {}

    def __call__(self, document: Document) -> Iterable[Document | ScanError] | None:
        objects = objects_of(document.data)
        handled: list[tuple[DocumentObject, ReleaseRecord | None]] = []
        for item in objects:
            record = release_record_of(item.data) if self.releases else None
            if record is not None or is_live_object(item.data):
                handled.append((item, record))
        if not handled:
            return None
        chosen = self._chosen
        if chosen is None:
            chosen = choose_revisions(record for _, record in handled if record is not None)
        out: list[Document | ScanError] = []
        handled_paths = {item.path for item, _ in handled}
        if () not in handled_paths:
            # A List with some items of its own (not live, not releases): scan them as they are.
            items = list(document.data["items"])
            for path in handled_paths:
                items[int(path[1])] = None
            out.append(Document(document.path, document.index, document.line, {**document.data, "items": items},
                                document.positions, document.source, document.template, document.context))
        for item, record in handled:
            if record is not None:
                if self._chosen is None and record.status == "superseded":
                    continue  # history, whatever else this document holds
                if chosen.get(record.key) == record.revision:
                    out.extend(self._release_documents(document, item, record))
            else:
                out.extend(self._last_applied(document, item))
        return out

    # last-applied --------------------------------------------------------------------------

    def _last_applied(self, document: Document, item: DocumentObject) -> Iterator[Document | ScanError]:
        metadata = _mapping(item.data.get("metadata"))
        annotations = _mapping(metadata.get("annotations"))
        for annotation in self.annotations:
            value = annotations.get(annotation)
            if not isinstance(value, str) or not value.strip():
                continue
            position = document.position((*item.path, "metadata", "annotations", annotation))
            try:
                data = _parse_annotation(value)
            except DocumentError as exc:
                yield ScanError(document.path, position[0],
                                f"{_describe(item.data)}: annotation {annotation} is not valid JSON: {exc.message}")
                return
            if not (isinstance(data, dict) and isinstance(data.get("apiVersion"), str)
                    and isinstance(data.get("kind"), str)):
                yield ScanError(document.path, position[0],
                                f"{_describe(item.data)}: annotation {annotation} does not hold an object with "
                                "apiVersion and kind")
                return
            context = {**document.context, "annotation": annotation,
                       "live_api_version": str(item.data.get("apiVersion", ""))}
            if item.path:
                context["item"] = str(item.path[-1])
            yield Document(
                path=document.path, index=document.index, line=position[0],
                data=_with_namespace(data, _text(metadata.get("namespace"))),
                positions={(): position, ("apiVersion",): position},
                source=SOURCE_LAST_APPLIED, template=None, context=context,
            )
            return  # the first configured annotation present wins: one object, one report

    # Helm releases ---------------------------------------------------------------------------

    def _release_documents(self, document: Document, item: DocumentObject,
                           record: ReleaseRecord) -> Iterator[Document | ScanError]:
        position = document.position((*item.path, "data", "release"))
        where = f"Helm release record {record.namespace or '-'}/{record.object_name}"
        try:
            release = decode_release(str(item.data["data"]["release"]), record.storage)
        except ReleaseDecodeError as exc:
            yield ScanError(document.path, position[0], f"{where}: {exc}")
            return
        name = _text(release.get("name")) or record.name or ""
        namespace = _text(release.get("namespace")) or record.namespace
        revision = _text(release.get("version")) or (str(record.revision) if record.revision is not None else "")
        chart_meta = _mapping(_mapping(release.get("chart")).get("metadata"))
        chart = "-".join(p for p in (_text(chart_meta.get("name")), _text(chart_meta.get("version"))) if p)
        status = _text(_mapping(release.get("info")).get("status")) or record.status or ""
        context = {**document.context, "release": name, "revision": revision, "release_namespace": namespace or "",
                   "release_status": status, "chart": chart, "storage": record.storage,
                   "record": record.object_name, "remedy": REMEDY, "note": UPGRADE_NOTE}
        manifest = release.get("manifest")
        if isinstance(manifest, str):
            yield from self._manifest_documents(document, position, manifest, None, None, namespace, context)
        hooks = release.get("hooks")
        for hook in hooks if isinstance(hooks, list) else []:
            hook = _mapping(hook)
            hook_manifest = hook.get("manifest")
            if not isinstance(hook_manifest, str):
                continue
            events = hook.get("events")
            hook_events = ",".join(str(e) for e in events) if isinstance(events, list) else ""
            yield from self._manifest_documents(document, position, hook_manifest, _text(hook.get("path")),
                                                hook_events or "hook", namespace, context)

    def _manifest_documents(self, document: Document, position: Position, manifest: str, template: str | None,
                            hook: str | None, namespace: str | None,
                            context: Mapping[str, str]) -> Iterator[Document | ScanError]:
        for parsed in parse_yaml_stream(manifest, document.path, SOURCE_HELM_RELEASE):
            if isinstance(parsed, ScanError):
                part = "a hook manifest" if hook else "the manifest"
                yield ScanError(document.path, position[0],
                                f"Helm release {context['release']} revision {context['revision']}: {part} is not "
                                f"valid YAML at its line {parsed.line}: {parsed.message}")
                continue
            if parsed.data is None:
                continue
            own_context = dict(context)
            own_context["manifest_line"] = str(parsed.position(("apiVersion",))[0])
            if hook:
                own_context["hook"] = hook
                own_context["note"] = HOOK_NOTE
                own_context.pop("remedy", None)
            yield Document(
                path=document.path, index=document.index, line=position[0],
                data=_with_namespace(parsed.data, namespace),
                positions={(): position, ("apiVersion",): position},
                source=SOURCE_HELM_RELEASE, template=parsed.template or template, context=own_context,
            )


def _parse_annotation(value: str) -> Any:
    """An annotation's configuration: JSON (kubectl, kapp), else YAML. Raises DocumentError."""
    if value.lstrip().startswith("{"):
        data, _ = JsonPositionParser(value).parse()
        return data
    data, _ = compose_yaml(value, 1)
    return data


def cluster_expander(annotations: Sequence[str] | None = None) -> ClusterExpander:
    """The expander to pass to ``scan_stream``; ``annotations`` default to last-applied."""
    return ClusterExpander(annotations=tuple(annotations) if annotations else DEFAULT_ANNOTATIONS)
