"""A kubectl exec credential plugin for tests: prints an ExecCredential with a bearer token.

Usage in a kubeconfig user: ``exec: {apiVersion: client.authentication.k8s.io/v1, command: python3,
args: [tests/kubeapi/exec_plugin.py, TOKEN], interactiveMode: Never}``. It answers in the apiVersion
the client asked for (KUBERNETES_EXEC_INFO), as real plugins (aws eks get-token, gke-gcloud-auth-plugin,
kubelogin) do. ``--fail`` makes it exit 1 with a message on stderr.
"""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> int:
    if "--fail" in argv:
        print("plugin: no credentials for this cluster (log in first)", file=sys.stderr)
        return 1
    info = json.loads(os.environ.get("KUBERNETES_EXEC_INFO") or "{}")
    api_version = info.get("apiVersion") or "client.authentication.k8s.io/v1"
    print(json.dumps({"apiVersion": api_version, "kind": "ExecCredential",
                      "status": {"token": argv[0], "expirationTimestamp": "2099-01-01T00:00:00Z"}}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
