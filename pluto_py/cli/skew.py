"""`kdeprecate skew`: the version skew checker and upgrade planner (command-line side only).

Top-level imports stay light (typer and the standard library); the library is imported inside
the command.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from pluto_py.cli.cluster_options import Context, Kubeconfig, RequestTimeout

_VERSION_HELP = "[NAME=]VERSION, repeatable"


def skew(
    apiserver: Annotated[list[str] | None, typer.Option(
        "--apiserver", metavar="[NAME=]VERSION",
        help=f"kube-apiserver version ({_VERSION_HELP}: one per HA instance).")] = None,
    controller_manager: Annotated[list[str] | None, typer.Option(
        "--controller-manager", metavar="[NAME=]VERSION",
        help=f"kube-controller-manager version ({_VERSION_HELP}; a NAME that "
        "matches an --apiserver NAME means it talks to that instance only).")] = None,
    scheduler: Annotated[list[str] | None, typer.Option(
        "--scheduler", metavar="[NAME=]VERSION",
        help=f"kube-scheduler version ({_VERSION_HELP}).")] = None,
    cloud_controller_manager: Annotated[list[str] | None, typer.Option(
        "--cloud-controller-manager", metavar="[NAME=]VERSION",
        help=f"cloud-controller-manager version ({_VERSION_HELP}).")] = None,
    kubelet: Annotated[list[str] | None, typer.Option(
        "--kubelet", metavar="[NAME=]VERSION",
        help=f"kubelet version ({_VERSION_HELP}; NAME is the node, and replaces that node's "
        "version from --nodes).")] = None,
    kube_proxy: Annotated[list[str] | None, typer.Option(
        "--kube-proxy", metavar="[NAME=]VERSION",
        help=f"kube-proxy version ({_VERSION_HELP}; NAME is the node, so the same-node "
        "rule against its kubelet is checked).")] = None,
    kubectl: Annotated[str | None, typer.Option(
        "--kubectl", metavar="VERSION", help="kubectl (client) version.")] = None,
    nodes: Annotated[list[str] | None, typer.Option(
        "--nodes", metavar="FILE",
        help="Output of `kubectl get nodes -o json` (or -o yaml); '-' reads stdin. Repeatable.")] = None,
    version_info: Annotated[str | None, typer.Option(
        "--version-info", metavar="FILE",
        help="Output of `kubectl version -o json`: server and client versions.")] = None,
    target: Annotated[str | None, typer.Option(
        "--target", "-t", metavar="VERSION",
        help="Plan the upgrade of the control plane to this version.")] = None,
    nodes_to_target: Annotated[bool, typer.Option(
        "--nodes-to-target", help="End the plan with every node at the target (default: only the node "
        "rollouts the policy requires).")] = False,
    scan: Annotated[list[str] | None, typer.Option(
        "--scan", metavar="PATH",
        help="Scan these manifests at every control-plane hop of the plan and attach what must "
        "be migrated before each hop. Repeatable; '-' reads stdin.")] = None,
    policy_file: Annotated[Path | None, typer.Option(
        "--policy", metavar="FILE",
        help="Use this skew policy file instead of the built-in one (same schema).")] = None,
    output: Annotated[str, typer.Option("--output", "-o", metavar="FORMAT", help="text or json.")] = "text",
    cluster: Annotated[bool, typer.Option(
        "--cluster", help="Read the versions from the live cluster: /version, every node, and control-plane "
        "pods in kube-system where visible. Needs the 'cluster' extra.")] = False,
    kubeconfig: Kubeconfig = None,
    context_name: Context = None,
    request_timeout: RequestTimeout = None,
) -> None:
    """Check component versions against the Kubernetes version skew policy and plan upgrades.

    Exit status: 0 within policy, 1 outside it, 2 bad input.
    """
    from pluto_py import __version__
    from pluto_py.cli.common import (
        EXIT_ERROR,
        EXIT_FINDINGS,
        EXIT_OK,
        emit,
        fail_usage,
        parse_version_option,
        report_errors,
        use_color,
    )
    from pluto_py.skew import InputError, PlanError, PolicyError, analyze, build_state, load_policy
    from pluto_py.skew.report import render_json, render_text, with_scan

    if output not in ("text", "json"):
        fail_usage(f"--output: must be text or json, not {output!r}")
    target_version = parse_version_option("--target", target) if target else None
    if scan and target_version is None:
        fail_usage("--scan needs --target: findings are attached to the hops of a plan")
    if nodes_to_target and target_version is None:
        fail_usage("--nodes-to-target needs --target")
    stdin_users = [name for name, used in (("--nodes", "-" in (nodes or [])), ("--version-info", version_info == "-"),
                                           ("--scan", "-" in (scan or []))) if used]
    if len(stdin_users) > 1:
        fail_usage(f"only one of {', '.join(stdin_users)} can read stdin ('-')")

    flags = {
        "kube-apiserver": apiserver or [],
        "kube-controller-manager": controller_manager or [],
        "kube-scheduler": scheduler or [],
        "cloud-controller-manager": cloud_controller_manager or [],
        "kubelet": kubelet or [],
        "kube-proxy": kube_proxy or [],
        "kubectl": [kubectl] if kubectl else [],
    }
    live = None
    if cluster:  # the cluster gives what --nodes/--version-info would; flags given here still win
        from pluto_py.cli.live import read_skew_cluster

        live = read_skew_cluster(kubeconfig, context_name, request_timeout)
        for component, values in live.flags.items():
            flags[component] = flags[component] or list(values)
    elif kubeconfig or context_name or request_timeout:
        from pluto_py.cli.live import check_cluster_options

        check_cluster_options(cluster, kubeconfig=kubeconfig, context=context_name, request_timeout=request_timeout)
    try:
        policy = load_policy(policy_file)
        state = build_state(flags, nodes_files=nodes or [], version_file=version_info,
                            nodes=live.nodes if live else (), version_record=live.version if live else None)
    except (InputError, PolicyError) as exc:
        fail_usage(str(exc))
    if live is not None:
        from dataclasses import replace

        state = replace(state, notes=(*state.notes, *live.notes))
    if not state.instances:
        fail_usage("no versions given: use --apiserver/--kubelet/... or --nodes and --version-info")
    if not state.apiservers:
        fail_usage("no kube-apiserver version: give --apiserver VERSION, or --version-info with a serverVersion")
    try:
        report = analyze(state, policy, target_version, nodes_to_target=nodes_to_target)
    except PlanError as exc:
        fail_usage(f"--target: {exc}")

    if scan and report.plan is not None and report.plan.steps:
        from pluto_py.core.table import TableError
        from pluto_py.pipeline.run import ScanRequestError
        from pluto_py.skew.scan_hops import scan_for_hops

        try:
            hops = scan_for_hops(scan, report.plan.hops, report.plan.current)
        except (TableError, ScanRequestError) as exc:
            fail_usage(str(exc))
        plan = report.plan.with_scan(hops.removed, hops.deprecated)
        report = with_scan(report, plan, hops.errors, hops.files, hops.documents)
        report_errors(report.scan_errors)

    if output == "json":
        emit(render_json(report, __version__))
    else:
        emit(render_text(report, color=use_color(sys.stdout)))
    if report.scan_errors:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_OK if report.within_policy else EXIT_FINDINGS)
