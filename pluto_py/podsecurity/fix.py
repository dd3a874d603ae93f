"""Write the suggested pod-security labels into the Namespace manifests users keep, or as
`kubectl label` commands.

The labels are spliced in by the fix engine (pluto_py.fix): only the bytes that change are written
(a `labels:` mapping is added, in the file's own indentation, when the Namespace has none), the
edited document is parsed again and must hold exactly the new labels, and the file is replaced
atomically. Namespaces read from a cluster dump, a chart or a Helm release are never rewritten:
`--print-commands` covers them.
"""

from __future__ import annotations

import copy
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pluto_py.core.model import SOURCE_FILE, ScanError
from pluto_py.fix.engine import FixResult, editable_documents, node_at, split_encoding
from pluto_py.podsecurity.controls.base import mapping, text
from pluto_py.podsecurity.model import NamespaceReport


def pending_labels(namespace: NamespaceReport) -> dict[str, str]:
    """The suggested labels the namespace does not carry yet (with those values)."""
    return {key: value for key, value in namespace.suggested_labels.items() if namespace.labels.get(key) != value}


def kubectl_commands(namespaces: Iterable[NamespaceReport]) -> list[str]:
    """`kubectl label namespace NS --overwrite k=v ...` for every namespace whose labels differ."""
    commands = []
    for namespace in namespaces:
        labels = pending_labels(namespace)
        if labels:
            pairs = " ".join(shlex.quote(f"{key}={value}") for key, value in labels.items())
            commands.append(f"kubectl label namespace {shlex.quote(namespace.namespace)} --overwrite {pairs}")
    return commands


@dataclass(frozen=True, slots=True)
class Labelled:
    namespace: str
    path: str
    line: int | None
    labels: Mapping[str, str]


@dataclass
class LabelRun:
    results: list[FixResult] = field(default_factory=list)  # one per file edited (FixResult: reuse its diff)
    labelled: list[Labelled] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (namespace, why not)
    errors: list[ScanError] = field(default_factory=list)


def label_manifests(namespaces: Iterable[NamespaceReport], *, write: bool) -> LabelRun:
    """Add the pending labels to each namespace's Namespace manifest; with ``write``, replace the files."""
    from pluto_py.core.userfiles import write_atomic
    from pluto_py.sources.files import FileInput, read_input_bytes

    run = LabelRun()
    by_file: dict[str, dict[str, dict[str, str]]] = {}
    for namespace in namespaces:
        labels = pending_labels(namespace)
        if not labels:
            continue
        manifest = namespace.manifest
        if manifest is None:
            run.skipped.append((namespace.namespace, "no Namespace manifest in the input"))
        elif manifest.live or manifest.source != SOURCE_FILE:
            where = "a live object of a cluster dump" if manifest.live else f"{manifest.source} output"
            run.skipped.append((namespace.namespace, f"its Namespace is {where} ({manifest.path})"))
        else:
            by_file.setdefault(manifest.path, {})[namespace.namespace] = labels
    for path, wanted in sorted(by_file.items()):
        try:
            raw = read_input_bytes(FileInput(path, path))
        except (OSError, ValueError) as exc:
            run.errors.append(ScanError(path, None, f"cannot read: {getattr(exc, 'strerror', None) or exc}"))
            continue
        result, labelled, skipped = _label_bytes(raw, path, wanted)
        run.results.append(result)
        run.labelled.extend(labelled)
        run.skipped.extend(skipped)
        run.errors.extend(result.errors)
        if write and result.changed:
            try:
                write_atomic(Path(path), result.fixed)
            except OSError as exc:
                run.errors.append(ScanError(path, None, f"cannot write: {exc.strerror or exc}"))
    return run


