"""Every rule code kdeprecate reports, in one registry: finding statuses and notice codes.

Each rule has a stable code (what users suppress, filter and search for), a default level, a short
text, a help text and an anchor in docs/rules.md. Reporters read it all from here (SARIF's rules
array and helpUri, GitHub annotation titles, JUnit failure types, text and markdown codes), so a
code that is not registered is a bug: ``rule()`` raises, and tests/test_rules.py checks that every
code the sources emit is registered and documented.

Adding a code (a new notice, a check of another command): one ``Rule(...)`` line in ``RULES`` below,
and its section in docs/rules.md (``## <code>``).
"""

from __future__ import annotations

from typing import NamedTuple

from pluto_py.core.model import STATUS_DEPRECATED, STATUS_REMOVED, STATUS_UNSUPPORTED

RULES_DOC = "docs/rules.md"
RULES_DOC_URL = "https://github.com/kdeprecate/kdeprecate/blob/main/docs/rules.md"

LEVEL_ERROR = "error"
LEVEL_WARNING = "warning"
LEVEL_NOTE = "note"


class UnknownRuleError(KeyError):
    """A code that is not in RULES: a bug (every code kdeprecate emits must be registered)."""


class Rule(NamedTuple):
    code: str
    level: str  # default level: error, warning or note (SARIF's defaultConfiguration)
    short: str  # one sentence: what happened
    help: str  # what it means and what to do

    @property
    def anchor(self) -> str:
        """Its section in docs/rules.md (`## <code>`)."""
        return self.code

    @property
    def help_uri(self) -> str:
        return f"{RULES_DOC_URL}#{self.anchor}"

    @property
    def name(self) -> str:
        """PascalCase, as SARIF names rules: RemovedApi."""
        return "".join(part.capitalize() for part in self.code.split("-"))


