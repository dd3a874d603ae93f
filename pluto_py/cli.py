"""Command line: parses arguments, assembles the library's parts, maps results to exit codes.

Nothing here knows API facts or parses manifests; heavy modules are imported inside the
command that needs them so that `kdeprecate scan one.yaml` starts fast. (No ``from __future__
import annotations`` here: typer would evaluate every option's annotation string at start-up.)
"""

import copy
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
        metavar="PATH", help="Files or directories (recursive) to scan; '-' reads stdin. Default: '.'")] = None,
    target: Annotated[list[str] | None, typer.Option(
        "--target", "-t", metavar='VERSION',
        help="Kubernetes version to judge at (1.22, v1.22, 1.22.3), or COMPONENT=VERSION "
        "for an add-on table. Repeatable. Default: newest release the table knows.")] = None,
    from_version: Annotated[str | None, typer.Option(
        "--from", metavar='VERSION',
        help="The cluster's current version: says whether each replacement is already served.")] = None,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", metavar='FORMAT',
        help="Report format: text, json, yaml, csv, markdown, sarif, junit or github. Default: "
        "text (github when GITHUB_ACTIONS=true).")] = None,
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", metavar='LEVEL',
        help="Exit 1 on findings at or above: removed (default), deprecated or none.")] = None,
    extra_table: Annotated[list[Path] | None, typer.Option(
        "--extra-table", metavar='FILE',
        help="More table rows (e.g. your CRDs), same schema as the built-in table.")] = None,
    helm_values: Annotated[list[str] | None, typer.Option(
        "--values", "-f", metavar='FILE',
        help="Values file for the charts scanned, like helm -f (repeatable; later wins).")] = None,
    helm_set: Annotated[list[str] | None, typer.Option(
        "--set", metavar='KEY=VALUE',
        help="Value for the charts scanned, like helm --set key=value (repeatable).")] = None,
    annotation: Annotated[list[str] | None, typer.Option(
        "--annotation", metavar='NAME',
        help="Annotation of live objects that holds their applied configuration, read besides "
        "kubectl's last-applied-configuration (e.g. kapp.k14s.io/original). Repeatable.")] = None,
    output_file: Annotated[str | None, typer.Option(
        "--output-file", metavar='FILE',
        help="Write the report to this file (atomically); the summary still goes to the "
        "terminal.")] = None,
    config_file: Annotated[str | None, typer.Option(
        "--config", metavar='FILE', help="Configuration file to use instead of the discovered .kdeprecate.yaml / "
        "pyproject.toml.")] = None,
    no_config: Annotated[bool, typer.Option("--no-config", help="Ignore configuration files.")] = False,
    shard: Annotated[str | None, typer.Option(
        "--shard", metavar='I/N',
        help="Scan only part I of N of the files (e.g. 2/8), a partition that is the same on every "
        "machine; merge the JSON reports with merge-reports.")] = None,
) -> None:
    """Report objects whose apiVersion is deprecated or removed at the target version."""
    # Only what a plain scan of one file needs is imported here (a pre-commit hook pays for every
    # import on every commit): Helm, configuration files, cluster dumps, suppressions and CRD
    # tracking are imported by the branch that meets them (see docs/performance.md).
    from pluto_py.config import ConfigError, resolve_scan_settings
    from pluto_py.pipeline import ScanRequest, ScanRequestError, run_scan
    from pluto_py.report import ReportContext, get_reporter, needs_objects, result_fails, write_atomically
    from pluto_py.scan import Targets
    from pluto_py.table import TableError, addon_components, load_table

    try:  # flags > KDEPRECATE_* > .kdeprecate.yaml / [tool.kdeprecate] > defaults
        settings = resolve_scan_settings(
            paths=paths, target=target, from_version=from_version, output=output, output_file=output_file,
            fail_on=fail_on, extra_table=[str(t) for t in extra_table or []], helm_values=helm_values,
            helm_set=helm_set, annotations=annotation, config_file=config_file, no_config=no_config)
    except ConfigError as exc:
        fail_usage(str(exc))
    fail_on = str(settings.fail_on.value)
    if fail_on not in FAIL_LEVELS:
        fail_usage(f"{settings.fail_on.origin}: must be one of {', '.join(FAIL_LEVELS)}, not {fail_on!r}")
    try:
        reporter = get_reporter(str(settings.output.value))
    except ValueError as exc:
        fail_usage(f"{settings.output.origin}: {exc}")
    helm_values, helm_set = list(settings.helm_values.value), list(settings.helm_set.value)
    from_version = settings.from_version.value
    k8s_target, component_targets = parse_targets(list(settings.targets.value), settings.targets.origin)
    from_parsed = parse_version_option(settings.from_version.origin, from_version) if from_version else None
    try:  # shipped add-on tables (data/addons) are loaded for the components given a target
        table = load_table([Path(t) for t in settings.extra_tables.value], addons=component_targets)
    except TableError as exc:
        fail_usage(str(exc))
    unknown = sorted(set(component_targets) - set(table.components()))
    if unknown:
        fail_usage(f"--target: no table rows for component(s) {', '.join(unknown)} "
                   f"(known: {', '.join(sorted({*table.components(), *addon_components()}))})")
    for values_file in helm_values:
        if not Path(values_file).is_file():
            fail_usage(f"--values {values_file}: no such file")
    if helm_set:
        from pluto_py.sources.helm import check_set_expression

        for expression in helm_set:
            try:
                check_set_expression(expression)
            except ValueError as exc:
                fail_usage(str(exc))

    if k8s_target is not None and k8s_target > table.newest:
        print(f"{PROG}: warning: the table covers Kubernetes up to {table.newest}: APIs deprecated or removed "
              f"after it are not known at --target {k8s_target}", file=sys.stderr)
    request = ScanRequest(
        paths=list(settings.paths.value), targets=Targets(k8s_target or table.newest, component_targets),
        from_version=from_parsed, helm_values=tuple(helm_values), helm_set=tuple(helm_set),
        annotations=tuple(settings.annotations.value),
        path_filter=settings.path_filter if settings.path_filter else None, shard=shard,
        collect_objects=needs_objects(reporter))
    try:
        run = run_scan(request, table)
    except ScanRequestError as exc:
        fail_usage(str(exc))
    for warning in run.warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    result = run.result

    for error in result.errors:
        where = error.path if error.line is None else f"{error.path}:{error.line}"
        error_line(f"{where}: {error.message}")
    report_file = settings.output_file.value
    context = ReportContext(tool_version=__version__, fail_on=fail_on,
                            color=use_color(sys.stdout) and not report_file)
    report = reporter.render(result, context)
    if report_file:
        try:
            write_atomically(str(report_file), report)
        except OSError as exc:
            fail_usage(f"{settings.output_file.origin} {report_file}: cannot write: {exc.strerror or exc}")
        in_actions = os.environ.get("GITHUB_ACTIONS", "").lower() == "true"
        terminal = get_reporter("github" if in_actions else "text")  # annotations in Actions, text elsewhere
        sys.stdout.write(terminal.render(result, context._replace(color=use_color(sys.stdout))))
    else:
        sys.stdout.write(report)
    sys.stdout.flush()
    if result.errors:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if result_fails(result, fail_on) else EXIT_OK)