def _label_bytes(raw: bytes, path: str, wanted: Mapping[str, Mapping[str, str]]
                 ) -> tuple[FixResult, list[Labelled], list[tuple[str, str]]]:
    from pluto_py.core.parse import (
        DocumentError,
        InputDecodeError,
        compose_yaml,
        decode_text,
        looks_like_json,
        split_documents,
    )
    from pluto_py.fix.edits import Differ, Edit, EditConflict, Refused, apply_edits, detect_layout
    from pluto_py.fix.tree import Origins, TreeError, json_tree, same, to_data, yaml_tree
    from pluto_py.pipeline.judge import resources_of

    try:
        decode_text(raw)
    except InputDecodeError as exc:
        return FixResult(path, raw, raw, errors=(ScanError(path, None, str(exc)),), rewritable=False), [], []
    bom, encoding = split_encoding(raw)
    text_in = raw[len(bom):].decode(encoding)
    errors: list[ScanError] = []
    edits: list[Edit] = []
    labelled: list[Labelled] = []
    skipped: list[tuple[str, str]] = []
    for doc in editable_documents(text_in, path, path.lower().endswith(".json"), SOURCE_FILE, errors):
        targets = [r for r in resources_of(doc.document) if r.kind == "Namespace"
                   and text(mapping(r.data.get("metadata")).get("name")) in wanted]
        if not targets:
            continue
        try:
            root = json_tree(doc.text) if doc.json else yaml_tree(doc.text)
        except TreeError as exc:
            errors.append(ScanError(path, doc.first_line, f"cannot edit the Namespace: {exc}"))
            continue
        if root is None:
            continue
        layout = detect_layout(doc.text, root)
        expected = copy.deepcopy(doc.data)
        doc_edits: list[Edit] = []
        doc_labelled: list[Labelled] = []
        for resource in targets:
            node = node_at(root, resource.path)
            name = text(mapping(resource.data.get("metadata")).get("name"))
            if node is None or node.kind != "map":
                errors.append(ScanError(path, doc.first_line, f"Namespace {name}: cannot locate it to edit"))
                continue
            origins = Origins()
            data = to_data(node, origins)
            metadata = data.setdefault("metadata", {})
            labels = metadata.get("labels")
            if not isinstance(labels, dict):
                labels = metadata["labels"] = {}
            labels.update(wanted[name])
            try:
                doc_edits.extend(Differ(doc.text, layout, origins, json_style=doc.json).edits(node, data))
            except Refused as exc:
                line = doc.document.position((*resource.path, "metadata"))[0]
                skipped.append((name, f"{path}:{line}: not edited automatically: {exc}"))
                continue
            if resource.path:
                expected["items"][resource.path[1]] = data
            else:
                expected = data
            doc_labelled.append(Labelled(name, path, doc.document.position((*resource.path, "metadata", "name"))[0],
                                         dict(wanted[name])))
        try:
            new_doc = apply_edits(doc.text, doc_edits)
            actual = to_data(json_tree(new_doc)) if doc.json else compose_yaml(new_doc, doc.first_line)[0]
            verified = same(actual, expected)
        except (EditConflict, DocumentError, TreeError):
            verified = False
        if not verified:
            errors.append(ScanError(path, doc.first_line, "internal error: the labels could not be written exactly; "
                                                          "file left unchanged (please report this)"))
            continue
        edits.extend(Edit(e.start + doc.offset, e.end + doc.offset, e.text) for e in doc_edits)
        labelled.extend(doc_labelled)
    new_text = apply_edits(text_in, edits) if edits else text_in
    json_text = path.lower().endswith(".json") or looks_like_json(text_in)
    if not json_text and len(list(split_documents(new_text))) != len(list(split_documents(text_in))):
        errors.append(ScanError(path, None, "internal error: the labels would change the document structure; "
                                            "file left unchanged (please report this)"))
        return FixResult(path, raw, raw, errors=tuple(errors)), [], skipped
    fixed = raw if new_text == text_in else bom + new_text.encode(encoding)
    return FixResult(path, raw, fixed, errors=tuple(errors)), labelled, skipped
