"""`kdeprecate scan`: flags to a ScanRequest, the pipeline's result to a report and an exit code.

(No ``from __future__ import annotations`` here: typer would evaluate every option's annotation string
at start-up.)
"""

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from pluto_py import __version__
from pluto_py.cli.common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    check_fail_on,
    emit,
    fail_usage,
    parse_targets,
    parse_version_option,
    report_errors,
    use_color,
    warning_line,
)


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
    from pluto_py.cli.config import ConfigError, resolve_scan_settings
    from pluto_py.core.table import TableError, addon_components, load_table
    from pluto_py.core.userfiles import write_atomic
    from pluto_py.pipeline.judge import Targets
    from pluto_py.pipeline.run import ScanRequest, ScanRequestError, run_scan
    from pluto_py.report import ReportContext, get_reporter, needs_objects, result_fails

    try:  # flags > KDEPRECATE_* > .kdeprecate.yaml / [tool.kdeprecate] > defaults
        settings = resolve_scan_settings(
            paths=paths, target=target, from_version=from_version, output=output, output_file=output_file,
            fail_on=fail_on, extra_table=[str(t) for t in extra_table or []], helm_values=helm_values,
            helm_set=helm_set, annotations=annotation, config_file=config_file, no_config=no_config)
    except ConfigError as exc:
        fail_usage(str(exc))
    fail_on = check_fail_on(str(settings.fail_on.value), settings.fail_on.origin)
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
        warning_line(f"the table covers Kubernetes up to {table.newest}: APIs deprecated or removed "
                     f"after it are not known at --target {k8s_target}")
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
        warning_line(warning)
    result = run.result

    report_errors(result.errors)
    report_file = settings.output_file.value
    context = ReportContext(tool_version=__version__, fail_on=fail_on,
                            color=use_color(sys.stdout) and not report_file)
    report = reporter.render(result, context)
    if report_file:
        try:
            write_atomic(str(report_file), report)
        except OSError as exc:
            fail_usage(f"{settings.output_file.origin} {report_file}: cannot write: {exc.strerror or exc}")
        in_actions = os.environ.get("GITHUB_ACTIONS", "").lower() == "true"
        terminal = get_reporter("github" if in_actions else "text")  # annotations in Actions, text elsewhere
        emit(terminal.render(result, context._replace(color=use_color(sys.stdout))))
    else:
        emit(report)
    if result.errors:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if result_fails(result, fail_on) else EXIT_OK)
