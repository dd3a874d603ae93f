"""`kdeprecate bluegreen`: blue/green readiness (command-line side only; the body is pluto_py.bluegreen.command).

Top-level imports stay light (typer and the standard library); the library is imported inside the command.
"""

from __future__ import annotations

from typing import Annotated

import typer


def bluegreen(
    blue_paths: Annotated[list[str] | None, typer.Argument(
        metavar="BLUE_PATH", help="What runs on blue: cluster dumps (kubectl get ... -o yaml, Helm release "
        "Secrets), manifests, charts; directories are read recursively, '-' reads stdin.")] = None,
    blue_context: Annotated[str | None, typer.Option(
        "--blue-context", metavar="CONTEXT",
        help="Read blue from this kubeconfig context (with the live-cluster source).")] = None,
    green_version: Annotated[str | None, typer.Option(
        "--green-version", metavar="VERSION", help="Green's Kubernetes version: its built-in served APIs.")] = None,
    green_context: Annotated[str | None, typer.Option(
        "--green-context", metavar="CONTEXT",
        help="Read green from this kubeconfig context (with the live-cluster source).")] = None,
    green_api_resources: Annotated[list[str] | None, typer.Option(
        "--green-api-resources", metavar="FILE", help="Green's `kubectl api-resources [-o wide]` or "
        "`kubectl api-versions` output (repeatable).")] = None,
    green: Annotated[list[str] | None, typer.Option(
        "--green", metavar="GREEN_PATH", help="A dump of green's objects (repeatable; directories recursive).")] = None,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", metavar="FORMAT", help="text, json, yaml, csv, markdown, sarif, junit or github. "
        "Default: text (github when GITHUB_ACTIONS=true).")] = None,
    output_file: Annotated[str | None, typer.Option(
        "--output-file", metavar="FILE", help="Write the report to this file; the verdict still goes to the "
        "terminal.")] = None,
) -> None:
    """Can everything on blue (the old cluster) run on green (the new one), and may traffic switch?

    Green's descriptions combine: give as many as you have. Exit status: 0 ready, 1 blockers, 2 an input
    could not be read (or bad options).
    """
    from pluto_py.bluegreen.command import run

    raise typer.Exit(run(blue_paths or [], blue_context=blue_context, green_paths=green or [],
                         green_version=green_version, green_context=green_context,
                         green_api_resources=green_api_resources or [], output=output, output_file=output_file))