@app.command("list-versions")
def list_versions(
    output: Annotated[str, typer.Option("--output", "-o", metavar='FORMAT', help="text or json.")] = "text",
    extra_table: Annotated[list[Path] | None, typer.Option(
        "--extra-table", metavar='FILE', help="Include rows from these table files.")] = None,
) -> None:
    """List every API version the table knows, with when it was deprecated and removed."""
    from pluto_py.listing import render_listing
    from pluto_py.table import TableError, load_table

    try:
        table = load_table(extra_table or [], addons=True)  # shipped add-on tables too (data/addons)
        text = render_listing(table, output)
    except (TableError, ValueError) as exc:
        fail_usage(str(exc))
    sys.stdout.write(text)


# Further subcommands register here, each from its own module.
from pluto_py import cli_skew  # noqa: E402

app.command("skew")(cli_skew.skew)
from pluto_py import cli_fix  # noqa: E402

app.command("fix")(cli_fix.fix)
from pluto_py import cli_merge  # noqa: E402

app.command("merge-reports")(cli_merge.merge_reports)
from pluto_py import cli_preflight  # noqa: E402

app.command("preflight")(cli_preflight.preflight)


def _app_for(args: list[str]) -> typer.Typer:
    """``app`` with only the subcommand that ``args`` starts with, when it names one.

    typer builds the options of every registered command before it runs one (~15 ms for ours, on
    every pre-commit run); a run of one subcommand behaves the same with only that one registered.
    Anything else (no subcommand, --help, --version, a typo) gets the whole app.
    """
    if not args:
        return app
    chosen = [info for info in app.registered_commands
              if (info.name or getattr(info.callback, "__name__", "").lower().replace("_", "-")) == args[0]]
    if len(chosen) != 1:
        return app
    lean = copy.copy(app)
    lean.registered_commands = chosen
    return lean


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: never a traceback for bad input or bad flags."""
    from pluto_py import _typer_fast

    _typer_fast.install()  # plain str/Path options without importing pydantic (start-up time)
    try:
        _app_for(sys.argv[1:] if argv is None else argv)(args=argv, prog_name=PROG, standalone_mode=True)
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
