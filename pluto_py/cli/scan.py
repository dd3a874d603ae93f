"""`kdeprecate scan`: flags to a ScanRequest, the pipeline's result to a report and an exit code.

(No ``from __future__ import annotations`` here: typer would evaluate every option's annotation string
at start-up.)
"""

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from pluto_py.cli.cluster_options import Context, Kubeconfig, RequestTimeout
from pluto_py.cli.common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_OK,
    append_step_summary,
    check_fail_on,
    emit,
    fail_usage,
    info_line,
    parse_targets,
    parse_version_option,
    report_context,
    report_errors,
    use_color,
    warning_line,
)

# Shown at the end of `kdeprecate scan --help` (cli/__init__.py; the \b keeps click from re-wrapping the lines).
EPILOG = """Exit codes:

\b
  0  nothing at or above the --fail-on level
  1  findings at or above it
  2  usage error, or an input could not be read or parsed: the scan is
     incomplete (every other finding is still reported)"""


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
        help="Report format: text, json, yaml, csv, markdown, sarif, junit, github, gitlab (Code Quality) or "
        "prometheus. Default: text (github when GITHUB_ACTIONS=true).")] = None,
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", metavar='LEVEL',
        help="Exit 1 on findings at or above: removed (default), deprecated or none.")] = None,
    extra_table: Annotated[list[Path] | None, typer.Option(
        "--extra-table", metavar='FILE',
        help="More table rows (e.g. your CRDs), same schema as the built-in table, or Pluto's "
        "versions.yaml format.")] = None,
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
    cluster: Annotated[bool, typer.Option(
        "--cluster", help="Also scan the live cluster (every listable resource, Helm releases); --from defaults "
        "to its version. Needs the 'cluster' extra.")] = False,
    kubeconfig: Kubeconfig = None,
    context_name: Context = None,
    namespace: Annotated[list[str] | None, typer.Option(
        "--namespace", metavar="NS", help="With --cluster: read only these namespaces (repeatable).")] = None,
    request_timeout: RequestTimeout = None,
    no_metrics: Annotated[bool, typer.Option(
        "--no-metrics", help="With --cluster: do not read the API server's /metrics (the deprecated APIs any "
        "client requested since it started, apiserver_requested_deprecated_apis).")] = False,
    audit_log: Annotated[list[str] | None, typer.Option(
        "--audit-log", metavar="FILE",
        help="Kubernetes audit log (JSON lines, gzip, rotated files, a directory of them, '-'): report who "
        "called deprecated or removed APIs. Repeatable. Without PATHs, no files are scanned.")] = None,
    metrics: Annotated[list[str] | None, typer.Option(
        "--metrics", metavar="FILE",
        help="API server metrics text (kubectl get --raw /metrics): the apiserver_requested_deprecated_apis "
        "gauge. Repeatable.")] = None,
    include_system_clients: Annotated[bool, typer.Option(
        "--include-system-clients",
        help="Report the control plane's own calls in audit logs too (garbage collector, namespace "
        "controller, the API server itself, ...).")] = False,
    only_show_removed: Annotated[bool, typer.Option(
        "--only-show-removed", "-r",
        help="Leave out findings that are deprecated but not removed at the target, in every format and "
        "for the exit code (as Pluto's flag does). --fail-on still sets the level that fails.")] = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Print only findings and errors: no summary line, notes or warnings.")] = False,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v",
        help="Also say, on stderr, which configuration, targets and repository root were used and which "
        "files include/exclude skipped.")] = False,
) -> None:
    """Report objects whose apiVersion is deprecated or removed at the target version."""
    # Only what a plain scan of one file needs is imported here (a pre-commit hook pays for every
    # import on every commit): Helm, configuration files, cluster dumps, suppressions and CRD
    # tracking are imported by the branch that meets them (see docs/performance.md).
    from pluto_py.cli.config import ConfigError, resolve_scan_settings
    from pluto_py.core.model import STATUS_DEPRECATED
    from pluto_py.core.table import TableError, addon_components, load_table
    from pluto_py.core.userfiles import write_atomic
    from pluto_py.pipeline.judge import Targets
    from pluto_py.pipeline.run import ScanRequest, ScanRequestError, run_scan
    from pluto_py.report import get_reporter, needs_objects, result_fails

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

    if quiet and verbose:
        fail_usage("--quiet and --verbose: choose one")
    source_settings: dict[str, Any] = {}
    scan_paths = list(settings.paths.value)
    if cluster:  # the live cluster is a source besides the paths named on the command line (none: none)
        from pluto_py.cli.live import open_cluster

        live = open_cluster(kubeconfig, context_name, namespace, request_timeout, metrics=not no_metrics)
        source_settings["live-cluster"] = live  # pluto_py.sources.live.LiveClusterSource reads it
        scan_paths = list(paths or [])
        if from_parsed is None and live.version is not None:
            from_parsed = live.version.version
    elif kubeconfig or context_name or namespace or request_timeout or no_metrics:
        from pluto_py.cli.live import check_cluster_options

        check_cluster_options(cluster, kubeconfig=kubeconfig, context=context_name, namespace=namespace,
                              request_timeout=request_timeout, no_metrics=no_metrics)
    if audit_log:  # API usage evidence; with no PATH (nor configured paths) nothing else is scanned
        from pluto_py.sources.audit import AuditLogSettings

        source_settings["audit-log"] = AuditLogSettings(tuple(audit_log), include_system_clients)
    if metrics:
        from pluto_py.sources.metrics import MetricsSettings

        source_settings["metrics"] = MetricsSettings(tuple(metrics))
    warn = (lambda message: None) if quiet else warning_line
    if k8s_target is not None and k8s_target > table.newest:
        warn(f"the table covers Kubernetes up to {table.newest}: APIs deprecated or removed "
             f"after it are not known at --target {k8s_target}")
    if verbose:
        info_line(f"configuration: {settings.config.path or 'none'}")
        info_line("targets: " + ", ".join(f"{name} {version}" for name, version in
                                           Targets(k8s_target or table.newest, component_targets)
                                           .as_strings().items()) + f" ({settings.targets.origin})")
    request = ScanRequest(
        paths=scan_paths, targets=Targets(k8s_target or table.newest, component_targets),
        from_version=from_parsed, helm_values=tuple(helm_values), helm_set=tuple(helm_set),
        annotations=tuple(settings.annotations.value),
        path_filter=settings.path_filter if settings.path_filter else None, shard=shard,
        collect_objects=needs_objects(reporter),
        settings={**source_settings,
                  "paths": {"warn_unused_values": settings.helm_values.origin == "--values"
                            or bool(helm_set and settings.helm_set.origin == "--set"),
                            "charts": settings.chart_values.value}})
    try:
        run = run_scan(request, table)
    except ScanRequestError as exc:
        fail_usage(str(exc))
    for warning in run.warnings:
        warn(warning)
    result = run.result
    if only_show_removed:  # Pluto's display filter: deprecated-only findings are not reported at all
        result = result._replace(findings=tuple(f for f in result.findings if f.status != STATUS_DEPRECATED))
    if verbose:
        for skipped in settings.path_filter.skipped:
            info_line(f"{skipped}: skipped by include/exclude ({settings.config.path})")

    report_errors(result.errors)
    report_file = settings.output_file.value
    context = report_context(reporter, fail_on, color=use_color(sys.stdout) and not report_file, quiet=quiet)
    if verbose and context.source_root is not None:
        info_line(f"repository root (paths in the report are relative to it): {context.source_root}")
    report = reporter.render(result, context)
    if report_file:
        try:
            write_atomic(str(report_file), report)
        except OSError as exc:
            fail_usage(f"{settings.output_file.origin} {report_file}: cannot write: {exc.strerror or exc}")
        in_actions = os.environ.get("GITHUB_ACTIONS", "").lower() == "true"
        terminal = get_reporter("github" if in_actions else "text")  # annotations in Actions, text elsewhere
        emit(terminal.render(result, report_context(terminal, fail_on, color=use_color(sys.stdout), quiet=quiet)))
    else:
        emit(report)
    summary_error = append_step_summary(result, context)
    if summary_error:
        warn(summary_error)
    if result.errors:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if result_fails(result, fail_on) else EXIT_OK)
