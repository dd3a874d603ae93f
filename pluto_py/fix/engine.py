"""Fix one file (or stream): find the objects to migrate, migrate them, splice the edits in.

Everything outside the edited spans stays byte for byte: the encoding and its BOM, line breaks,
comments, the other documents. Every edited document is parsed again and must give exactly the
migrated data, or the object is left as it was and the failure reported.
"""

from __future__ import annotations

import codecs
import copy
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pluto_py.core.model import SOURCE_FILE, SOURCE_STDIN, Document, ScanError
from pluto_py.core.parse import (
    DocumentError,
    InputDecodeError,
    JsonPositionParser,
    compose_yaml,
    decode_text,
    looks_like_json,
    split_documents,
)
from pluto_py.core.served import ServedApis, load_served
from pluto_py.core.table import ApiRow, Table
from pluto_py.core.versions import KubeVersion
from pluto_py.fix.choose import choose
from pluto_py.fix.edits import Differ, Edit, EditConflict, Refused, apply_edits, detect_layout
from pluto_py.fix.migrations import MIGRATIONS, find_migration
from pluto_py.fix.migrations.base import Migration, MigrationContext
from pluto_py.fix.tree import Node, Origins, TreeError, json_tree, same, to_data, yaml_tree
from pluto_py.pipeline.judge import Resource, resources_of

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

MIGRATED = "migrated"  # rewritten
NEEDS_HUMAN = "needs-human"  # left as it was: a person must decide (reported, exit 1)
TEMPLATE = "template"  # in a chart template / helm output: change the template (reported, exit 1)
FAILED = "failed"  # the edit could not be made safely (reported as an error, exit 2)
EMBEDDED = "embedded"  # inside a live object's last-applied annotation or a Helm release record (reported)


@dataclass(frozen=True, slots=True)
class FixOptions:
    target: KubeVersion
    from_version: KubeVersion | None = None
    include_deprecated: bool = False
    pin_defaults: bool = False


@dataclass(frozen=True, slots=True)
class ObjectFix:
    """What happened to one object."""

    path: str
    line: int
    document: int
    kind: str
    name: str | None
    namespace: str | None
    api_version: str
    new_api_version: str | None
    outcome: str
    changes: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    template: str | None = None

    @property
    def object_ref(self) -> str:
        ref = f"{self.kind}/{self.name or '<unnamed>'}"
        return f"{ref} (namespace {self.namespace})" if self.namespace else ref


@dataclass(frozen=True, slots=True)
class FixResult:
    """One file's (or stream's) fix: the bytes before and after, and every object's outcome."""

    path: str
    original: bytes
    fixed: bytes
    objects: tuple[ObjectFix, ...] = ()
    errors: tuple[ScanError, ...] = ()
    rewritable: bool = True  # False for chart templates: reported, never written

    @property
    def changed(self) -> bool:
        return self.fixed != self.original

    @property
    def needs_human(self) -> bool:
        return any(o.outcome in (NEEDS_HUMAN, TEMPLATE, EMBEDDED) for o in self.objects)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _split_encoding(raw: bytes) -> tuple[bytes, str]:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return bom, encoding
    return b"", "utf-8"


def needs_fix(row: ApiRow, options: FixOptions) -> bool:
    status = row.status_at(options.target)
    return status == "removed" or (status == "deprecated" and options.include_deprecated)


@dataclass
class _Doc:
    index: int
    offset: int  # of its text in the whole text
    text: str
    first_line: int
    data: Any
    document: Document
    template: str | None
    json: bool = False


@dataclass
class _Work:
    resource: Resource
    row: ApiRow
    line: int
    edits: list[Edit] = field(default_factory=list)
    new_data: Any = None
    report: ObjectFix | None = None


