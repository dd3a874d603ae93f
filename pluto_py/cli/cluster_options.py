"""The options that open a live cluster, declared once for every command that reads one (scan, skew,
podsecurity, preflight); the cluster itself is opened by cli/live.py. (No ``from __future__ import
annotations``: typer reads these annotations at run time.)"""

from typing import Annotated

import typer

Kubeconfig = Annotated[str | None, typer.Option(
    "--kubeconfig", metavar="FILE",
    help="Kubeconfig file for --cluster (default: $KUBECONFIG, ~/.kube/config, or the pod's service account).")]
Context = Annotated[str | None, typer.Option(
    "--context", metavar="NAME", help="Kubeconfig context for --cluster (default: the current one).")]
RequestTimeout = Annotated[str | None, typer.Option(
    "--request-timeout", metavar="SECONDS", help="With --cluster: seconds each request may take (30).")]