_RULES: tuple[Rule, ...] = (
    Rule("removed-api", LEVEL_ERROR,
         "An object uses an API version that the target release no longer serves.",
         "The API server of the target release rejects this apiVersion: applying the manifest fails, and a Helm "
         "release that contains it cannot be upgraded. Move the object to the replacement apiVersion (while the "
         "current cluster still serves both, when the replacement is available there) and apply the field changes "
         "the migration needs; `kdeprecate fix` rewrites many of them. Suppress a deliberate use with "
         "`# kdeprecate: ignore[removed] reason` on or above the apiVersion line."),
    Rule("deprecated-api", LEVEL_WARNING,
         "An object uses an API version that is deprecated at the target release.",
         "The API version still works at the target release but is scheduled for removal; the API server answers "
         "each request with a deprecation warning. Migrate before the release that removes it. Suppress with "
         "`# kdeprecate: ignore[deprecated] reason` on or above the apiVersion line."),
    Rule("unsupported-addon", LEVEL_ERROR,
         "A workload runs an add-on version whose documented support excludes the target release.",
         "The add-on's own support matrix (data/addon_support.yaml) does not list the target Kubernetes version for "
         "the version in the image tag: upgrade the add-on to a release that supports the target before upgrading "
         "the cluster."),
    Rule("unused-suppression", LEVEL_WARNING,
         "A kdeprecate suppression comment silences nothing.",
         "No finding at the scanned target(s) is on the line this `# kdeprecate: ignore` comment applies to (or in "
         "the file, for `ignore-file`). Remove the stale comment so that it cannot hide a future finding."),
    Rule("invalid-suppression", LEVEL_WARNING,
         "A kdeprecate comment cannot be understood.",
         "Use `# kdeprecate: ignore`, `# kdeprecate: ignore[removed]`, `# kdeprecate: ignore[deprecated]` or "
         "`# kdeprecate: ignore-file` (on a line of its own), optionally followed by a reason."),
    Rule("component-not-judged", LEVEL_NOTE,
         "Objects of an add-on or extra table's component were not judged: it has no target.",
         "Rows of a component other than Kubernetes are judged only at `--target COMPONENT=VERSION`. Give the "
         "version of that component you upgrade to, or ignore this note if the component is not being upgraded."),
    Rule("duplicate-key", LEVEL_WARNING,
         "A key is given twice in one YAML mapping.",
         "Helm and go-yaml keep the last value, and so does kdeprecate; tools that refuse duplicate keys (strict "
         "validation) reject the manifest. Remove the first occurrence."),
    Rule("chart-rendered-statically", LEVEL_NOTE,
         "A Helm chart was read without a Helm engine.",
         "No `helm` binary and no helm-python-sdk: the templates were read as text. apiVersions computed by "
         "templates are not seen and findings marked conditional may not be rendered at the target. Put the `helm` "
         "binary on PATH, or install Helm's engine for Python (`pip install 'kdeprecate[helm]'`; a default "
         "dependency where helm-python-sdk publishes a wheel: Linux x86_64/aarch64 with glibc, macOS arm64, "
         "Windows x64)."),
    Rule("chart-template", LEVEL_NOTE,
         "A Helm chart template was scanned through its chart.",
         "Templates are Go templates, not YAML: kdeprecate renders the chart they belong to instead of parsing "
         "the template file alone."),
    Rule("not-a-manifest", LEVEL_NOTE,
         "A file that is not a Kubernetes manifest and not plain YAML or JSON was skipped.",
         "The file has no top-level apiVersion and kind, and it does not parse as YAML or JSON (JSON with "
         "comments such as tsconfig.json or .vscode/settings.json, Jinja or Ansible YAML, a Go template outside "
         "a chart): it cannot hold a Kubernetes object, so it is not an error and does not fail the scan. A file "
         "that does look like a manifest and does not parse is still an error."),
    Rule("manifest-template", LEVEL_NOTE,
         "A templated manifest (Go or Jinja syntax) was read statically.",
         "The file looks like a manifest but holds template syntax, so it is not YAML: kdeprecate reads the "
         "apiVersion and kind it writes literally, as it reads a chart without Helm. Findings get source "
         "`template` (`fix` does not rewrite templates), and those inside if/with/range blocks are marked "
         "`conditional`. apiVersions computed by the template are not seen: scan the rendered output for them."),
    Rule("addon-version-unknown", LEVEL_NOTE,
         "A workload runs an add-on image whose tag names no release.",
         "The image is one an add-on of data/addon_support.yaml runs, but its tag (latest, a branch name, a "
         "pre-release) or a digest alone names no release, so its support of the target Kubernetes version is not "
         "checked. Pin a release tag to have it judged."),
    Rule("addon-support-unknown", LEVEL_NOTE,
         "The add-on support data cannot tell whether this add-on version supports the target.",
         "The add-on publishes no Kubernetes support matrix, or its matrix has no row for this version: its support "
         "of the target Kubernetes version is not checked. Read the add-on's release notes before upgrading."),
    Rule("cluster-unreadable", LEVEL_WARNING,
         "Some resources of the live cluster could not be read.",
         "The credentials of the context may not list these resources (401 or 403), so objects in them were not "
         "judged; each one is also an error. Scan with a user bound to the ClusterRole kdeprecate-reader "
         "(deploy/rbac/clusterrole.yaml), which grants get and list on every resource and nothing else."),
    Rule("cluster-crds-unreadable", LEVEL_WARNING,
         "The live cluster's CustomResourceDefinitions could not be listed.",
         "With --namespace, custom resources in those namespaces are still judged by the table, but not by the "
         "deprecated versions their CRDs declare. Grant list on customresourcedefinitions to see those too."),
    Rule("cluster-tls-unverified", LEVEL_WARNING,
         "The API server's certificate was not checked.",
         "The kubeconfig sets insecure-skip-tls-verify for this cluster: the answers read may not come from the "
         "cluster. Give the cluster's certificate-authority instead."),
    Rule("cluster-metrics-unreadable", LEVEL_NOTE,
         "The API server's /metrics could not be read.",
         "`scan --cluster` also reads the API server's apiserver_requested_deprecated_apis gauge (which deprecated "
         "APIs were requested since it started, by any client); the credentials may not get the non-resource URL "
         "/metrics (403), or the server does not expose it (404). The objects are judged all the same. The "
         "ClusterRole kdeprecate-reader (deploy/rbac/clusterrole.yaml) grants it (nonResourceURLs: [\"/metrics\"], "
         "verbs: [\"get\"]); --no-metrics skips the request."),
    # `kdeprecate podsecurity`'s verdicts about a namespace (pluto_py/podsecurity/model.py)
    Rule("podsecurity-enforcement-lost", LEVEL_ERROR,
         "A namespace loses pod security at the upgrade: a PodSecurityPolicy constrained it, no enforce label does.",
         "One of the namespace's service accounts could use only PodSecurityPolicies that forbid privileged "
         "containers, and the namespace carries no `pod-security.kubernetes.io/enforce` label. PodSecurityPolicy is "
         "removed in 1.25: from then on nothing checks the namespace's pods. Label it at the level its workloads meet "
         "(`kdeprecate podsecurity --fix` writes the suggested labels into the Namespace manifests, "
         "`--print-commands` prints `kubectl label` commands)."),
    Rule("podsecurity-pods-refused", LEVEL_ERROR,
         "A namespace's Pod Security enforce label refuses some of its workloads at the target.",
         "PodSecurity admission, reading the `enforce` label at its `enforce-version` as the target's API server "
         "applies it, refuses pods that the listed workloads create. Change those workloads (the violations name the "
         "control, the field and its line), or lower the label to the level they meet."),
    Rule("podsecurity-enforcement-weaker", LEVEL_WARNING,
         "A namespace's Pod Security enforce label is weaker than the PodSecurityPolicy that applied there.",
         "The namespace's pods were held to a stricter level by PodSecurityPolicy than its `enforce` label holds them "
         "to after the upgrade. Raise the label if its workloads meet the stricter level."),
    Rule("podsecurity-invalid-label", LEVEL_WARNING,
         "A pod-security.kubernetes.io label cannot be read by PodSecurity admission.",
         "A level other than privileged, baseline or restricted (an unknown `enforce` level is enforced as "
         "restricted; unknown `audit` and `warn` levels are ignored), or a version other than `latest` or `v1.x` "
         "(read as latest). Correct the label."),
    # `kdeprecate bluegreen` checks (pluto_py/bluegreen/checks), in the order a move meets them.
    Rule("namespace-missing", LEVEL_ERROR,
         "A namespace that holds objects on blue does not exist on green.",
         "Objects cannot be created in a namespace that does not exist: create the namespace on green first (with its "
         "labels: Pod Security Admission, network policies and quotas select namespaces by label)."),
    Rule("crd-missing", LEVEL_ERROR,
         "Blue uses a custom resource whose CustomResourceDefinition green lacks.",
         "A custom resource can only be created once its CRD is installed and Established. Install CRDs on green first"
         " (with the operator or chart that owns them), then the objects. A CRD on blue with no objects in the input "
         "is a warning: an operator may create its objects at run time."),
    Rule("crd-version-not-served", LEVEL_ERROR,
         "Blue applies a custom resource at a version green's CRD does not serve.",
         "Operators drop old versions of their CRDs (cert-manager removed v1alpha2, v1alpha3 and v1beta1 in 1.7): a "
         "manifest at such a version cannot be applied on a cluster whose CRD no longer serves it. Move the manifests "
         "to a served version (on blue first when blue serves it too)."),
    Rule("apiservice-missing", LEVEL_ERROR,
         "An aggregated API blue serves is missing or unavailable on green.",
         "Aggregated APIs (metrics.k8s.io from metrics-server, custom.metrics.k8s.io and external.metrics.k8s.io from "
         "adapters) are served by a workload through an APIService. Without it, HorizontalPodAutoscalers cannot read "
         "metrics and stop scaling, and `kubectl top` fails. A blocker when blue's objects use the API (autoscalers by"
         " their metric types), a warning otherwise."),
    Rule("webhook-no-backend", LEVEL_ERROR,
         "An admission webhook on green fails closed while its service is not there.",
         "A Validating/MutatingWebhookConfiguration with failurePolicy Fail makes the API server refuse every request "
         "it matches while the webhook's service cannot be called. On a new cluster this blocks the move itself, often"
         " including the pods that would serve the webhook. Install the backend before the configuration, or fail open"
         " until it runs."),
    Rule("api-not-served", LEVEL_ERROR,
         "An object, as applied on blue, uses an API version green does not serve.",
         "Green's API server rejects an apiVersion it does not serve: the manifest (or Helm release) that created the "
         "object on blue fails to apply on green. Move it to a version green serves — while blue still runs, when blue"
         " serves that version too; `kdeprecate fix` rewrites many of them. Judged as applied (last-applied "
         "annotation, Helm release manifest), not as a dump shows the object."),
    Rule("psp-without-psa", LEVEL_ERROR,
         "Blue enforced PodSecurityPolicy; green has none and its namespaces lack Pod Security Admission labels.",
         "PodSecurityPolicy was removed in Kubernetes 1.25. Its successor, Pod Security Admission, is configured per "
         "namespace with pod-security.kubernetes.io/enforce (audit, warn) labels; without them every pod is admitted, "
         "so moving workloads from a PSP-enforcing cluster silently drops their pod security. A cluster-wide PSA "
         "default (AdmissionConfiguration) or a policy engine (Kyverno, Gatekeeper) also covers it; this check sees "
         "namespace labels only."),
    Rule("workload-missing", LEVEL_ERROR,
         "A Deployment, StatefulSet or DaemonSet on blue is not on green.",
         "Traffic must not switch while something that serves it on blue is absent on green. Deploy it on green (from "
         "the same manifests or chart) and wait until it is available."),
    Rule("workload-not-ready", LEVEL_ERROR,
         "A workload of blue has fewer available replicas on green than it wants.",
         "Traffic must not switch to a workload that cannot serve it yet: every replica should be available "
         "(status.availableReplicas, or numberAvailable for a DaemonSet) on green first."),
    Rule("image-drift", LEVEL_WARNING,
         "The same workload runs different container images on blue and green.",
         "A blue/green switch should change the cluster, not the application: a different image on green means the "
         "switch also deploys a new version (or rolls one back). Intended upgrades of add-ons for green's Kubernetes "
         "version are expected here; anything else deserves a look."),
    Rule("stateful-data", LEVEL_WARNING,
         "A workload on blue keeps data in PersistentVolumeClaims, which no manifest move carries over.",
         "Volumes belong to the cluster (and often to its zone or account): green gets new, empty volumes. The data "
         "must be moved by backup/restore, snapshots or replication, with a plan for writes during the switch. A "
         "warning: this tool cannot see whether it was done."),
    Rule("addon-unsupported", LEVEL_ERROR,
         "An add-on's version does not support the Kubernetes version it is to run on (green's, or the target).",
         "Add-ons (CNI, DNS, ingress controllers, cert-manager, autoscalers, service meshes) support a range of "
         "Kubernetes versions each; one outside its range may fail in ways no manifest check shows. Upgrade it to a "
         "version whose support matrix includes that version: on green before the move (`kdeprecate bluegreen`), "
         "before the control plane for an in-place upgrade (`kdeprecate preflight`)."),
    Rule("system-clients-set-aside", LEVEL_NOTE,
         "Requests by the control plane's own clients in an audit log were not reported.",
         "The garbage collector, the namespace and resource-quota controllers and the API server itself call every "
         "version that discovery lists, deprecated ones included; their calls do not break an upgrade. The note "
         "counts them per user (data/system_clients.yaml lists these users). `--include-system-clients` reports "
         "them as findings."),
    Rule("metrics-unknown-api", LEVEL_NOTE,
         "The API server's metrics name a deprecated API that kdeprecate's data does not know.",
         "`apiserver_requested_deprecated_apis` names a group/version/resource missing from "
         "data/api_resources.yaml, usually a custom resource whose CRD marks a version deprecated. kdeprecate "
         "cannot tell its kind from the resource name, so it cannot judge it at the target: find out from the "
         "CRD's owner which version replaces it, and which clients still call this one (the audit log says)."),
    # `kdeprecate preflight` checks (pluto_py/preflight/checks, in worklist order; registry.RULES). It shares
    # addon-unsupported, addon-version-unknown, addon-support-unknown and the podsecurity-* codes above.
    Rule("api-removed", LEVEL_ERROR,
         "An object uses an API version the target no longer serves (preflight).",
         "What `kdeprecate scan` reports as removed-api, as a blocker of the upgrade preflight: the target's "
         "API server rejects the object, so applying it fails and a Helm release holding it cannot be "
         "upgraded. Migrate it before the upgrade. A waiver cannot silence this check."),
    Rule("api-deprecated", LEVEL_WARNING,
         "An object uses an API version deprecated at the target (preflight).",
         "What `kdeprecate scan` reports as deprecated-api: it still works at the target but will be removed "
         "by a later release; migrate it before then."),
    Rule("skew-violation", LEVEL_ERROR,
         "A node component is outside the version skew policy.",
         "Kubelets may be at most three minors (two before 1.25) older than the kube-apiserver, never newer; "
         "kube-proxy follows its kubelet. Roll the node groups before the control plane moves too far ahead."),
    Rule("node-runtime-unsupported", LEVEL_ERROR,
         "A node's container runtime or cgroup version is not supported at the target.",
         "The target's kubelet needs a CRI runtime (no dockershim since 1.24), containerd 2.0+ from 1.36, and "
         "cgroup v2 from 1.35 unless failCgroupV1 is false. Replace or re-image the node first."),
    Rule("control-plane-flag-removed", LEVEL_ERROR,
         "A control-plane component is started with a flag the target removed.",
         "kube-apiserver, kube-controller-manager and kube-scheduler exit on unknown flags. Remove the flag "
         "from the static Pod manifest or the kubeadm extraArgs before the upgrade."),
    Rule("kubelet-flag-removed", LEVEL_ERROR,
         "The kubelet is started with a flag the target removed.",
         "The kubelet exits on unknown flags (for example the dockershim flags removed in 1.24). Remove the "
         "flag from kubeletExtraArgs or the kubelet's unit before upgrading the node."),
    Rule("feature-gate-removed", LEVEL_ERROR,
         "A component sets a feature gate the target no longer knows.",
         "Components exit on unrecognized feature gates. Remove gates whose feature went GA (and was then "
         "removed) or was dropped."),
    Rule("webhook-fail-closed-no-endpoints", LEVEL_ERROR,
         "A fail-closed admission webhook has no ready endpoint.",
         "With failurePolicy Fail, the API server rejects every request the webhook matches while its service "
         "is unreachable. Restore the backend or make the webhook fail open before the upgrade."),
    Rule("podsecurity-violation", LEVEL_WARNING,
         "A workload breaks a control of the Pod Security level its namespace enforces.",
         "PodSecurity admission refuses the pods this workload creates (the namespace's "
         "podsecurity-pods-refused blocker names them all): each such check names the control, the field and "
         "its line. Fix the pod's security context, or lower the namespace's enforce label to the level the "
         "workload meets."),
    Rule("pdb-blocks-drain", LEVEL_ERROR,
         "A PodDisruptionBudget allows no disruption: node drains hang.",
         "kubectl drain (and managed node group upgrades) evict pods through the eviction API, which refuses "
         "while a PodDisruptionBudget allows 0 disruptions. Give the budget room before rolling nodes."),
    Rule("pod-without-controller", LEVEL_WARNING,
         "A pod without a controller: drain refuses it, nothing recreates it.",
         "kubectl drain stops at pods that no ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet "
         "manages, unless --force is given; the pod is then deleted and not recreated."),
    Rule("pod-local-storage", LEVEL_WARNING,
         "A pod keeps data in an emptyDir volume: a drain deletes it.",
         "emptyDir data lives and dies with the pod on its node; kubectl drain refuses such pods unless "
         "--delete-emptydir-data is given."),
    Rule("version-eol", LEVEL_WARNING,
         "A release past its upstream end of life.",
         "Kubernetes maintains each minor release for about 14 months; after its end-of-life date it gets no "
         "patches. Upgrade to, and run, maintained releases."),
    Rule("waiver-expired", LEVEL_WARNING,
         "A preflight waiver has expired.",
         "An expired waiver silences nothing. Fix what it waived or renew it with its owner."),
    Rule("waiver-not-allowed", LEVEL_WARNING,
         "A waiver tries to silence a removed API.",
         "Objects using an API the target no longer serves are rejected by its API server; such checks cannot "
         "be waived."),
    Rule("waiver-unused", LEVEL_NOTE,
         "A preflight waiver matches no check.",
         "Remove waivers whose subject is gone, so they cannot hide a future problem."),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}

# The rule of a finding, by its status.
FINDING_RULES: dict[str, str] = {STATUS_REMOVED: "removed-api", STATUS_DEPRECATED: "deprecated-api",
                                 STATUS_UNSUPPORTED: "unsupported-addon"}


def rule(code: str) -> Rule:
    """The registered rule of ``code``. Raises UnknownRuleError."""
    try:
        return RULES[code]
    except KeyError:
        raise UnknownRuleError(f"rule code {code!r} is not registered in pluto_py/core/rules.py") from None


def finding_rule(status: str) -> Rule:
    """The rule of a finding of ``status`` (removed, deprecated, unsupported). Raises UnknownRuleError."""
    try:
        return RULES[FINDING_RULES[status]]
    except KeyError:
        raise UnknownRuleError(f"finding status {status!r} has no rule in pluto_py/core/rules.py") from None
