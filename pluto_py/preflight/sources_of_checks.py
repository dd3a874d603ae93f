"""Adapters for the parts of kdeprecate that preflight will use once they land on main.

Each is one function with the signature preflight calls; today each returns nothing (or says the
source is not available), and the integrator fills it in when the branch lands:

* ``addon_checks``        -- branch ``addons`` (pluto_py/addons.py): add-ons whose documented support
                              excludes the target (findings with status "unsupported") become
                              ``addon-unsupported`` blockers.
* ``pod_security_checks`` -- branch ``podsec`` (pluto_py/podsecurity/): workloads that the namespace's
                              Pod Security level would reject become ``pod-security-violation`` warnings.
* ``live_cluster_documents`` -- branch ``live`` (pluto_py/sources/live.py): `preflight --cluster` reads
                              the live cluster's objects as Documents (the same Documents a dump gives),
                              and the rest of preflight works unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pluto_py.model import Document, ScanError
from pluto_py.preflight.context import PreflightContext
from pluto_py.preflight.model import BLOCKER, WARNING, Check, Rule

ADDON_UNSUPPORTED = "addon-unsupported"
POD_SECURITY_VIOLATION = "pod-security-violation"


def addon_checks(context: PreflightContext) -> list[Check]:
    """Add-ons (from their images in ``context.view``) that do not support ``context.target``.

    Waiting for branch ``addons``: call its judge on ``context.view``'s workloads and turn each
    unsupported add-on into Check(id=ADDON_UNSUPPORTED, severity=BLOCKER, object=<the workload>,
    evidence={"addon", "version", "image", "supported"}, key=("addon",)).
    """
    return []


def pod_security_checks(context: PreflightContext) -> list[Check]:
    """Workloads the Pod Security admission of their namespace would reject.

    Waiting for branch ``podsec``: evaluate each namespace's enforce level (its
    pod-security.kubernetes.io labels in ``context.view``) against its workloads and turn each
    violation into Check(id=POD_SECURITY_VIOLATION, severity=WARNING, key=("level", "control")).
    """
    return []


@dataclass(frozen=True, slots=True)
class LiveClusterOptions:
    kubeconfig: str | None = None
    context: str | None = None
    namespaces: tuple[str, ...] = ()


class LiveClusterUnavailable(RuntimeError):
    """This build has no live cluster source yet."""


def live_cluster_documents(options: LiveClusterOptions) -> Iterable[Document | ScanError]:
    """The live cluster's objects as Documents (source "cluster", path "cluster:CONTEXT").

    Waiting for branch ``live``: return its source's documents for ``options``. Until then
    `kdeprecate preflight --cluster` stops with a usage error naming this.
    """
    raise LiveClusterUnavailable("--cluster: reading a live cluster is not available in this build yet; "
                                 "give a dump instead (kubectl get -A -o yaml ... > dump.yaml)")


RULES = (
    Rule(ADDON_UNSUPPORTED, BLOCKER, "An add-on's documented support excludes the target.",
         "Upgrade the add-on to a version that supports the target before the control plane.", addon_checks),
    Rule(POD_SECURITY_VIOLATION, WARNING, "A workload its namespace's Pod Security level would reject.",
         "Fix the pod's security context or relax the namespace's level before enforcing it.", pod_security_checks),
)
