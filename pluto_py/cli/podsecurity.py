"""`kdeprecate podsecurity`: options, printing and exit codes; the analysis is pluto_py.podsecurity.

Exit status: 0 every namespace keeps its protection and admits its pods; 1 a namespace loses
enforcement or would refuse its pods (with --fix/--diff: or labels were, or would be, written);
2 usage errors or inputs that could not be read.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, TextIO

import typer

from pluto_py.cli.cluster_options import Context, Kubeconfig, RequestTimeout
from pluto_py.cli.common import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, PROG, error_at, fail_usage

if TYPE_CHECKING:
    from pluto_py.core.model import ScanError
    from pluto_py.core.versions import KubeVersion
    from pluto_py.podsecurity.model import PodSecurityReport


def podsecurity(
    paths: Annotated[list[str] | None, typer.Argument(
        metavar="PATH", help="Files, directories, charts or cluster dumps; '-' reads stdin. Default: '.'")] = None,
    target: Annotated[str | None, typer.Option(
        "--target", "-t", metavar="VERSION",
        help="Kubernetes version to judge at (1.29, v1.29). Default: newest release the table knows.")] = None,
    output: Annotated[str, typer.Option(
        "--output", "-o", metavar="FORMAT", help="text, json, yaml, markdown or github.")] = "text",
    namespace: Annotated[str, typer.Option(
        "--namespace", "-n", metavar="NS",
        help="Namespace of manifests that name none (as kubectl apply -n would place them).")] = "default",
    fix: Annotated[bool, typer.Option(
        "--fix", help="Write the suggested labels into the Namespace manifests of the input (byte-preserving).")
    ] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Show the label edits --fix would make; write nothing.")] = False,
    print_commands: Annotated[bool, typer.Option(
        "--print-commands", help="Print `kubectl label namespace` commands for the suggested labels instead of "
        "the report.")] = False,
    helm_values: Annotated[list[str] | None, typer.Option(
        "--values", "-f", metavar="FILE", help="Values file for the charts read, like helm -f.")] = None,
    helm_set: Annotated[list[str] | None, typer.Option(
        "--set", metavar="KEY=VALUE", help="Value for the charts read, like helm --set.")] = None,
    cluster: Annotated[bool, typer.Option(
        "--cluster", help="Also read the live cluster: every pod template, Namespace, PodSecurityPolicy and RBAC "
        "object as it runs. Needs the 'cluster' extra.")] = False,
    kubeconfig: Kubeconfig = None,
    context: Context = None,
    request_timeout: RequestTimeout = None,
) -> None:
    """Pod security across the upgrade: the Pod Security Standards level of every namespace, the
    PodSecurityPolicies that applied there, and the pod-security labels it needs at the target.

    Exit status: 0 every namespace keeps its protection; 1 a namespace loses enforcement (no enforce
    label where a PodSecurityPolicy applied) or would refuse its pods; 2 bad input.
    """
    from pathlib import Path

    from pluto_py import __version__
    from pluto_py.cli.common import parse_version_option

    if sum((fix, diff, print_commands)) > 1:
        fail_usage("--fix, --diff and --print-commands exclude each other")
    if target:
        target_version = parse_version_option("--target", target)
    else:
        from pluto_py.core.table import TableError, load_table

        try:
            target_version = load_table().newest
        except TableError as exc:
            fail_usage(str(exc))
    for values_file in helm_values or []:
        if not Path(values_file).is_file():
            fail_usage(f"--values {values_file}: no such file")
    settings: dict[str, Any] = {}
    if cluster:  # the live-cluster source, as for `scan --cluster`, yielding every object as it runs
        from pluto_py.cli.live import open_cluster

        settings["live-cluster"] = open_cluster(kubeconfig, context, None, request_timeout, all_objects=True)
    else:
        from pluto_py.cli.live import check_cluster_options

        check_cluster_options(cluster, kubeconfig=kubeconfig, context=context, request_timeout=request_timeout)
    options = PodSecurityOptions(
        paths=tuple(paths or ()), target=target_version, settings=settings, output=output,
        default_namespace=namespace, fix=fix, diff=diff, print_commands=print_commands,
        helm_values=tuple(helm_values or ()), helm_set=tuple(helm_set or ()))
    raise typer.Exit(run(options, __version__))


class PodSecurityOptions(NamedTuple):  # a NamedTuple: cheap to define on the start-up path
    paths: tuple[str, ...]
    target: KubeVersion
    output: str = "text"
    default_namespace: str = "default"
    fix: bool = False
    diff: bool = False
    print_commands: bool = False
    helm_values: tuple[str, ...] = ()
    helm_set: tuple[str, ...] = ()
    # Per-source settings keyed by registry name (pluto_py.sources.SOURCES): another source (a live
    # cluster) is read beside the paths when its settings ask for it.
    settings: Mapping[str, Any] = MappingProxyType({})


def run(options: PodSecurityOptions, tool_version: str, out: TextIO | None = None) -> int:
    """Read, analyze, report (and label): the exit status."""
    from dataclasses import replace

    from pluto_py.podsecurity.inputs import SourceDocuments
    from pluto_py.podsecurity.report import printable, renderer
    from pluto_py.podsecurity.run import check_sources

    stdout = out or sys.stdout
    try:
        render = renderer(options.output, tool_version)
    except ValueError as exc:
        fail_usage(f"--output: {exc}")
    try:
        inputs = SourceDocuments(options.paths, str(options.target), options.helm_values, options.helm_set,
                                 options.settings)
    except ValueError as exc:
        fail_usage(str(exc))
    result = check_sources(inputs, options.target, options.default_namespace)
    report = result.report
    for warning in result.warnings:
        print(f"{PROG}: warning: {printable(warning)}", file=sys.stderr)
    for notice in result.notices:
        print(f"{PROG}: note: {printable(notice.path)}: {printable(notice.message)}", file=sys.stderr)
    report_errors = list(report.errors)
    for error in report_errors:
        error_at(error.path, error.line, error.message)

    if options.print_commands:
        from pluto_py.podsecurity.fix import kubectl_commands

        stdout.write("".join(line + "\n" for line in kubectl_commands(report.namespaces)))
        stdout.flush()
        return EXIT_ERROR if report_errors else EXIT_FINDINGS if report.fails else EXIT_OK

    resolved: set[str] = set()
    changed = False
    if options.fix or options.diff:
        resolved, changed, label_errors = _label(report, write=options.fix and not options.diff, out=stdout,
                                                 show_diff=options.diff)
        report_errors += label_errors
        report = replace(report, errors=tuple(report_errors))
    if not options.diff:
        stdout.write(render(report))
    stdout.flush()
    if report_errors:
        return EXIT_ERROR
    unresolved = any(ns.fails and ns.namespace not in resolved for ns in report.namespaces)
    return EXIT_FINDINGS if unresolved or changed else EXIT_OK


def _label(report: PodSecurityReport, *, write: bool, out: TextIO,
           show_diff: bool) -> tuple[set[str], bool, list[ScanError]]:
    from pluto_py.cli.fix import unified_diff
    from pluto_py.podsecurity.fix import label_manifests
    from pluto_py.podsecurity.model import LABEL_PREFIX, Level, label_key
    from pluto_py.podsecurity.report import printable

    run_result = label_manifests(report.namespaces, write=write)
    for error in run_result.errors:
        error_at(error.path, error.line, error.message)
    verb = "Labelling" if write else "Would label"
    current = {namespace.namespace: namespace.labels for namespace in report.namespaces}
    for item in run_result.labelled:
        pairs = " ".join(f"{key.removeprefix(LABEL_PREFIX)}={value}" for key, value in item.labels.items())
        print(f"{printable(item.path)}:{item.line}: {verb} namespace {printable(item.namespace)}: {pairs}",
              file=sys.stderr)
        before = Level.parse(current.get(item.namespace, {}).get(label_key("enforce"), ""))
        after = Level.parse(item.labels.get(label_key("enforce"), ""))
        if before is not None and after is not None and after < before:
            print(f"    note: this lowers enforce from {before} to {after}, so that the pods listed are admitted; "
                  f"to keep {before}, change those workloads instead", file=sys.stderr)
    for namespace, why in run_result.skipped:
        print(f"{PROG}: namespace {printable(namespace)} not labelled: {printable(why)} (use --print-commands)",
              file=sys.stderr)
    if show_diff:
        for result in run_result.results:
            if result.changed:
                out.write(unified_diff(result))
    changed = any(result.changed for result in run_result.results)
    return {item.namespace for item in run_result.labelled}, changed, run_result.errors
