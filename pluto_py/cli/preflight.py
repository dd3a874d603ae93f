"""`kdeprecate preflight`: the upgrade preflight (command-line side only).

Top-level imports stay light (typer and the standard library); the library is imported inside
the command.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from pluto_py.cli.cluster_options import Context, Kubeconfig, RequestTimeout

FAIL_LEVELS = ("blocker", "warning", "none")
TODAY_VARIABLE = "KDEPRECATE_TODAY"  # YYYY-MM-DD: judge dates (EOL, waiver expiry) as of that day


def preflight(
    paths: Annotated[list[str] | None, typer.Argument(
        metavar="PATH", help="Manifests, cluster dumps (kubectl get -A -o yaml), static Pod manifests, kubelet and "
        "kubeadm configuration files, charts or directories; '-' reads stdin. Default: '.' unless --cluster is "
        "given.")] = None,
    target: Annotated[str | None, typer.Option(
        "--target", "-t", metavar="VERSION", help="The Kubernetes version to upgrade to (required; or "
        "KDEPRECATE_TARGET / the configuration's target).")] = None,
    from_version: Annotated[str | None, typer.Option(
        "--from", metavar="VERSION", help="The cluster's current version (kube-apiserver).")] = None,
    cluster: Annotated[bool, typer.Option(
        "--cluster", help="Also read the live cluster: every object as it runs (--from defaults to its version). "
        "Needs the 'cluster' extra.")] = False,
    kubeconfig: Kubeconfig = None,
    context: Context = None,
    request_timeout: RequestTimeout = None,
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
    """Find what breaks an in-place upgrade, in one worklist.

    One verdict (ready, risky, blocked) and the checks ordered by what to fix first, grouped by
    namespace.

    Exit status: 0 ready (or nothing at --fail-on), 1 blocked (or risky with --fail-on warning),
    2 bad usage or inputs that could not be read (the rest is still checked).
    """
    from datetime import date

    from pluto_py import __version__
    from pluto_py.cli.common import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, error_at, fail_usage, parse_version_option
    from pluto_py.cli.config import ConfigError, discover, resolve_targets, target_key
    from pluto_py.core.table import TableError
    from pluto_py.pipeline.run import ScanRequestError
    from pluto_py.preflight import PreflightRequest, run_preflight
    from pluto_py.preflight.facts import FactsError
    from pluto_py.preflight.render import renderer
    from pluto_py.preflight.render.text import headline
    from pluto_py.preflight.waivers import WaiverError, load_baseline, waivers_from_config
    from pluto_py.report.escape import printable

    if fail_on not in FAIL_LEVELS:
        fail_usage(f"--fail-on: must be one of {', '.join(FAIL_LEVELS)}, not {fail_on!r}")
    try:
        render = renderer(output)
    except ValueError as exc:
        fail_usage(f"--output: {exc}")
    inputs = [*(paths or ([] if cluster else ["."])), *(nodes or [])]
    if inputs.count("-") > 1:
        fail_usage("only one input can read stdin ('-')")
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
    today_text = os.environ.get(TODAY_VARIABLE, "").strip()
    try:
        today = date.fromisoformat(today_text) if today_text else date.today()
    except ValueError:
        fail_usage(f"{TODAY_VARIABLE}: {today_text!r} is not a date (YYYY-MM-DD)")
    settings: dict[str, Any] = {}
    if cluster:  # the live-cluster source, as for `scan --cluster`, but yielding every object as it runs
        from pluto_py.cli.live import open_cluster

        live = open_cluster(kubeconfig, context, None, request_timeout, all_objects=True)
        settings["live-cluster"] = live  # pluto_py.sources.live.LiveClusterSource reads it
        if from_parsed is None and live.version is not None:
            from_parsed = live.version.version
    else:
        from pluto_py.cli.live import check_cluster_options

        check_cluster_options(cluster, kubeconfig=kubeconfig, context=context, request_timeout=request_timeout)
    if from_parsed is not None and target_version < from_parsed:
        fail_usage(f"--target {target_version} is older than --from {from_parsed}: preflight checks upgrades")
    request = PreflightRequest(paths=inputs, target=target_version, today=today, from_version=from_parsed,
                               waivers=waivers, baseline=baseline_prints, settings=settings)
    try:
        report = run_preflight(request)
    except (FactsError, TableError, ScanRequestError) as exc:  # a broken installation, or a scan that cannot run
        fail_usage(str(exc))
    for error in report.errors:
        error_at(printable(error.path), error.line, printable(error.message))
    text = render(report, __version__, fail_on)
    if output_file:
        from pluto_py.core.userfiles import write_atomic

        try:
            write_atomic(output_file, text)
        except OSError as exc:
            fail_usage(f"--output-file {output_file}: cannot write: {exc.strerror or exc}")
        sys.stdout.write(headline(report) + "\n")
    else:
        sys.stdout.write(text)
    sys.stdout.flush()
    if report.errors:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if report.failing(fail_on) else EXIT_OK)
