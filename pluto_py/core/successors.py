"""The apiVersions `kdeprecate fix` can write for each (apiVersion, kind) it migrates, by migration family.

Two readers, one list, so they agree: scan's advice (``served.interim_version``: what to move to while
the table's replacement is not served yet) and fix (each family's migration in
``fix/migrations/<family>.py`` handles exactly the keys listed here under its ``family``; the first
version listed is the table's replacement, later ones are older versions still useful with --from or an
old --target). A new migration family adds its entry here and its module under fix/migrations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

Key = tuple[str, str]  # (apiVersion, kind)


def expand(kinds: Iterable[str], olds: Iterable[str], targets: tuple[str, ...]) -> dict[Key, tuple[str, ...]]:
    """Every (old, kind) → targets."""
    return {(old, kind): targets for old in olds for kind in kinds}


def _flowcontrol() -> dict[Key, tuple[str, ...]]:
    group, order = "flowcontrol.apiserver.k8s.io/", ("v1alpha1", "v1beta1", "v1beta2", "v1beta3", "v1")
    result: dict[Key, tuple[str, ...]] = {}
    for index, version in enumerate(order[:-1]):
        newer = tuple(group + v for v in reversed(order[index + 1 :]))
        for kind in ("FlowSchema", "PriorityLevelConfiguration"):
            result[(group + version, kind)] = newer
    return result


def _dra() -> dict[Key, tuple[str, ...]]:
    group = "resource.k8s.io/"
    v1 = (group + "v1",)
    result: dict[Key, tuple[str, ...]] = {}
    for kind in ("ResourceClaim", "ResourceClaimTemplate"):
        for version in ("v1alpha1", "v1alpha2", "v1alpha3", "v1beta1", "v1beta2"):
            result[(group + version, kind)] = v1
    for version in ("v1alpha2", "v1alpha3", "v1beta1", "v1beta2"):
        result[(group + version, "ResourceSlice")] = v1
    for version in ("v1alpha3", "v1beta1", "v1beta2"):
        result[(group + version, "DeviceClass")] = v1
    result[(group + "v1alpha3", "DeviceTaintRule")] = v1
    # Classic DRA kinds without a v1 successor: the next alpha while a target still serves it (interim advice).
    result[(group + "v1alpha1", "ResourceClass")] = (group + "v1alpha2",)
    result[(group + "v1alpha2", "PodSchedulingContext")] = (group + "v1alpha3",)
    return result


def _configuration_files() -> dict[Key, tuple[str, ...]]:
    """Configuration files kept in repositories (kubeadm, kube-scheduler, the audit policy, the pre-beta
    kube-proxy and kubelet files) and the 1.8 ExternalAdmissionHookConfiguration."""
    kubeadm, scheduler = "kubeadm.k8s.io/", "kubescheduler.config.k8s.io/"
    return {
        **expand(("Policy",), ("audit.k8s.io/v1alpha1", "audit.k8s.io/v1beta1"), ("audit.k8s.io/v1",)),
        **expand(("MasterConfiguration", "NodeConfiguration"), (kubeadm + "v1alpha1", kubeadm + "v1alpha2"),
                 (kubeadm + "v1beta4",)),
        **expand(("ClusterConfiguration", "InitConfiguration", "JoinConfiguration"),
                 tuple(kubeadm + v for v in ("v1alpha3", "v1beta1", "v1beta2", "v1beta3")), (kubeadm + "v1beta4",)),
        **expand(("KubeSchedulerConfiguration",),
                 tuple(scheduler + v for v in ("v1alpha1", "v1alpha2", "v1beta1", "v1beta2", "v1beta3")),
                 (scheduler + "v1",)),
        ("componentconfig/v1alpha1", "KubeProxyConfiguration"): ("kubeproxy.config.k8s.io/v1alpha1",),
        ("kubeletconfig/v1alpha1", "KubeletConfiguration"): ("kubelet.config.k8s.io/v1beta1",),
        ("admissionregistration.k8s.io/v1alpha1", "ExternalAdmissionHookConfiguration"): (
            "admissionregistration.k8s.io/v1",),
    }


_APPS_V1 = ("apps/v1",)
_ADMISSION = "admissionregistration.k8s.io/"
_RBAC = "rbac.authorization.k8s.io"
_AUTHZ = "authorization.k8s.io/"

SUCCESSORS: Mapping[str, Mapping[Key, tuple[str, ...]]] = {
    "workloads": {
        **expand(("Deployment", "DaemonSet", "ReplicaSet"), ("extensions/v1beta1",), _APPS_V1),
        **expand(("Deployment", "StatefulSet", "ControllerRevision"), ("apps/v1beta1",), _APPS_V1),
        **expand(("Deployment", "DaemonSet", "ReplicaSet", "StatefulSet", "ControllerRevision"),
                 ("apps/v1beta2",), _APPS_V1),
    },
    "ingress": {
        ("extensions/v1beta1", "Ingress"): ("networking.k8s.io/v1", "networking.k8s.io/v1beta1"),
        ("networking.k8s.io/v1beta1", "Ingress"): ("networking.k8s.io/v1",),
        ("networking.k8s.io/v1beta1", "IngressClass"): ("networking.k8s.io/v1",),
    },
    "crd": {("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"): ("apiextensions.k8s.io/v1",)},
    "admission-webhooks": expand(("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"),
                                 (_ADMISSION + "v1beta1",), (_ADMISSION + "v1",)),
    "hpa": {("autoscaling/v2beta1", "HorizontalPodAutoscaler"): ("autoscaling/v2", "autoscaling/v2beta2"),
            ("autoscaling/v2beta2", "HorizontalPodAutoscaler"): ("autoscaling/v2",)},
    "pdb": {("policy/v1beta1", "PodDisruptionBudget"): ("policy/v1",)},
    "cronjob": {("batch/v1beta1", "CronJob"): ("batch/v1",), ("batch/v2alpha1", "CronJob"): ("batch/v1",)},
    "endpointslice": {("discovery.k8s.io/v1beta1", "EndpointSlice"): ("discovery.k8s.io/v1",),
                      ("discovery.k8s.io/v1alpha1", "EndpointSlice"): ("discovery.k8s.io/v1",)},
    "events": {("events.k8s.io/v1beta1", "Event"): ("events.k8s.io/v1",)},
    "runtimeclass": {("node.k8s.io/v1beta1", "RuntimeClass"): ("node.k8s.io/v1",),
                     ("node.k8s.io/v1alpha1", "RuntimeClass"): ("node.k8s.io/v1",)},
    "csistoragecapacity": {("storage.k8s.io/v1beta1", "CSIStorageCapacity"): ("storage.k8s.io/v1",),
                           ("storage.k8s.io/v1alpha1", "CSIStorageCapacity"): ("storage.k8s.io/v1",)},
    "flowcontrol": _flowcontrol(),
    "reviews": {
        **{(_AUTHZ + "v1beta1", kind): (_AUTHZ + "v1",) for kind in (
            "SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview")},
        ("authentication.k8s.io/v1beta1", "TokenReview"): ("authentication.k8s.io/v1",),
        ("authentication.k8s.io/v1alpha1", "SelfSubjectReview"): ("authentication.k8s.io/v1",),
        ("authentication.k8s.io/v1beta1", "SelfSubjectReview"): ("authentication.k8s.io/v1",),
    },
    "rbac": expand(("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"),
                   (f"{_RBAC}/v1alpha1", f"{_RBAC}/v1beta1"), (f"{_RBAC}/v1",)),
    "renames": {
        ("extensions/v1beta1", "NetworkPolicy"): ("networking.k8s.io/v1",),
        ("apiregistration.k8s.io/v1beta1", "APIService"): ("apiregistration.k8s.io/v1",),
        ("coordination.k8s.io/v1beta1", "Lease"): ("coordination.k8s.io/v1",),
        ("coordination.k8s.io/v1alpha2", "LeaseCandidate"): ("coordination.k8s.io/v1beta1",),
        **expand(("PriorityClass",), ("scheduling.k8s.io/v1alpha1", "scheduling.k8s.io/v1beta1"),
                 ("scheduling.k8s.io/v1",)),
        **expand(("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"), ("storage.k8s.io/v1beta1",),
                 ("storage.k8s.io/v1",)),
        ("storage.k8s.io/v1alpha1", "VolumeAttachment"): ("storage.k8s.io/v1",),
        **expand(("VolumeAttributesClass",), ("storage.k8s.io/v1alpha1", "storage.k8s.io/v1beta1"),
                 ("storage.k8s.io/v1",)),
        **expand(("IPAddress", "ServiceCIDR"), ("networking.k8s.io/v1alpha1", "networking.k8s.io/v1beta1"),
                 ("networking.k8s.io/v1",)),
        **expand(("ClusterTrustBundle",), ("certificates.k8s.io/v1alpha1", "certificates.k8s.io/v1beta1"),
                 ("certificates.k8s.io/v1",)),
    },
    "admission-policies": {
        **expand(("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"),
                 (_ADMISSION + "v1alpha1", _ADMISSION + "v1beta1"), (_ADMISSION + "v1",)),
        **expand(("MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"),
                 (_ADMISSION + "v1alpha1", _ADMISSION + "v1beta1"), (_ADMISSION + "v1",)),
    },
    "dra": _dra(),
    "alpha-reshaped": {
        ("storagemigration.k8s.io/v1alpha1", "StorageVersionMigration"): ("storagemigration.k8s.io/v1",),
        ("coordination.k8s.io/v1alpha1", "LeaseCandidate"): ("coordination.k8s.io/v1beta1",),
        ("scheduling.k8s.io/v1alpha1", "Workload"): ("scheduling.k8s.io/v1beta1",),
        ("scheduling.k8s.io/v1alpha2", "Workload"): ("scheduling.k8s.io/v1beta1",),
        ("scheduling.k8s.io/v1alpha2", "PodGroup"): ("scheduling.k8s.io/v1beta1",),
        ("certificates.k8s.io/v1alpha1", "PodCertificateRequest"): ("certificates.k8s.io/v1",),
        ("certificates.k8s.io/v1beta1", "PodCertificateRequest"): ("certificates.k8s.io/v1",),
        ("storagemigration.k8s.io/v1beta1", "StorageVersionMigration"): ("storagemigration.k8s.io/v1",),
    },
    "endpoints": {("v1", "Endpoints"): ("discovery.k8s.io/v1",)},
    # extensions/v1beta1 -> policy/v1beta1 (same fields) while a target still serves it (< 1.25);
    # policy/v1beta1 has no replacement at all.
    "podsecuritypolicy": {("policy/v1beta1", "PodSecurityPolicy"): (),
                          ("extensions/v1beta1", "PodSecurityPolicy"): ("policy/v1beta1",)},
    "certificatesigningrequest": {
        ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"): ("certificates.k8s.io/v1",)},
    "configuration-files": _configuration_files(),
}


def family_of(api_version: str, kind: str) -> str | None:
    """The migration family that handles (api_version, kind), in SUCCESSORS order; None when none does."""
    for family, keys in SUCCESSORS.items():
        if (api_version, kind) in keys:
            return family
    return None


def successors(api_version: str, kind: str) -> tuple[str, ...]:
    """The apiVersions fix can write for (api_version, kind); () when no migration handles it."""
    family = family_of(api_version, kind)
    return tuple(SUCCESSORS[family][(api_version, kind)]) if family is not None else ()