class FileFixer:
    def __init__(self, table: Table, options: FixOptions, migrations: Sequence[Migration] = MIGRATIONS,
                 served: ServedApis | None = None) -> None:
        self.table = table
        self.options = options
        self.migrations = migrations
        self._served = served

    @property
    def served(self) -> ServedApis | None:
        if self._served is None:
            self._served = load_served()
        return self._served

    # ---------------------------------------------------------------- entry points

    def fix_bytes(self, raw: bytes, path: str, *, json_file: bool = False, source: str = SOURCE_FILE,
                  template: str | None = None) -> FixResult:
        """Fix a file's bytes. ``template``: the file is a chart template (report, never rewrite)."""
        try:
            decode_text(raw)
        except InputDecodeError as exc:
            return FixResult(path, raw, raw, errors=(ScanError(path, None, str(exc)),))
        bom, encoding = _split_encoding(raw)
        text = raw[len(bom):].decode(encoding)
        new_text, objects, errors = self.fix_text(text, path, json_file=json_file, source=source)
        fixed = raw if new_text == text else bom + new_text.encode(encoding)
        return FixResult(path, raw, fixed, tuple(objects), tuple(errors))

    def fix_text(self, text: str, path: str, *, json_file: bool = False,
                 source: str = SOURCE_FILE) -> tuple[str, list[ObjectFix], list[ScanError]]:
        objects: list[ObjectFix] = []
        errors: list[ScanError] = []
        all_edits: list[Edit] = []
        for doc in self._documents(text, path, json_file, source, errors):
            if source == SOURCE_FILE and _may_embed(doc.data):
                objects.extend(self._embedded(doc))
            work = self._work_of(doc)
            if not work:
                continue
            if doc.template is not None:
                objects.extend(self._template_report(doc, item) for item in work)
                continue
            edits = self._fix_document(doc, work, path)
            all_edits.extend(edits)
            objects.extend(item.report for item in work if item.report is not None)
        if not all_edits:
            return text, objects, errors
        new_text = apply_edits(text, all_edits)
        if not (json_file or looks_like_json(text)) and \
                len(list(split_documents(new_text))) != len(list(split_documents(text))):
            errors.append(ScanError(path, None, "internal error: the fix would change the document structure; "
                                                "file left unchanged"))
            return text, [_as_failed(o) for o in objects], errors
        return new_text, objects, errors

    # ---------------------------------------------------------------- documents and objects

    def _documents(self, text: str, path: str, json_file: bool, source: str,
                   errors: list[ScanError]) -> Iterator[_Doc]:
        if json_file or looks_like_json(text):
            # The scanner's JSON parser: the data, and each value's position (reports name each
            # object's line, List items too), in one pass.
            try:
                data, positions = JsonPositionParser(text).parse()
            except DocumentError as exc:
                if json_file:
                    errors.append(ScanError(path, exc.line, f"invalid JSON: {exc.message}"))
                    return
            else:
                document = Document(path, 0, 1, data, positions, source=source)
                yield _Doc(0, 0, text, 1, data, document, None, json=True)
                return
        line_offsets = [0, *(match.end() for match in _LINE_BREAK.finditer(text))]
        for raw in split_documents(text):
            offset = line_offsets[raw.first_line - 1] if raw.first_line - 1 < len(line_offsets) else len(text)
            try:
                data, positions = compose_yaml(raw.text, raw.first_line)
            except DocumentError as exc:
                errors.append(ScanError(path, exc.line, f"document {raw.index}: {exc.message}"))
                continue
            document = Document(path, raw.index, raw.start_line, data, positions, source=source,
                                template=raw.template)
            yield _Doc(raw.index, offset, raw.text, raw.first_line, data, document, raw.template)

    def _work_of(self, doc: _Doc) -> list[_Work]:
        from pluto_py.sources.cluster import is_live_object

        work: list[_Work] = []
        for resource in resources_of(doc.document):
            row = self.table.lookup(resource.api_version, resource.kind)
            if row is None or row.component != "k8s" or not needs_fix(row, self.options):
                continue
            if doc.document.source in (SOURCE_FILE, SOURCE_STDIN) and is_live_object(resource.data):
                # A live object of a cluster dump: its apiVersion is whatever the client asked the
                # API server for, not what anyone wrote (scan reports its last-applied configuration,
                # which _embedded reports here too). Never rewritten.
                continue
            line, _ = doc.document.position((*resource.path, "apiVersion"))
            work.append(_Work(resource, row, line))
        return work

    def _base_report(self, doc: _Doc, item: _Work, outcome: str, new_api: str | None = None,
                     ctx: MigrationContext | None = None, problems: Sequence[str] = ()) -> ObjectFix:
        resource = item.resource
        return ObjectFix(
            path=doc.document.path, line=item.line, document=doc.index, kind=resource.kind,
            name=resource.metadata("name"), namespace=resource.metadata("namespace"),
            api_version=resource.api_version, new_api_version=new_api, outcome=outcome,
            changes=tuple(ctx.changes) if ctx else (), notes=tuple(ctx.notes) if ctx else (),
            problems=tuple(problems), template=doc.template)

    def _migrate(self, item: _Work, data: Any, origins: Origins) -> tuple[MigrationContext | None, str | None,
                                                                          list[str]]:
        """Run the object's migration on ``data`` (mutated). Returns (context, new apiVersion, problems)."""
        row = item.row
        migration = find_migration(row.api_version, row.kind, self.migrations)
        if migration is None or (row.replacement is None and not migration.targets(row.api_version, row.kind)):
            problems = [f"{row.api_version} {row.kind} has no replacement API"
                        if row.replacement is None else f"no automatic migration for {row.api_version} {row.kind}"]
            if row.notes:
                problems.append(row.notes)
            if migration is not None and migration.advise is not None:
                problems.extend(migration.advise(data))
            return None, None, problems
        choice = choose(row, migration.targets(row.api_version, row.kind), self.table, self.options.target,
                        self.options.from_version, self.served)
        if choice.api_version is None:
            return None, None, [choice.reason]
        ctx = MigrationContext(source=row.api_version, target_api=choice.api_version, kind=row.kind,
                               target=self.options.target, from_version=self.options.from_version,
                               pin_defaults=self.options.pin_defaults, origins=origins)
        migration.migrate(data, ctx)
        data["apiVersion"] = choice.api_version
        if row.replacement_kind and choice.api_version == row.replacement:
            data["kind"] = row.replacement_kind
        ctx.changes.insert(0, f"apiVersion {row.api_version} → {choice.api_version}")
        return ctx, choice.api_version, list(ctx.blockers)

    def _template_report(self, doc: _Doc, item: _Work, outcome: str = TEMPLATE) -> ObjectFix:
        data = copy.deepcopy(dict(item.resource.data))
        ctx, new_api, problems = self._migrate(item, data, Origins())
        return self._base_report(doc, item, outcome if new_api else NEEDS_HUMAN, new_api, ctx, problems)

    def _embedded(self, doc: _Doc) -> Iterator[ObjectFix]:
        """Objects inside last-applied annotations and Helm release records: reported, never rewritten."""
        from pluto_py.core.model import SOURCE_HELM_RELEASE, SOURCE_LAST_APPLIED
        from pluto_py.sources.cluster import cluster_expander

        try:
            expanded = cluster_expander()(doc.document)
        except Exception:  # a record we cannot decode is the scanner's to report
            return
        for inner in expanded or ():
            if not isinstance(inner, Document) or inner.source not in (SOURCE_LAST_APPLIED, SOURCE_HELM_RELEASE):
                continue
            inner_doc = _Doc(doc.index, doc.offset, doc.text, doc.first_line, inner.data, inner, inner.template)
            for item in self._work_of(inner_doc):
                report = self._template_report(inner_doc, item, EMBEDDED)
                where = "a Helm release record" if inner.source == SOURCE_HELM_RELEASE else \
                    "the last-applied configuration of a live object"
                advice = ("fix the chart and upgrade the release; a release already stuck on a removed API can be "
                          "repaired with the helm-mapkubeapis plugin") if inner.source == SOURCE_HELM_RELEASE else \
                    "fix the manifest it was applied from and apply it again"
                yield ObjectFix(report.path, report.line, report.document, report.kind, report.name,
                                report.namespace, report.api_version, report.new_api_version, report.outcome,
                                report.changes, (f"found in {where}: {advice}", *report.notes), report.problems,
                                report.template)

    def _node_of(self, root: Node, path: tuple[str | int, ...]) -> Node | None:
        node: Node | None = root
        for part in path:
            if node is None:
                return None
            if isinstance(part, int):
                node = node.elements()[part] if node.kind == "seq" and part < len(node.elements()) else None
            else:
                node = node.get(part)
        return node

    def _fix_document(self, doc: _Doc, work: list[_Work], path: str) -> list[Edit]:
        try:
            root = json_tree(doc.text) if doc.json else yaml_tree(doc.text)
        except TreeError as exc:
            for item in work:
                item.report = self._base_report(doc, item, FAILED, problems=[f"cannot locate the object: {exc}"])
            return []
        if root is None:
            return []
        layout = detect_layout(doc.text, root)
        for item in work:
            node = self._node_of(root, item.resource.path)
            if node is None or node.kind != "map":
                item.report = self._base_report(doc, item, FAILED, problems=["cannot locate the object"])
                continue
            origins = Origins()
            data = to_data(node, origins)
            ctx, new_api, problems = self._migrate(item, data, origins)
            if ctx is None or problems:
                item.report = self._base_report(doc, item, NEEDS_HUMAN, new_api, ctx, problems)
                continue
            try:
                item.edits = Differ(doc.text, layout, origins, json_style=doc.json).edits(node, data)
            except Refused as exc:
                item.report = self._base_report(doc, item, NEEDS_HUMAN, new_api, ctx,
                                                [f"not edited automatically: {exc}; migrate it by hand"])
                continue
            item.new_data = data
            item.report = self._base_report(doc, item, MIGRATED, new_api, ctx)
        ready = [item for item in work if item.report is not None and item.report.outcome == MIGRATED]
        if not ready:
            return []
        if self._verify(doc, ready):
            return _shift([edit for item in ready for edit in item.edits], doc.offset)
        accepted: list[_Work] = []
        for item in ready:
            if self._verify(doc, [*accepted, item]):
                accepted.append(item)
            else:
                assert item.report is not None
                item.report = _as_failed(item.report, "internal error: the edit did not give the migrated object; "
                                                      "left unchanged (please report this)")
        return _shift([edit for item in accepted for edit in item.edits], doc.offset)

    def _verify(self, doc: _Doc, items: list[_Work]) -> bool:
        """Parse the edited document again: it must hold exactly the migrated objects, nothing else changed."""
        edits = [edit for item in items for edit in item.edits]
        try:
            new_text = apply_edits(doc.text, edits)
        except EditConflict:
            return False
        expected = copy.deepcopy(doc.data)
        for item in items:
            if not item.resource.path:
                expected = item.new_data
            else:
                expected["items"][item.resource.path[1]] = item.new_data
        try:
            if doc.json:
                actual = to_data(json_tree(new_text))
            else:
                actual, _ = compose_yaml(new_text, doc.first_line)
        except (DocumentError, TreeError):
            return False
        return same(actual, expected)


def _may_embed(data: Any) -> bool:
    return isinstance(data, dict) and ("items" in data or "metadata" in data)


def _shift(edits: list[Edit], offset: int) -> list[Edit]:
    return [Edit(edit.start + offset, edit.end + offset, edit.text) for edit in edits]


def _as_failed(report: ObjectFix, message: str = "left unchanged") -> ObjectFix:
    if report.outcome != MIGRATED:
        return report
    return ObjectFix(report.path, report.line, report.document, report.kind, report.name, report.namespace,
                     report.api_version, None, FAILED, report.changes, report.notes, (message,), report.template)


def migration_for(api_version: str, kind: str) -> Migration | None:
    return find_migration(api_version, kind, MIGRATIONS)
