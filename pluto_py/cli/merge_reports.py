"""`kdeprecate merge-reports`: one report from the JSON reports of sharded scans (`scan --shard I/N`).

The merging itself is pluto_py.report.merge; this module reads the flags, renders and picks the exit code.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from pluto_py.cli.common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    check_fail_on,
    emit,
    fail_usage,
    report_context,
    report_errors,
    use_color,
)


def merge_reports(
    reports: Annotated[list[Path], typer.Argument(
        metavar="REPORT",
        help="JSON reports (`kdeprecate scan -o json`, schema_version 1) of the shards to merge.")],
    output: Annotated[str, typer.Option(
        "--output", "-o", metavar='FORMAT',
        help="Format of the merged report: json (default), sarif, or any scan format.")] = "json",
    fail_on: Annotated[str, typer.Option(
        "--fail-on", metavar='LEVEL',
        help="Exit 1 on findings at or above: removed (default), deprecated or none.")] = "removed",
) -> None:
    """Merge the JSON reports of `scan --shard I/N` runs into one report (exit code as for scan)."""
    from pluto_py.report import get_reporter, result_fails
    from pluto_py.report.merge import MergeError, merge_report_data, read_reports

    check_fail_on(fail_on, "--fail-on")
    try:
        reporter = get_reporter(output)
    except ValueError as exc:
        fail_usage(f"--output: {exc}")
    try:
        result = merge_report_data(read_reports(reports))
    except MergeError as exc:
        fail_usage(str(exc))
    report_errors(result.errors)
    context = report_context(reporter, fail_on, color=use_color(sys.stdout))
    emit(reporter.render(result, context))
    if result.errors:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if result_fails(result, fail_on) else EXIT_OK)
