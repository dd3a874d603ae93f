"""Command line: parses arguments, assembles the library's parts, maps results to exit codes.

Nothing here knows API facts or parses manifests; heavy modules are imported inside the
command that needs them so that `kdeprecate scan one.yaml` starts fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from pluto_py import __version__
from pluto_py.cli_common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    PROG,
    UsageError,
    error_line,
    fail_usage,
    parse_targets,
    parse_version_option,
    use_color,
)

app = typer.Typer(
    name=PROG,
    help="Find Kubernetes manifests that use deprecated or removed API versions, fix them, "
    "and plan upgrades within the version skew policy.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

FAIL_LEVELS = ("removed", "deprecated", "none")


def _version_callback(value: bool) -> None:
    if value:
        print(f"{PROG} {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version_callback, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """kdeprecate: a static linter for Kubernetes upgrades."""


@app.command()
def scan(
    paths: Annotated[list[str] | None, typer.Argument(
        help="Files or directories (recursive) to scan; '-' reads stdin. Default: '.'")] = None,
    target: Annotated[list[str] | None, typer.Option(
        "--target", "-t", help="Kubernetes version to judge at (1.22, v1.22, 1.22.3), or COMPONENT=VERSION "
        "for an add-on table. Repeatable. Default: newest release the table knows.")] = None,
    from_version: Annotated[str | None, typer.Option(
        "--from", help="The cluster's current version: says whether each replacement is already served.")] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="Report format: text or json.")] = "text",
    fail_on: Annotated[str, typer.Option(
        "--fail-on", help="Exit 1 on findings at or above: removed, deprecated or none.")] = "removed",
    extra_table: Annotated[list[Path] | None, typer.Option(
        "--extra-table", help="More table rows (e.g. your CRDs), same schema as the built-in table.")] = None,
) -> None:
    """Report objects whose apiVersion is deprecated or removed at the target version."""
    from pluto_py.report import ReportContext, fails, get_reporter
    from pluto_py.scan import Targets, build_result, scan_stream
    from pluto_py.sources import InputStats, SourceOptions, iter_documents
    from pluto_py.table import TableError, load_table

    if fail_on not in FAIL_LEVELS:
        fail_usage(f"--fail-on: must be one of {', '.join(FAIL_LEVELS)}, not {fail_on!r}")
    try:
        reporter = get_reporter(output)
    except ValueError as exc:
        fail_usage(f"--output: {exc}")
    k8s_target, component_targets = parse_targets(target)
    from_parsed = parse_version_option("--from", from_version) if from_version else None
    try:
        table = load_table(extra_table or [])
    except TableError as exc:
        fail_usage(str(exc))
    unknown = sorted(set(component_targets) - set(table.components()))
    if unknown:
        fail_usage(f"--target: no table rows for component(s) {', '.join(unknown)} "
                   f"(known: {', '.join(table.components())})")
    targets = Targets(k8s_target or table.newest, component_targets)

    stats = InputStats()
    options = SourceOptions(target=str(targets.k8s))
    documents = iter_documents(paths or ["."], options, stats)
    findings, errors = scan_stream(documents, table, targets, from_version=from_parsed)
    result = build_result(findings, errors, stats.files, stats.documents, targets)

    for error in result.errors:
        where = error.path if error.line is None else f"{error.path}:{error.line}"
        error_line(f"{where}: {error.message}")
    context = ReportContext(tool_version=__version__, fail_on=fail_on, color=use_color(sys.stdout))
    sys.stdout.write(reporter.render(result, context))
    sys.stdout.flush()
    if result.errors:
        raise typer.Exit(EXIT_ERROR)
    failing = any(fails(f.status, fail_on) for f in result.findings if not f.suppressed)
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_OK)


@app.command("list-versions")
def list_versions(
    output: Annotated[str, typer.Option("--output", "-o", help="text or json.")] = "text",
    extra_table: Annotated[list[Path] | None, typer.Option(
        "--extra-table", help="Include rows from these table files.")] = None,
) -> None:
    """List every API version the table knows, with when it was deprecated and removed."""
    from pluto_py.listing import render_listing
    from pluto_py.table import TableError, load_table

    try:
        table = load_table(extra_table or [])
        text = render_listing(table, output)
    except (TableError, ValueError) as exc:
        fail_usage(str(exc))
    sys.stdout.write(text)


# Further subcommands register here, each from its own module.


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: never a traceback for bad input or bad flags."""
    try:
        app(args=argv, prog_name=PROG, standalone_mode=True)
    except UsageError as exc:
        error_line(str(exc))
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`kdeprecate scan | head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_OK)
    except Exception as exc:  # a bug: say so in one line, keep the traceback for developers
        if os.environ.get("KDEPRECATE_DEBUG"):
            raise
        error_line(f"internal error: {exc.__class__.__name__}: {exc} (set KDEPRECATE_DEBUG=1 for details)")
        sys.exit(EXIT_ERROR)
