"""`kdeprecate fix`: rewrite removed (or deprecated) APIs to their replacement, changing nothing else.

Only argument parsing and presentation live here; the engine is imported inside the command so that
other subcommands start fast.
"""

from __future__ import annotations

import difflib
import re
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from pluto_py.cli.common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    emit,
    error_at,
    error_line,
    fail_usage,
    parse_version_option,
    report_errors,
    warning_line,
)

if TYPE_CHECKING:
    from pluto_py.fix import FixResult, ObjectFix


def fix(
    paths: Annotated[list[str] | None, typer.Argument(
        metavar="PATH",
        help="Files or directories (recursive) to fix; '-' reads stdin and writes the fixed stream to stdout. "
             "Default: '.'")] = None,
    target: Annotated[str | None, typer.Option(
        "--target", "-t", metavar='VERSION',
        help="Kubernetes version the manifests must be valid for (1.25, v1.25, 1.25.3).")] = None,
    from_version: Annotated[str | None, typer.Option(
        "--from", metavar='VERSION',
        help="The cluster's current version: only use replacements it already serves, so the fixed "
                       "manifests apply before and after the upgrade.")] = None,
    include_deprecated: Annotated[bool, typer.Option(
        "--include-deprecated", help="Also migrate objects that are only deprecated at the target.")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print a unified diff; write nothing.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; only set the exit code.")] = False,
    pin_defaults: Annotated[bool, typer.Option(
        "--pin-defaults", help="Where the new version changed a default the object relies on, write the old "
                               "default explicitly (workloads).")] = False,
    config_file: Annotated[str | None, typer.Option(
        "--config", metavar='FILE', help="Configuration file to use instead of the discovered .kdeprecate.yaml / "
                         "pyproject.toml [tool.kdeprecate].")] = None,
    no_config: Annotated[bool, typer.Option("--no-config", help="Ignore configuration files.")] = False,
) -> None:
    """Rewrite objects whose apiVersion is removed at the target to their replacement, in place.

    Exit 0: nothing to fix; 1: files changed (or would, with --diff/--check) or objects need a human;
    2: some input could not be read, parsed or written.
    """
    from pluto_py.cli.config import ConfigError, fix_settings
    from pluto_py.core.table import TableError, load_table
    from pluto_py.fix import FAILED, MIGRATED, FixOptions, fix_paths

    # The same settings as `scan`: flags > KDEPRECATE_* > .kdeprecate.yaml, so the pre-commit
    # hooks need no args when the repository has a configuration file.
    try:
        settings = fix_settings(paths=paths, target=target, from_version=from_version, config_file=config_file,
                                no_config=no_config)
    except ConfigError as exc:
        fail_usage(str(exc))
    if settings.target is None:
        fail_usage("--target is required (or `target:` in .kdeprecate.yaml): fix rewrites manifests for a "
                   "given Kubernetes release")
    target_version = parse_version_option("--target", settings.target)
    from_parsed = parse_version_option("--from", settings.from_version) if settings.from_version else None
    if from_parsed is not None and from_parsed > target_version:
        fail_usage(f"--from {from_parsed} is newer than --target {target_version}")
    try:
        table = load_table()
    except TableError as exc:
        fail_usage(str(exc))
    options = FixOptions(target_version, from_parsed, include_deprecated, pin_defaults)
    dry = diff or check
    run = fix_paths(list(settings.paths) or ["."], table, options, write=not dry,
                    path_filter=settings.path_filter or None)

    failed = bool(run.errors)
    pending = False
    for result in run.results:
        for error in result.errors:
            failed = True
            error_at(error.path, error.line, error.message)
        if result.changed and result.rewritable:
            pending = True
            if result.path != "-":
                _say(f"{'Would fix' if dry else 'Fixing'} {result.path}")
        for obj in result.objects:
            _report(obj)
            if obj.outcome == FAILED:
                failed = True
            elif obj.outcome != MIGRATED:
                pending = True
        if result.path == "-" and result.rewritable:
            _stdin_output(result, diff=diff, check=check)
        elif diff and result.changed and result.rewritable:
            emit(unified_diff(result))
    report_errors(run.errors)
    for warning in run.warnings:
        warning_line(warning)
    raise typer.Exit(EXIT_ERROR if failed else EXIT_FINDINGS if pending else EXIT_OK)


def _stdin_output(result: FixResult, *, diff: bool, check: bool) -> None:
    if check:
        return
    if diff:
        if result.changed:
            emit(unified_diff(result))
        return
    emit(result.fixed)


def _say(line: str) -> None:
    """One line of fix's account on stderr; names and messages from the input escaped (core/escape.py)."""
    from pluto_py.core.escape import printable

    print(printable(line), file=sys.stderr)


def _report(obj: ObjectFix) -> None:
    from pluto_py.fix import EMBEDDED, FAILED, MIGRATED, NEEDS_HUMAN, TEMPLATE

    where = f"{obj.path}:{obj.line}: {obj.object_ref}"
    if obj.outcome == MIGRATED:
        _say(f"{where}: {obj.api_version} → {obj.new_api_version}")
        for change in obj.changes[1:]:
            _say(f"    changed: {change}")
        for note in obj.notes:
            _say(f"    note: {note}")
    elif obj.outcome in (TEMPLATE, EMBEDDED):
        if obj.outcome == EMBEDDED:
            what = "not rewritten"
        elif obj.template and obj.template != obj.path:
            what = f"rendered from {obj.template}, change that template"
        else:
            what = "a template, not rewritten"  # a chart's, or a templated manifest (sources/unparsable.py)
        _say(f"{where}: {what}: change {obj.api_version} → {obj.new_api_version}")
        for change in obj.changes[1:]:
            _say(f"    change: {change}")
        for item in (*obj.problems, *obj.notes):
            _say(f"    note: {item}")
    elif obj.outcome == NEEDS_HUMAN:
        _say(f"{where}: {obj.api_version}: left unchanged, needs a human:")
        for problem in obj.problems:
            _say(f"    - {problem}")
    elif obj.outcome == FAILED:
        error_line(f"{where}: {'; '.join(obj.problems) or 'could not be fixed'}")


_YAML_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def unified_diff(result: FixResult) -> str:
    """The diff of a fixed file; control characters of the file name and the content written as escapes
    (line breaks and tabs kept), so a diff shown in a terminal cannot drive it."""
    from pluto_py.core.escape import printable, printable_lines
    from pluto_py.core.parse import decode_text

    before = _YAML_LINES.findall(decode_text(result.original))  # (YAML's line breaks only: not \x85, \u2028)
    after = _YAML_LINES.findall(decode_text(result.fixed))
    name = printable(result.path.removeprefix("./"))
    lines = []
    for line in difflib.unified_diff(before, after, fromfile=f"a/{name}", tofile=f"b/{name}"):
        shown = printable_lines(line)
        lines.append(shown)
        if not shown.endswith("\n"):
            lines.append("\n\\ No newline at end of file\n")
    return "".join(lines)
