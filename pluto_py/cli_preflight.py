"""`kdeprecate preflight`: the upgrade preflight (command-line side only).

Top-level imports stay light (typer and the standard library); the library is imported inside
the command.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

FAIL_LEVELS = ("blocker", "warning", "none")
TODAY_VARIABLE = "KDEPRECATE_TODAY"  # YYYY-MM-DD: judge dates (EOL, waiver expiry) as of that day


def preflight(
    paths: Annotated[list[str] | None, typer.Argument(
        metavar="PATH", help="Manifests, cluster dumps (kubectl get -A -o yaml), static Pod manifests, kubelet and "
        "kubeadm configuration files or directories. Default: '.' unless --cluster is given.")] = None,
    target: Annotated[str | None, typer.Option(
        "--target", "-t", metavar="VERSION", help="The Kubernetes version to upgrade to (required; or "
        "KDEPRECATE_TARGET / the configuration's target).")] = None,
    from_version: Annotated[str | None, typer.Option(
        "--from", metavar="VERSION", help="The cluster's current version (kube-apiserver).")] = None,
    cluster: Annotated[bool, typer.Option("--cluster", help="Read the live cluster (kubeconfig).")] = False,
    kubeconfig: Annotated[str | None, typer.Option("--kubeconfig", metavar="FILE",
                                                   help="Kubeconfig for --cluster.")] = None,
    context: Annotated[str | None, typer.Option("--context", metavar="NAME",
                                                help="Kubeconfig context for --cluster.")] = None,
    nodes: Annotated[list[str] | None, typer.Option(
        "--nodes", metavar="FILE", help="Output of `kubectl get nodes -o json` (repeatable): node versions, "
        "runtimes and images.")] = None,
    output: Annotated[str, typer.Option(
        "--output", "-o", metavar="FORMAT", help="text, json, markdown, html, sarif or junit.")] = "text",
    output_file: Annotated[str | None, typer.Option(
        "--output-file", metavar="FILE", help="Write the report to this file (atomically); the verdict line still "
        "goes to the terminal.")] = None,
    fail_on: Annotated[str, typer.Option(
        "--fail-on", metavar="LEVEL", help="Exit 1 on checks at or above: blocker (default), warning or none.")]
        = "blocker",
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", metavar="FILE", help="An earlier `preflight -o json` report: only checks not in it fail.")]
        = None,
    config_file: Annotated[str | None, typer.Option(
        "--config", metavar="FILE", help="Configuration file (waivers) instead of the discovered one.")] = None,
    no_config: Annotated[bool, typer.Option("--no-config", help="Ignore configuration files.")] = False,
) -> None:
    """One verdict and an ordered worklist of what breaks an in-place upgrade to the target.

    Exit status: 0 ready (or nothing at --fail-on), 1 blocked (or risky with --fail-on warning),
    2 bad usage or inputs that could not be read (the rest is still checked).
    """
    from pluto_py import __version__
    from pluto_py.cli_common import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, error_line, fail_usage, parse_version_option
    from pluto_py.config import ConfigError, discover, resolve_targets, target_key
    from pluto_py.model import Document, ScanError
    from pluto_py.preflight import PreflightRequest, run_preflight
    from pluto_py.preflight.facts import FactsError
    from pluto_py.preflight.render import printable, renderer
    from pluto_py.preflight.render.text import headline
    from pluto_py.preflight.sources_of_checks import (
        LiveClusterOptions,
        LiveClusterUnavailable,
        live_cluster_documents,
    )
    from pluto_py.preflight.waivers import WaiverError, load_baseline, waivers_from_config

    if fail_on not in FAIL_LEVELS:
        fail_usage(f"--fail-on: must be one of {', '.join(FAIL_LEVELS)}, not {fail_on!r}")
    try:
        render = renderer(output)
    except ValueError as exc:
        fail_usage(f"--output: {exc}")
    inputs = [*(paths or ([] if cluster else ["."])), *(nodes or [])]
    if "-" in inputs:
        fail_usage("preflight reads its inputs twice (objects and API versions): give a file instead of '-'")
    try:
        config = discover(explicit=config_file, disabled=no_config)
        targets = resolve_targets([target] if target else None, config, os.environ)
        waivers = tuple(waivers_from_config(config.get("preflight"), str(config.path)))
        baseline_prints = load_baseline(baseline) if baseline is not None else None
    except (ConfigError, WaiverError) as exc:
        fail_usage(str(exc))
    k8s = [value.partition("=")[2] if "=" in value else value for value in targets.value if target_key(value) == "k8s"]
    if not k8s:
        fail_usage("--target: give the Kubernetes version to upgrade to (e.g. --target 1.30)")
    target_version = parse_version_option(targets.origin, k8s[-1])
    from_parsed = parse_version_option("--from", from_version) if from_version else None
    if from_parsed is not None and target_version < from_parsed:
        fail_usage(f"--target {target_version} is older than --from {from_parsed}: preflight checks upgrades")
    today_text = os.environ.get(TODAY_VARIABLE, "").strip()
    try:
        today = date.fromisoformat(today_text) if today_text else date.today()
    except ValueError:
        fail_usage(f"{TODAY_VARIABLE}: {today_text!r} is not a date (YYYY-MM-DD)")
    extra: tuple[Document | ScanError, ...] = ()
    if cluster:
        try:
            extra = tuple(live_cluster_documents(LiveClusterOptions(kubeconfig, context)))
        except LiveClusterUnavailable as exc:
            fail_usage(str(exc))
    request = PreflightRequest(paths=inputs, target=target_version, today=today, from_version=from_parsed,
                               waivers=waivers, baseline=baseline_prints, extra_documents=extra)
    try:
        report = run_preflight(request)
    except (FactsError, ValueError) as exc:  # broken installation, or a scan that cannot run
        fail_usage(str(exc))
    for error in report.errors:
        where = error.path if error.line is None else f"{error.path}:{error.line}"
        error_line(printable(f"{where}: {error.message}"))
    text = render(report, __version__, fail_on)
    if output_file:
        from pluto_py.report import write_atomically

        try:
            write_atomically(output_file, text)
        except OSError as exc:
            fail_usage(f"--output-file {output_file}: cannot write: {exc.strerror or exc}")
        sys.stdout.write(headline(report) + "\n")
    else:
        sys.stdout.write(text)
    sys.stdout.flush()
    if report.errors:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if report.failing(fail_on) else EXIT_OK)
