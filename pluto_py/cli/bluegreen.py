"""`kdeprecate bluegreen`: blue/green readiness (the command-line side; the library is pluto_py.bluegreen).

Top-level imports stay light (typer and the standard library); the library is imported inside the command.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Annotated

import typer

STDIN = "-"


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
    kubeconfig: Annotated[str | None, typer.Option(
        "--kubeconfig", metavar="FILE", help="Kubeconfig file for --blue-context and --green-context (default: "
        "$KUBECONFIG, ~/.kube/config).")] = None,
    request_timeout: Annotated[str | None, typer.Option(
        "--request-timeout", metavar="SECONDS",
        help="With --blue-context or --green-context: seconds each request may take (30).")] = None,
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
    raise typer.Exit(run(blue_paths or [], blue_context=blue_context, green_paths=green or [],
                         green_version=green_version, green_context=green_context,
                         green_api_resources=green_api_resources or [], output=output, output_file=output_file,
                         kubeconfig=kubeconfig, request_timeout=request_timeout))


def run(blue_paths: Sequence[str], *, blue_context: str | None, green_paths: Sequence[str],
        green_version: str | None, green_context: str | None, green_api_resources: Sequence[str],
        output: str | None, output_file: str | None, kubeconfig: str | None = None,
        request_timeout: str | None = None) -> int:
    """The body of the command: checks the options, assesses, prints the report and the input errors.
    UsageError (via fail_usage) for bad options. Returns the exit code."""
    from pluto_py import __version__
    from pluto_py.bluegreen import ReadinessRequest, assess
    from pluto_py.bluegreen.report import get_renderer
    from pluto_py.bluegreen.report.text import summary_line
    from pluto_py.cli.common import error_at, fail_usage, parse_version_option, use_color
    from pluto_py.report.escape import printable

    if not blue_paths and blue_context is None:
        fail_usage("nothing describes blue: give BLUE_PATH... (dumps, manifests, charts) or --blue-context")
    if not (green_paths or green_version or green_context or green_api_resources):
        fail_usage("nothing describes green: give --green-version, --green-context, --green-api-resources "
                   "or --green (they combine)")
    readers = [name for name, paths in (("BLUE_PATH", blue_paths), ("--green", green_paths),
                                        ("--green-api-resources", green_api_resources)) if STDIN in paths]
    if len(readers) > 1 or any(list(paths).count(STDIN) > 1 for paths in (blue_paths, green_paths)):
        fail_usage(f"only one input can read stdin ('-'), not {' and '.join(readers) or 'two'}")
    timeout: float | None = None
    if blue_context is None and green_context is None:
        given = [name for name, value in (("--kubeconfig", kubeconfig), ("--request-timeout", request_timeout))
                 if value is not None]
        if given:
            fail_usage(f"{' and '.join(given)} only {'applies' if len(given) == 1 else 'apply'} with "
                       "--blue-context or --green-context")
    elif request_timeout is not None:
        from pluto_py.cli.live import parse_timeout

        timeout = parse_timeout(request_timeout)
    in_actions = os.environ.get("GITHUB_ACTIONS", "").lower() == "true"
    try:
        renderer = get_renderer(output or ("github" if in_actions else "text"))
    except ValueError as exc:
        fail_usage(f"--output: {exc}")
    request = ReadinessRequest(
        blue_paths=tuple(blue_paths), blue_context=blue_context, green_paths=tuple(green_paths),
        green_version=parse_version_option("--green-version", green_version) if green_version else None,
        green_context=green_context, green_api_resources=tuple(green_api_resources), kubeconfig=kubeconfig,
        request_timeout=timeout)
    readiness = assess(request)

    for error in readiness.errors:
        error_at(printable(error.path), error.line, printable(error.message))
    color = use_color(sys.stdout)
    if output_file:
        from pluto_py.core.userfiles import write_atomic

        try:
            write_atomic(output_file, renderer(readiness, __version__, False))
        except OSError as exc:
            fail_usage(f"--output-file {output_file}: cannot write: {exc.strerror or exc}")
        sys.stdout.write(summary_line(readiness) + "\n")
    else:
        sys.stdout.write(renderer(readiness, __version__, color))
    sys.stdout.flush()
    return readiness.exit_code
