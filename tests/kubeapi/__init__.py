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

from tests.kubeapi.server import KubeAPIServer, RecordedRequest

__all__ = ["KubeAPIServer", "RecordedRequest"]
