"""A Kubernetes API server stand-in for tests: real HTTPS on 127.0.0.1, the API's wire format.

No API server can be installed here, so tests run real clients (the `kubernetes` library, through
kdeprecate) against this one. It answers as a real release does:

* ``/version`` (``git_version`` may carry a vendor suffix: ``v1.24.17-eks-abc123``,
  ``v1.29.4-gke.1043002``), ``/api``, ``/apis``, ``/api/v1`` and ``/apis/GROUP/VERSION`` discovery
  documents of the chosen ``release``: the built-in groups a default cluster serves (from
  data/served_apis.yaml, without alpha versions and off-by-default betas), with real resource names,
  kinds, scope, verbs, short names and subresources (``pods/status``, ``deployments/scale``); custom
  resources of the CRD objects loaded; the aggregated ``metrics.k8s.io/v1beta1``.
* Lists (``/api/v1/pods``, ``/apis/apps/v1/namespaces/NS/deployments``) as ``{kind: PodList,
  apiVersion, metadata: {resourceVersion, continue, remainingItemCount}, items}``, items in etcd key
  order and WITHOUT apiVersion/kind; ``limit`` and ``continue`` honoured; equality label selectors.
* Errors as ``Status`` objects: 401 without valid credentials (bearer token from ``tokens``, or a
  client certificate signed by ``ca``, user = its CN), and per resource or path, on request:
  ``fail(target, status, times=)`` (403, 500, 503, ...), ``delay(target, seconds)``,
  ``expire_continue(resource, times=1)`` (410 Gone, reason Expired, for the next continue token).
* ``/metrics`` as kube-apiserver writes it (text format: HELP/TYPE lines, sorted labels), with one
  ``apiserver_requested_deprecated_apis`` sample per ``deprecated_api_requested(...)``.
* Aggregated APIs: each APIService object loaded with a ``service`` makes its group/version discoverable
  (metrics-server's resources for ``metrics.k8s.io``), answered 503 when its status is not Available.
* Only GET is served (405 otherwise); every request is recorded in ``requests``, so tests can
  assert read-only access.

Usage::

    with KubeAPIServer(release="1.29", git_version="v1.29.4-gke.1043002") as api:
        api.load_yaml(Path("fixtures/cluster/get-all.yaml"))  # or api.add({...}, ...)
        config = api.kubeconfig(context="prod")                # CA data + the admin token
        cert, key = api.client_cert("alice")                   # PEM bytes for a client-cert user
        ... run the client against api.url ...
        assert set(api.paths_requested("POST")) == set()

Objects may be added before or after ``start()``; CRDs must be added for their custom resources to
be served. ``add_generated`` serves many objects made on demand (benchmarks) without storing them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tests.kubeapi.server import KubeAPIServer, RecordedRequest

if TYPE_CHECKING:
    import pytest

__all__ = ["KubeAPIServer", "RecordedRequest", "isolate_kubeconfig", "readme_cluster", "readme_kubeconfig"]


def isolate_kubeconfig(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Nothing of the machine running the tests reaches the client: no ~/.kube/config (HOME is ``home``), no
    KUBECONFIG, no in-cluster service account, no proxy."""
    monkeypatch.setenv("HOME", str(home))
    for name in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)


def readme_cluster() -> KubeAPIServer:
    """The cluster the README's "Scanning a live cluster" examples run against (not started): the
    objects of fixtures/cluster/all-and-secrets.yaml and the nodes of fixtures/skew/kubeadm at
    v1.28.4; users ``admin`` (token ``t0ken-admin``) and ``viewer`` (``t0ken-viewer``, who may not
    list Secrets)."""
    import json

    fixtures = Path(__file__).resolve().parents[2] / "fixtures"
    api = KubeAPIServer("1.28", "v1.28.4", tokens={"t0ken-admin": "admin", "t0ken-viewer": "viewer"})
    api.load_yaml(fixtures / "cluster" / "all-and-secrets.yaml")
    api.add(json.loads((fixtures / "skew" / "kubeadm" / "nodes.json").read_text()))
    api.fail("secrets", 403, user="viewer")
    return api


def readme_kubeconfig(api: KubeAPIServer) -> dict[str, object]:
    """Contexts ``prod`` (current, admin) and ``viewer`` for ``readme_cluster``."""
    config = api.kubeconfig(context="prod")
    viewer = api.kubeconfig(context="viewer", user={"token": "t0ken-viewer"})
    for key in ("clusters", "users", "contexts"):
        config[key] += viewer[key]
    return config
