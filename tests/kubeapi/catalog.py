"""What a real API server's discovery says about its built-in resources, release by release.

Which (apiVersion, kind) a release serves comes from the project's own facts (data/served_apis.yaml,
built from the OpenAPI documents of each release); this module adds what discovery documents carry
besides: the resource (plural) name, scope, verbs, short names and subresources, as `kubectl
api-resources` of a real cluster shows them, and drops what a default cluster does not serve
(alpha versions, and the betas that have been off by default since Kubernetes 1.24, KEP-3136).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pluto_py.core.served import load_served
from pluto_py.core.versions import KubeVersion, parse_version

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
NO_COLLECTION = ("create", "delete", "get", "list", "patch", "update", "watch")
CREATE_ONLY = ("create",)
READ_ONLY = ("get", "list")

# Subresources: name -> (kind, group, version, verbs); group/version None means the parent's.
_SUBRESOURCES: dict[str, tuple[str | None, str | None, str | None, tuple[str, ...]]] = {
    "status": (None, None, None, ("get", "patch", "update")),
    "scale": ("Scale", "autoscaling", "v1", ("get", "patch", "update")),
    "log": (None, None, None, ("get",)),
    "exec": ("PodExecOptions", None, None, ("create", "get")),
    "attach": ("PodAttachOptions", None, None, ("create", "get")),
    "portforward": ("PodPortForwardOptions", None, None, ("create", "get")),
    "proxy": ("PodProxyOptions", None, None, ("create", "delete", "get", "patch", "update")),
    "binding": ("Binding", None, None, ("create",)),
    "eviction": ("Eviction", "policy", "v1", ("create",)),
    "ephemeralcontainers": (None, None, None, ("get", "patch", "update")),
    "token": ("TokenRequest", "authentication.k8s.io", "v1", ("create",)),
    "finalize": (None, None, None, ("update",)),
    "approval": (None, None, None, ("get", "patch", "update")),
}


@dataclass(frozen=True)
class ResourceInfo:
    """One kind's entry in discovery: ``pods``, namespaced, verbs, ``po``, subresources."""

    plural: str
    namespaced: bool
    verbs: tuple[str, ...] = ALL_VERBS
    short_names: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


def _r(plural: str, namespaced: bool, verbs: tuple[str, ...] = ALL_VERBS, short: tuple[str, ...] = (),
       sub: tuple[str, ...] = (), categories: tuple[str, ...] = ()) -> ResourceInfo:
    return ResourceInfo(plural, namespaced, verbs, short, sub, categories)


_ALL = ("all",)
# Keyed by kind: the resource of a kind is the same in every group/version that serves it.
RESOURCES: dict[str, ResourceInfo] = {
    "Binding": _r("bindings", True, CREATE_ONLY),
    "ComponentStatus": _r("componentstatuses", False, READ_ONLY, ("cs",)),
    "ConfigMap": _r("configmaps", True, short=("cm",)),
    "Endpoints": _r("endpoints", True, short=("ep",)),
    "Event": _r("events", True, short=("ev",)),
    "LimitRange": _r("limitranges", True, short=("limits",)),
    "Namespace": _r("namespaces", False, NO_COLLECTION, ("ns",), ("finalize", "status")),
    "Node": _r("nodes", False, short=("no",), sub=("proxy", "status")),
    "PersistentVolume": _r("persistentvolumes", False, short=("pv",), sub=("status",)),
    "PersistentVolumeClaim": _r("persistentvolumeclaims", True, short=("pvc",), sub=("status",)),
    "Pod": _r("pods", True, short=("po",), categories=_ALL,
              sub=("attach", "binding", "ephemeralcontainers", "eviction", "exec", "log", "portforward", "proxy",
                   "status")),
    "PodTemplate": _r("podtemplates", True),
    "ReplicationController": _r("replicationcontrollers", True, short=("rc",), sub=("scale", "status"),
                                categories=_ALL),
    "ResourceQuota": _r("resourcequotas", True, short=("quota",), sub=("status",)),
    "Secret": _r("secrets", True),
    "Service": _r("services", True, short=("svc",), sub=("proxy", "status"), categories=_ALL),
    "ServiceAccount": _r("serviceaccounts", True, short=("sa",), sub=("token",)),
    "MutatingWebhookConfiguration": _r("mutatingwebhookconfigurations", False),
    "ValidatingWebhookConfiguration": _r("validatingwebhookconfigurations", False),
    "ValidatingAdmissionPolicy": _r("validatingadmissionpolicies", False, sub=("status",)),
    "ValidatingAdmissionPolicyBinding": _r("validatingadmissionpolicybindings", False),
    "MutatingAdmissionPolicy": _r("mutatingadmissionpolicies", False),
    "MutatingAdmissionPolicyBinding": _r("mutatingadmissionpolicybindings", False),
    "CustomResourceDefinition": _r("customresourcedefinitions", False, short=("crd", "crds"), sub=("status",),
                                   categories=("api-extensions",)),
    "APIService": _r("apiservices", False, sub=("status",), categories=("api-extensions",)),
    "ControllerRevision": _r("controllerrevisions", True),
    "DaemonSet": _r("daemonsets", True, short=("ds",), sub=("status",), categories=_ALL),
    "Deployment": _r("deployments", True, short=("deploy",), sub=("scale", "status"), categories=_ALL),
    "ReplicaSet": _r("replicasets", True, short=("rs",), sub=("scale", "status"), categories=_ALL),
    "StatefulSet": _r("statefulsets", True, short=("sts",), sub=("scale", "status"), categories=_ALL),
    "TokenReview": _r("tokenreviews", False, CREATE_ONLY),
    "SelfSubjectReview": _r("selfsubjectreviews", False, CREATE_ONLY),
    "LocalSubjectAccessReview": _r("localsubjectaccessreviews", True, CREATE_ONLY),
    "SelfSubjectAccessReview": _r("selfsubjectaccessreviews", False, CREATE_ONLY),
    "SelfSubjectRulesReview": _r("selfsubjectrulesreviews", False, CREATE_ONLY),
    "SubjectAccessReview": _r("subjectaccessreviews", False, CREATE_ONLY),
    "HorizontalPodAutoscaler": _r("horizontalpodautoscalers", True, short=("hpa",), sub=("status",),
                                  categories=_ALL),
    "CronJob": _r("cronjobs", True, short=("cj",), sub=("status",), categories=_ALL),
    "Job": _r("jobs", True, sub=("status",), categories=_ALL),
    "CertificateSigningRequest": _r("certificatesigningrequests", False, short=("csr",), sub=("approval", "status")),
    "ClusterTrustBundle": _r("clustertrustbundles", False),
    "Lease": _r("leases", True),
    "EndpointSlice": _r("endpointslices", True),
    "FlowSchema": _r("flowschemas", False, sub=("status",)),
    "PriorityLevelConfiguration": _r("prioritylevelconfigurations", False, sub=("status",)),
    "Ingress": _r("ingresses", True, short=("ing",), sub=("status",)),
    "IngressClass": _r("ingressclasses", False),
    "NetworkPolicy": _r("networkpolicies", True, short=("netpol",)),
    "IPAddress": _r("ipaddresses", False, short=("ip",)),
    "ServiceCIDR": _r("servicecidrs", False, sub=("status",)),
    "RuntimeClass": _r("runtimeclasses", False),
    "PodDisruptionBudget": _r("poddisruptionbudgets", True, short=("pdb",), sub=("status",)),
    "PodSecurityPolicy": _r("podsecuritypolicies", False, short=("psp",)),
    "ClusterRole": _r("clusterroles", False),
    "ClusterRoleBinding": _r("clusterrolebindings", False),
    "Role": _r("roles", True),
    "RoleBinding": _r("rolebindings", True),
    "PriorityClass": _r("priorityclasses", False, short=("pc",)),
    "CSIDriver": _r("csidrivers", False),
    "CSINode": _r("csinodes", False),
    "CSIStorageCapacity": _r("csistoragecapacities", True),
    "StorageClass": _r("storageclasses", False, short=("sc",)),
    "VolumeAttachment": _r("volumeattachments", False, sub=("status",)),
    "VolumeAttributesClass": _r("volumeattributesclasses", False, short=("vac",)),
}
# Kinds that only exist as the body of a subresource (pods/eviction, deployments/scale, ...).
SUBRESOURCE_KINDS = frozenset({"Scale", "Eviction", "TokenRequest", "EphemeralContainers", "DeploymentRollback",
                               "NodeConfigSource", "InitializerConfiguration"})

