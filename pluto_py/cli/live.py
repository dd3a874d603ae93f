"""`--cluster` for `scan`, `skew` and `preflight` (command-line side only): options checked, the cluster opened.

Imported only when --cluster (or one of its options) is given: the client library and the live
source stay off the file-scan path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pluto_py.cli.common import fail_usage

if TYPE_CHECKING:
    from pluto_py.skew.live import ClusterVersions
    from pluto_py.sources.live import LiveCluster


def check_cluster_options(cluster: bool, **given: object) -> None:
    """--kubeconfig and friends mean nothing without --cluster: say so instead of ignoring them."""
    if not cluster:
        named = [f"--{name.replace('_', '-')}" for name, value in given.items() if value]
        if named:
            fail_usage(f"{', '.join(named)} only {'applies' if len(named) == 1 else 'apply'} with --cluster")


def parse_timeout(value: str | None) -> float:
    from pluto_py.sources.live import REQUEST_TIMEOUT

    if value is None:
        return REQUEST_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 3600:
        fail_usage(f"--request-timeout: expected seconds (a number above 0, at most 3600), not {value!r}")
    return seconds


def open_cluster(kubeconfig: str | None, context: str | None, namespaces: list[str] | None,
                 timeout: str | None, *, all_objects: bool = False, metrics: bool = False) -> LiveCluster:
    """The live cluster for the ``live-cluster`` source (connected, /version read, or holding the
    reason it is not); ``all_objects``: it yields every object, not only applied configurations;
    ``metrics``: it also reads the API server's /metrics (the deprecated APIs requested)."""
    from pluto_py.sources.live import ClientMissingError, ClusterOptions, LiveCluster

    for namespace in namespaces or []:
        if not namespace or "/" in namespace:
            fail_usage(f"--namespace: not a namespace name: {namespace!r}")
    options = ClusterOptions(kubeconfig=kubeconfig, context=context, namespaces=tuple(namespaces or ()),
                             timeout=parse_timeout(timeout), all_objects=all_objects, metrics=metrics)
    try:
        return LiveCluster.open(options)
    except ClientMissingError as exc:
        fail_usage(str(exc))


def read_skew_cluster(kubeconfig: str | None, context: str | None, timeout: str | None) -> ClusterVersions:
    """The versions `skew --cluster` checks; any failure is one line and exit 2."""
    from pluto_py.skew.inputs import InputError
    from pluto_py.skew.live import read_cluster_versions
    from pluto_py.sources.live import ClusterOptions, LiveClusterError, connect

    try:
        connection = connect(ClusterOptions(kubeconfig=kubeconfig, context=context, timeout=parse_timeout(timeout)))
    except LiveClusterError as exc:
        fail_usage(str(exc))
    try:
        return read_cluster_versions(connection)
    except InputError as exc:
        fail_usage(str(exc))
    finally:
        connection.close()
