"""Fix everything under some paths: files are rewritten (atomically), stdin is returned, chart
templates and helm output are only reported."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pluto_py.core.model import SOURCE_STDIN, ScanError
from pluto_py.core.parse import InputDecodeError, decode_text
from pluto_py.core.table import Table
from pluto_py.core.userfiles import MAX_FILE_BYTES, read_bounded, write_atomic
from pluto_py.fix.choose import choose
from pluto_py.fix.engine import NEEDS_HUMAN, TEMPLATE, FileFixer, FixOptions, FixResult, ObjectFix, needs_fix
from pluto_py.fix.migrations import find_migration
from pluto_py.sources.files import (
    MANIFEST_SUFFIXES,
    ChartInput,
    FileInput,
    Input,
    StdinInput,
    chart_root_of,
    collect_inputs,
    read_input_bytes,
)


@dataclass
class FixRun:
    results: list[FixResult] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)  # inputs that could not be read at all
    warnings: list[str] = field(default_factory=list)  # e.g. a chart read without a Helm engine


def _is_regular_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def fix_paths(paths: Sequence[str], table: Table, options: FixOptions, *, write: bool,
              path_filter: Callable[[str], bool] | None = None) -> FixRun:
    """Fix every input under ``paths``; with ``write``, changed files are replaced on disk.

    ``path_filter`` (the configuration's include/exclude globs) decides which files are fixed.
    """
    fixer = FileFixer(table, options)
    run = FixRun()
    for item, roots in _inputs_with_roots(paths or ["."]):
        if isinstance(item, ScanError):
            run.errors.append(item)
        elif path_filter is not None and isinstance(item, FileInput | ChartInput) and not path_filter(item.display):
            continue
        elif isinstance(item, ChartInput):
            chart_results = list(_chart_results(fixer, item))
            run.results.extend(chart_results)
            run.results.extend(_rendered_results(fixer, item, chart_results, run.warnings))
        else:
            result = _fix_input(fixer, item)
            if result is None:
                continue
            if result.rewritable and isinstance(item, FileInput) and not _is_regular_file(item.path):
                # A pipe (`fix <(helm template ...)`): replacing it would leave a file where the
                # pipe was. Its fixes are reported, never written; streams are fixed with `-`.
                result = replace(result, rewritable=False)
                if result.changed and write:
                    run.errors.append(ScanError(item.display, None, "not a regular file: nothing written "
                                                "(use `kdeprecate fix -` to fix a stream)"))
            run.results.append(result)
            if write and result.rewritable and result.changed and isinstance(item, FileInput):
                try:
                    write_atomic(item.path, result.fixed, within=roots)
                except OSError as exc:
                    run.errors.append(ScanError(item.display, None, f"cannot write: {exc.strerror or exc}"))
    return run


def _inputs_with_roots(paths: Sequence[str]) -> Iterator[tuple[Input | ScanError, tuple[str, ...]]]:
    """collect_inputs, each input with the directories a rewrite of it must stay in (a symbolic link
    to a file elsewhere is not rewritten: core/userfiles.write_atomic): the directory argument it was
    found under; for a file named on the command line, the working directory and the file's own."""
    for argument in paths:
        if os.path.isdir(argument):
            roots: tuple[str, ...] = (argument,)
        else:
            roots = (os.curdir, os.path.dirname(argument) or os.curdir)
        for item in collect_inputs([argument]):
            yield item, roots


def _fix_input(fixer: FileFixer, item: FileInput | StdinInput) -> FixResult | None:
    try:
        raw = read_input_bytes(item)
    except OSError as exc:
        return FixResult(item.display, b"", b"", errors=(ScanError(item.display, None,
                                                                   f"cannot read: {exc.strerror or exc}"),))
    except ValueError as exc:
        return FixResult(item.display, b"", b"", errors=(ScanError(item.display, None, str(exc)),))
    if isinstance(item, StdinInput):
        return fixer.fix_bytes(raw, item.display, source=SOURCE_STDIN)
    if chart_root_of(item.path) is not None:
        return template_result(fixer, raw, item.display)
    result = fixer.fix_bytes(raw, item.display, json_file=item.path.name.lower().endswith(".json"))
    if result.errors and not result.objects:
        # As for the scan (sources/unparsable.py): a file that does not parse is an error only when it
        # is a manifest; a templated manifest is reported like a chart template, never rewritten.
        from pluto_py.sources.unparsable import looks_like_manifest, looks_templated

        text = raw.decode("utf-8", "replace")
        if not looks_like_manifest(text):
            return None
        if looks_templated(text):
            return template_result(fixer, raw, item.display)
    return result


def _chart_files(root: Path, unreadable: list[OSError] | None = None) -> Iterator[Path]:
    """The chart's manifest-like files; folders that cannot be listed go to ``unreadable``."""
    for directory, subdirectories, files in os.walk(root, onerror=None if unreadable is None else unreadable.append):
        subdirectories.sort()
        for name in sorted(files):
            if name.lower().endswith(MANIFEST_SUFFIXES) and name not in ("Chart.yaml", "Chart.lock") \
                    and not name.startswith("values"):
                yield Path(directory) / name


def _chart_results(fixer: FileFixer, chart: ChartInput) -> Iterator[FixResult]:
    unreadable: list[OSError] = []
    for path in _chart_files(chart.path, unreadable):
        display = os.path.join(chart.display, os.path.relpath(path, chart.path))
        try:
            raw = read_bounded(path)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            yield FixResult(display, b"", b"", errors=(ScanError(display, None, f"cannot read: {reason}"),))
            continue
        if len(raw) > MAX_FILE_BYTES:
            yield FixResult(display, b"", b"", errors=(ScanError(
                display, None, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; not fixed"),))
            continue
        result = template_result(fixer, raw, display)
        if result.objects or result.errors:
            yield result
    for failure in unreadable:
        display = os.path.join(chart.display, os.path.relpath(failure.filename or chart.path, chart.path))
        yield FixResult(display, b"", b"", errors=(ScanError(display, None,
                                                             f"cannot list directory: {failure.strerror or failure}"),))


def _rendered_results(fixer: FileFixer, chart: ChartInput, read: list[FixResult],
                      warnings: list[str]) -> Iterator[FixResult]:
    """The chart rendered as `scan` renders it: every object to migrate that reading the template
    files missed (an apiVersion computed by a template, a packaged subchart, a manifest read with
    .Files.Get) is reported where it comes from, so fix never passes what scan fails. A chart Helm
    refuses at the target is an error, as in scan."""
    from pluto_py.pipeline.judge import resources_of
    from pluto_py.sources import SourceRequest
    from pluto_py.sources.helm import ChartRenderer, _relative_to_chart

    renderer = ChartRenderer()
    covered = {(o.path, o.api_version, o.kind) for result in read for o in result.objects}
    found: dict[str, list[ObjectFix]] = {}
    errors: list[ScanError] = []
    for item in renderer(chart, SourceRequest(target=str(fixer.options.target))):
        if isinstance(item, ScanError):
            errors.append(item)
            continue
        template_file = item.context.get("template_file")
        if template_file is None and item.template is not None:
            behind = _relative_to_chart(item.template, chart.path)
            if behind is not None:
                template_file = os.path.join(chart.display, os.path.relpath(behind, chart.path))
        for resource in resources_of(item):
            if (template_file, resource.api_version, resource.kind) in covered:
                continue
            report = fixer.rendered_report(item, resource, template_file or chart.display)
            if report is None:
                continue
            where = (f"the packaged or generated {item.template}" if template_file is None
                     else "a value the template computes")
            note = (f"found by rendering the chart at {fixer.options.target} (as scan does): its apiVersion comes "
                    f"from {where}, not from text fix can point at; change it there")
            if item.context.get("line_in") == "rendered":
                note += f" (line {report.line} is a line of the rendered output of {item.template})"
            found.setdefault(report.path, []).append(replace(report, notes=(note, *report.notes)))
    warnings.extend(w for w in renderer.warnings if w not in warnings)
    for path, objects in found.items():
        yield FixResult(path, b"", b"", tuple(objects), rewritable=False)
    if errors:
        yield FixResult(chart.display, b"", b"", errors=tuple(errors), rewritable=False)


# ---------------------------------------------------------------- chart templates

_API_LINE = re.compile(r"^(?P<indent>[ \t]*)apiVersion:[ \t]*[\"']?(?P<value>[A-Za-z0-9./-]+)[\"']?[ \t]*(?:#.*)?$")
_KIND_LINE = re.compile(r"^(?P<indent>[ \t]*)kind:[ \t]*[\"']?(?P<value>[A-Za-z0-9]+)[\"']?[ \t]*(?:#.*)?$")
_SEPARATOR = re.compile(r"^---(?:[ \t]|$)")


def template_result(fixer: FileFixer, raw: bytes, display: str) -> FixResult:
    """A chart file: never rewritten; each object to migrate is reported with what to change.

    A file without template directives is parsed and migrated in memory (the report lists the exact
    field changes); a Go template is read line by line for its apiVersion/kind pairs.
    """
    try:
        text = decode_text(raw)
    except InputDecodeError as exc:
        return FixResult(display, raw, raw, errors=(ScanError(display, None, str(exc)),), rewritable=False)
    plain = text if "{{" not in text else neutralize_template(text)
    if plain is not None:
        _new_text, objects, errors = fixer.fix_text(plain, display, json_file=display.lower().endswith(".json"))
        if not errors or "{{" not in text:
            return FixResult(display, raw, raw, tuple(_as_template(o) for o in objects), tuple(errors),
                             rewritable=False)
    return FixResult(display, raw, raw, tuple(_template_objects(fixer, text, display)), rewritable=False)


_ACTION_LINE = re.compile(r"^[ \t]*\{\{.*\}\}[ \t]*$")
_ACTION = re.compile(r"\{\{.*?\}\}")


def neutralize_template(text: str) -> str | None:
    """A Go template made parseable YAML with the same line numbers: lines holding only actions become
    blank, inline actions a placeholder. None when that cannot be done (actions spanning lines)."""
    lines = text.splitlines(keepends=True)
    out = []
    for line in lines:
        body = line.rstrip("\r\n")
        ending = line[len(body):]
        if _ACTION_LINE.match(body) and body.count("{{") == 1:
            out.append(ending)
            continue
        replaced = _ACTION.sub("TEMPLATED", body)
        if "{{" in replaced or "}}" in replaced:
            return None
        out.append(replaced + ending)
    return "".join(out)


def _as_template(report: ObjectFix) -> ObjectFix:
    name = None if report.name is None or "TEMPLATED" in report.name else report.name
    namespace = None if report.namespace is None or "TEMPLATED" in report.namespace else report.namespace
    outcome = TEMPLATE if report.new_api_version else NEEDS_HUMAN
    return ObjectFix(report.path, report.line, report.document, report.kind, name, namespace,
                     report.api_version, report.new_api_version, outcome, report.changes, report.notes,
                     report.problems, report.template or report.path)


def _template_objects(fixer: FileFixer, text: str, display: str) -> Iterator[ObjectFix]:
    lines = text.splitlines()
    document = 0
    start = 0
    for number in range(len(lines) + 1):
        if number == len(lines) or _SEPARATOR.match(lines[number]):
            yield from _template_chunk(fixer, lines, start, number, document, display)
            if number < len(lines) and number > 0:
                document += 1
            start = number + 1


def _template_chunk(fixer: FileFixer, lines: list[str], start: int, end: int, document: int,
                    display: str) -> Iterator[ObjectFix]:
    apis = [(i, m) for i in range(start, end) if (m := _API_LINE.match(lines[i]))]
    kinds = [(i, m) for i in range(start, end) if (m := _KIND_LINE.match(lines[i]))]
    for index, api in apis:
        same_indent = [k for k in kinds if k[1]["indent"] == api["indent"]]
        if not same_indent:
            continue
        kind = same_indent[0][1]["value"]
        row = fixer.table.lookup(api["value"], kind)
        if row is None or row.component != "k8s" or not needs_fix(row, fixer.options):
            continue
        migration = find_migration(row.api_version, row.kind, fixer.migrations)
        problems: list[str] = []
        changes: list[str] = []
        notes: list[str] = []
        new_api: str | None = None
        if row.replacement is None or migration is None:
            problems.append(row.notes or f"{row.api_version} {row.kind} has no replacement")
        else:
            choice = choose(row, migration.targets(row.api_version, row.kind), fixer.table,
                            fixer.options.target, fixer.options.from_version, fixer.served)
            new_api = choice.api_version
            if new_api is None:
                problems.append(choice.reason)
            else:
                changes.append(f"apiVersion {row.api_version} → {new_api}")
                changes.append(f"{migration.family}: {migration.changes}")
        context = "\n".join(lines[max(start, index - 6) : index])
        if "Capabilities" in context and "else" in context:
            notes.append("this apiVersion is the fallback branch of a .Capabilities check, used only by clusters "
                         f"that do not serve the new API; delete the branch once every cluster serves "
                         f"{row.replacement or 'its replacement'}")
        yield ObjectFix(display, index + 1, document, kind, None, None, row.api_version, new_api,
                        TEMPLATE if new_api else NEEDS_HUMAN, tuple(changes), tuple(notes), tuple(problems),
                        template=display)