# Beta group/versions that a default cluster does not serve (new betas are off by default since 1.24).
_OFF_BY_DEFAULT = frozenset({
    "admissionregistration.k8s.io/v1beta1", "resource.k8s.io/v1beta1", "resource.k8s.io/v1beta2",
    "networking.k8s.io/v1beta1@1.31", "storage.k8s.io/v1beta1@1.31", "coordination.k8s.io/v1beta1@1.32",
    "certificates.k8s.io/v1beta1@1.33", "storagemigration.k8s.io/v1beta1",
})
_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def version_priority(version: str) -> tuple[int, int, int]:
    """Kubernetes' ordering of versions (GA > beta > alpha, then higher numbers): sort descending."""
    match = _VERSION.match(version)
    if not match:
        return (-1, 0, 0)
    stage = {"alpha": 0, "beta": 1, None: 2}[match.group(2)]
    return (stage, int(match.group(1)), int(match.group(3) or 0))


def _off_by_default(api_version: str, release: KubeVersion) -> bool:
    if "alpha" in api_version.rpartition("/")[2]:
        return True
    for entry in _OFF_BY_DEFAULT:
        name, _, since = entry.partition("@")
        if name == api_version and (not since or release >= parse_version(since)):
            return True
    return False


@cache
def builtin_kinds(release: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """group -> version -> kinds a default cluster of ``release`` serves (core group: "")."""
    served = load_served()
    assert served is not None, "data/served_apis.yaml is missing"
    at = parse_version(release)
    groups: dict[str, dict[str, list[str]]] = {}
    for (api_version, kind), spans in served.ranges.items():
        if not any(first <= at and (last is None or at <= last) for first, last in spans):
            continue
        if kind in SUBRESOURCE_KINDS or _off_by_default(api_version, at):
            continue
        group, _, version = api_version.rpartition("/")
        groups.setdefault(group, {}).setdefault(version, []).append(kind)
    return {group: {version: tuple(sorted(kinds)) for version, kinds in versions.items()}
            for group, versions in groups.items()}


def resource_info(kind: str) -> ResourceInfo:
    """The catalogue's entry for ``kind``; a plain guess (lower-case plural, namespaced) otherwise."""
    found = RESOURCES.get(kind)
    if found is not None:
        return found
    lower = kind.lower()
    return _r(lower + ("es" if lower.endswith("s") else "s"), True)


def subresource_entry(parent: str, parent_kind: str, namespaced: bool, sub: str) -> dict[str, object]:
    kind, group, version, verbs = _SUBRESOURCES.get(sub, (None, None, None, ("get",)))
    entry: dict[str, object] = {"name": f"{parent}/{sub}", "singularName": "", "namespaced": namespaced,
                                "kind": kind or parent_kind, "verbs": list(verbs)}
    if group is not None:
        entry["group"] = group
        entry["version"] = version
    return entry
