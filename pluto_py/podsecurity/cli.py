"""The typer function of `kdeprecate podsecurity`: options only; the body is pluto_py.podsecurity.command."""

from __future__ import annotations

from typing import Annotated

import typer


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
) -> None:
    """Pod security across the upgrade: the Pod Security Standards level of every namespace, the
    PodSecurityPolicies that applied there, and the pod-security labels it needs at the target.

    Exit status: 0 every namespace keeps its protection; 1 a namespace loses enforcement (no enforce
    label where a PodSecurityPolicy applied) or would refuse its pods; 2 bad input.
    """
    from pathlib import Path

    from pluto_py import __version__
    from pluto_py.cli_common import fail_usage, parse_version_option
    from pluto_py.podsecurity.command import PodSecurityOptions, run

    if sum((fix, diff, print_commands)) > 1:
        fail_usage("--fix, --diff and --print-commands exclude each other")
    if target:
        target_version = parse_version_option("--target", target)
    else:
        from pluto_py.table import TableError, load_table

        try:
            target_version = load_table().newest
        except TableError as exc:
            fail_usage(str(exc))
    for values_file in helm_values or []:
        if not Path(values_file).is_file():
            fail_usage(f"--values {values_file}: no such file")
    options = PodSecurityOptions(
        paths=tuple(paths or ()), target=target_version, output=output, default_namespace=namespace, fix=fix,
        diff=diff, print_commands=print_commands, helm_values=tuple(helm_values or ()),
        helm_set=tuple(helm_set or ()))
    raise typer.Exit(run(options, __version__))
