"""Each Pod Security Standards control, checked against the standard as the releases define it.

Every case is a workload as charts and operators write it, a policy version, and what the control
must report there (the fields), or that it must not fire. Where the standard changed between
releases, the same workload is judged at both: the expectations follow the Pod Security Standards
page (kubernetes.io/docs/concepts/security/pod-security-standards) and the versioned checks of
k8s.io/pod-security-admission/policy that it documents.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pluto_py.core.model import Document
from pluto_py.core.parse import parse_text
from pluto_py.core.versions import parse_version
from pluto_py.podsecurity.model import Level
from pluto_py.podsecurity.standards import load_standards
from pluto_py.podsecurity.workloads import evaluate, level_of, workload_of

STANDARDS = load_standards()

# A Deployment that meets restricted at every version: what the chart of a careful team renders.
RESTRICTED_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile:
          type: RuntimeDefault
      initContainers:
      - name: migrate
        image: registry.example.com/web/migrate:1.0
        securityContext:
          allowPrivilegeEscalation: false
          capabilities:
            drop: [ALL]
      containers:
      - name: web
        image: registry.example.com/web:1.0
        ports:
        - containerPort: 8080
        securityContext:
          allowPrivilegeEscalation: false
          capabilities:
            drop: [ALL]
          readOnlyRootFilesystem: true
        volumeMounts:
        - {name: tmp, mountPath: /tmp}
        - {name: config, mountPath: /etc/web}
      volumes:
      - name: tmp
        emptyDir: {}
      - name: config
        configMap: {name: web}
"""


def document(text: str) -> Document:
    parsed = [item for item in parse_text(text, "workload.yaml", "file", json_file=False)]
    assert len(parsed) == 1 and isinstance(parsed[0], Document), parsed
    return parsed[0]


def load(text: str) -> dict[str, Any]:
    data = document(text).data
    assert isinstance(data, dict)
    return data


def dump(data: dict[str, Any]) -> str:
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


def deployment(*changes: tuple[str, Any]) -> str:
    """RESTRICTED_DEPLOYMENT with ``("a.b.0.c", value)`` changes (value None deletes the key)."""
    data = load(RESTRICTED_DEPLOYMENT)
    for dotted, value in changes:
        *parents, last = [int(p) if p.isdigit() else p for p in dotted.split(".")]
        node: Any = data
        for part in parents:
            if isinstance(part, str) and part not in node:
                node[part] = {}
            node = node[part]
        if value is None:
            del node[last]
        else:
            node[last] = copy.deepcopy(value)
    return dump(data)


def found(text: str, version: str, release: str | None = None) -> dict[str, list[str]]:
    """control id -> the fields it reports, for the one workload of ``text``."""
    doc = document(text)
    workload = workload_of(doc, (), doc.data, "default")
    assert workload is not None
    out: dict[str, list[str]] = {}
    for violation in evaluate(workload, parse_version(version), STANDARDS,
                              parse_version(release) if release else None):
        out.setdefault(violation.control, []).append(violation.field)
    return out


def level(text: str, version: str, release: str | None = None) -> Level:
    doc = document(text)
    workload = workload_of(doc, (), doc.data, "default")
    assert workload is not None
    return level_of(evaluate(workload, parse_version(version), STANDARDS,
                             parse_version(release) if release else None))


T = "spec.template.spec"
C0 = f"{T}.containers.0"
I0 = f"{T}.initContainers.0"
F = "spec.template.spec"  # field prefix in reports
META = "spec.template.metadata"


def test_the_base_deployment_meets_restricted_at_both_releases() -> None:
    assert found(RESTRICTED_DEPLOYMENT, "1.22") == {}
    assert found(RESTRICTED_DEPLOYMENT, "1.29") == {}
    assert level(RESTRICTED_DEPLOYMENT, "1.29") == Level.RESTRICTED


# (case id, manifest, policy version, control, fields it must report; [] = must not fire)
CASES: list[tuple[str, str, str, str, list[str]]] = [
    # ---- baseline: HostProcess
    ("hostprocess-pod", deployment((f"{T}.securityContext.windowsOptions", {"hostProcess": True})), "1.29",
     "windowsHostProcess", [f"{F}.securityContext.windowsOptions.hostProcess"]),
    ("hostprocess-false", deployment((f"{C0}.securityContext.windowsOptions", {"hostProcess": False})), "1.29",
     "windowsHostProcess", []),
    # ---- baseline: host namespaces
    ("host-network-pid-ipc", deployment((f"{T}.hostNetwork", True), (f"{T}.hostPID", True), (f"{T}.hostIPC", True)),
     "1.22", "hostNamespaces", [f"{F}.hostNetwork", f"{F}.hostPID", f"{F}.hostIPC"]),
    ("host-network-false", deployment((f"{T}.hostNetwork", False)), "1.29", "hostNamespaces", []),
    # ---- baseline: privileged, in an init container
    ("privileged-init", deployment((f"{I0}.securityContext.privileged", True)), "1.22", "privileged",
     [f"{F}.initContainers[0].securityContext.privileged"]),
    ("privileged-false", deployment((f"{C0}.securityContext.privileged", False)), "1.29", "privileged", []),
    # ---- baseline: capabilities (the runtime's default set may be added)
    ("cap-net-admin", deployment((f"{C0}.securityContext.capabilities.add", ["NET_BIND_SERVICE", "NET_ADMIN"])),
     "1.29", "capabilities_baseline", [f"{F}.containers[0].securityContext.capabilities.add[1]"]),
    ("cap-default-set", deployment((f"{C0}.securityContext.capabilities.add", ["CHOWN", "SETUID", "KILL"])),
     "1.29", "capabilities_baseline", []),
    # ---- baseline: hostPath volumes
    ("hostpath", deployment((f"{T}.volumes.1", {"name": "logs", "hostPath": {"path": "/var/log"}})), "1.29",
     "hostPathVolumes", [f"{F}.volumes[1].hostPath"]),
    ("emptydir-configmap", RESTRICTED_DEPLOYMENT, "1.29", "hostPathVolumes", []),
    # ---- baseline: host ports
    ("hostport", deployment((f"{C0}.ports.0.hostPort", 80)), "1.22", "hostPorts",
     [f"{F}.containers[0].ports[0].hostPort"]),
    ("hostport-zero", deployment((f"{C0}.ports.0.hostPort", 0)), "1.29", "hostPorts", []),
    # ---- baseline: AppArmor (annotation at every version, the field from 1.30)
    ("apparmor-unconfined-annotation",
     deployment((f"{META}.annotations", {"container.apparmor.security.beta.kubernetes.io/web": "unconfined"})),
     "1.22", "appArmorProfile", [f"{META}.annotations['container.apparmor.security.beta.kubernetes.io/web']"]),
    ("apparmor-localhost-annotation",
     deployment((f"{META}.annotations", {"container.apparmor.security.beta.kubernetes.io/web": "localhost/web"})),
     "1.29", "appArmorProfile", []),
    ("apparmor-field-1.30", deployment((f"{C0}.securityContext.appArmorProfile", {"type": "Unconfined"})), "1.30",
     "appArmorProfile", [f"{F}.containers[0].securityContext.appArmorProfile.type"]),
    ("apparmor-field-before-1.30", deployment((f"{C0}.securityContext.appArmorProfile", {"type": "Unconfined"})),
     "1.29", "appArmorProfile", []),
    ("apparmor-field-runtime-default",
     deployment((f"{T}.securityContext.appArmorProfile", {"type": "RuntimeDefault"})), "1.31", "appArmorProfile", []),
    # ---- baseline: SELinux (container_engine_t allowed from 1.31)
    ("selinux-user-role",
     deployment((f"{T}.securityContext.seLinuxOptions", {"user": "system_u", "role": "sysadm_r"})), "1.22",
     "seLinuxOptions", [f"{F}.securityContext.seLinuxOptions.user", f"{F}.securityContext.seLinuxOptions.role"]),
    ("selinux-spc", deployment((f"{C0}.securityContext.seLinuxOptions", {"type": "spc_t"})), "1.29", "seLinuxOptions",
     [f"{F}.containers[0].securityContext.seLinuxOptions.type"]),
    ("selinux-level-only", deployment((f"{T}.securityContext.seLinuxOptions", {"level": "s0:c123,c456"})), "1.29",
     "seLinuxOptions", []),
    ("selinux-engine-1.30", deployment((f"{C0}.securityContext.seLinuxOptions", {"type": "container_engine_t"})),
     "1.30", "seLinuxOptions", [f"{F}.containers[0].securityContext.seLinuxOptions.type"]),
    ("selinux-engine-1.31", deployment((f"{C0}.securityContext.seLinuxOptions", {"type": "container_engine_t"})),
     "1.31", "seLinuxOptions", []),
    # ---- baseline: /proc mount (relaxed for user-namespace pods from 1.35)
    ("procmount-unmasked", deployment((f"{C0}.securityContext.procMount", "Unmasked")), "1.29", "procMount",
     [f"{F}.containers[0].securityContext.procMount"]),
    ("procmount-default", deployment((f"{C0}.securityContext.procMount", "Default")), "1.29", "procMount", []),
    ("procmount-userns-1.35", deployment((f"{C0}.securityContext.procMount", "Unmasked"), (f"{T}.hostUsers", False)),
     "1.35", "procMount", []),
    ("procmount-userns-1.34", deployment((f"{C0}.securityContext.procMount", "Unmasked"), (f"{T}.hostUsers", False)),
     "1.34", "procMount", [f"{F}.containers[0].securityContext.procMount"]),
    ("procmount-restricted-default-1.35", deployment((f"{C0}.securityContext.procMount", "Default")), "1.35",
     "procMount_restricted", []),
    ("procmount-restricted-1.35",
     deployment((f"{C0}.securityContext.procMount", "Unmasked"), (f"{T}.hostUsers", False)), "1.35",
     "procMount_restricted", [f"{F}.containers[0].securityContext.procMount"]),
    # ---- baseline: seccomp (never Unconfined; the pre-1.19 annotations up to 1.18)
    ("seccomp-unconfined-field", deployment((f"{C0}.securityContext.seccompProfile", {"type": "Unconfined"})),
     "1.22", "seccompProfile_baseline", [f"{F}.containers[0].securityContext.seccompProfile.type"]),
    ("seccomp-annotation-1.18",
     deployment((f"{META}.annotations", {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"})), "1.18",
     "seccompProfile_baseline", [f"{META}.annotations['seccomp.security.alpha.kubernetes.io/pod']"]),
    ("seccomp-container-annotation-1.18",
     deployment((f"{META}.annotations", {"container.seccomp.security.alpha.kubernetes.io/migrate": "unconfined"})),
     "1.18", "seccompProfile_baseline",
     [f"{META}.annotations['container.seccomp.security.alpha.kubernetes.io/migrate']"]),
    ("seccomp-docker-default-1.18",
     deployment((f"{META}.annotations", {"seccomp.security.alpha.kubernetes.io/pod": "docker/default"})), "1.18",
     "seccompProfile_baseline", []),
    # ---- baseline: sysctls (the safe set grows by release)
    ("sysctl-unsafe", deployment((f"{T}.securityContext.sysctls", [{"name": "kernel.msgmax", "value": "65536"}])),
     "1.29", "sysctls", [f"{F}.securityContext.sysctls[0].name"]),
    ("sysctl-keepalive-1.28",
     deployment((f"{T}.securityContext.sysctls", [{"name": "net.ipv4.tcp_keepalive_time", "value": "600"}])),
     "1.28", "sysctls", [f"{F}.securityContext.sysctls[0].name"]),
    ("sysctl-keepalive-1.29",
     deployment((f"{T}.securityContext.sysctls", [{"name": "net.ipv4.tcp_keepalive_time", "value": "600"}])),
     "1.29", "sysctls", []),
    ("sysctl-port-range", deployment((f"{T}.securityContext.sysctls",
                                      [{"name": "net.ipv4.ip_local_port_range", "value": "1024 65000"}])),
     "1.22", "sysctls", []),
    # ---- baseline: probes and hooks naming a host (from 1.34)
    ("probe-host-1.34", deployment((f"{C0}.livenessProbe", {"httpGet": {"host": "10.0.0.1", "port": 8080}})),
     "1.34", "hostProbesAndHostLifecycle", [f"{F}.containers[0].livenessProbe.httpGet.host"]),
    ("probe-host-1.33", deployment((f"{C0}.livenessProbe", {"httpGet": {"host": "10.0.0.1", "port": 8080}})),
     "1.33", "hostProbesAndHostLifecycle", []),
    # ---- restricted: volume types
    ("nfs-volume", deployment((f"{T}.volumes.1", {"name": "shared", "nfs": {"server": "nas", "path": "/x"}})),
     "1.22", "restrictedVolumes", [f"{F}.volumes[1].nfs"]),
    ("pvc-and-projected", deployment((f"{T}.volumes.1", {"name": "data", "persistentVolumeClaim": {"claimName": "d"}}),
                                     (f"{T}.volumes.0", {"name": "token", "projected": {"sources": []}})),
     "1.29", "restrictedVolumes", []),
    ("image-volume-1.32", deployment((f"{T}.volumes.1", {"name": "model", "image": {"reference": "models:1"}})),
     "1.32", "restrictedVolumes", [f"{F}.volumes[1].image"]),
    ("image-volume-1.33", deployment((f"{T}.volumes.1", {"name": "model", "image": {"reference": "models:1"}})),
     "1.33", "restrictedVolumes", []),
    # ---- restricted: privilege escalation (must be false; Windows exempt from 1.25)
    ("ape-unset", deployment((f"{C0}.securityContext.allowPrivilegeEscalation", None)), "1.22",
     "allowPrivilegeEscalation", [f"{F}.containers[0].securityContext.allowPrivilegeEscalation"]),
    ("ape-false", RESTRICTED_DEPLOYMENT, "1.22", "allowPrivilegeEscalation", []),
    ("ape-true-init", deployment((f"{I0}.securityContext.allowPrivilegeEscalation", True)), "1.29",
     "allowPrivilegeEscalation", [f"{F}.initContainers[0].securityContext.allowPrivilegeEscalation"]),
    # ---- restricted: running as non-root
    ("non-root-missing", deployment((f"{T}.securityContext.runAsNonRoot", None)), "1.22", "runAsNonRoot",
     [f"{F}.initContainers[0].securityContext.runAsNonRoot", f"{F}.containers[0].securityContext.runAsNonRoot"]),
    ("non-root-per-container", deployment((f"{T}.securityContext.runAsNonRoot", None),
                                          (f"{C0}.securityContext.runAsNonRoot", True),
                                          (f"{I0}.securityContext.runAsNonRoot", True)),
     "1.29", "runAsNonRoot", []),
    ("non-root-container-overrides-pod", deployment((f"{C0}.securityContext.runAsNonRoot", False)), "1.29",
     "runAsNonRoot", [f"{F}.containers[0].securityContext.runAsNonRoot"]),
    ("non-root-userns-1.35", deployment((f"{T}.securityContext.runAsNonRoot", None), (f"{T}.hostUsers", False)),
     "1.35", "runAsNonRoot", []),
    # ---- restricted: non-root user (from 1.23)
    ("run-as-root-1.22", deployment((f"{C0}.securityContext.runAsUser", 0)), "1.22", "runAsUser", []),
    ("run-as-root-1.29", deployment((f"{C0}.securityContext.runAsUser", 0)), "1.29", "runAsUser",
     [f"{F}.containers[0].securityContext.runAsUser"]),
    ("run-as-root-pod", deployment((f"{T}.securityContext.runAsUser", 0)), "1.23", "runAsUser",
     [f"{F}.securityContext.runAsUser"]),
    # ---- restricted: seccomp required (from 1.19), on the pod or every container
    ("seccomp-missing", deployment((f"{T}.securityContext.seccompProfile", None)), "1.22",
     "seccompProfile_restricted",
     [f"{F}.initContainers[0].securityContext.seccompProfile.type",
      f"{F}.containers[0].securityContext.seccompProfile.type"]),
    ("seccomp-per-container", deployment((f"{T}.securityContext.seccompProfile", None),
                                         (f"{C0}.securityContext.seccompProfile", {"type": "Localhost",
                                                                                  "localhostProfile": "web.json"}),
                                         (f"{I0}.securityContext.seccompProfile", {"type": "RuntimeDefault"})),
     "1.29", "seccompProfile_restricted", []),
    ("seccomp-container-unconfined", deployment((f"{C0}.securityContext.seccompProfile", {"type": "Unconfined"})),
     "1.29", "seccompProfile_restricted", [f"{F}.containers[0].securityContext.seccompProfile.type"]),
    ("seccomp-restricted-before-1.19", deployment((f"{T}.securityContext.seccompProfile", None)), "1.18",
     "seccompProfile_restricted", []),
    # ---- restricted: capabilities (drop ALL, add only NET_BIND_SERVICE; from 1.22)
    ("caps-no-drop", deployment((f"{C0}.securityContext.capabilities", None)), "1.22", "capabilities_restricted",
     [f"{F}.containers[0].securityContext.capabilities.drop"]),
    ("caps-no-drop-1.21", deployment((f"{C0}.securityContext.capabilities", None)), "1.21",
     "capabilities_restricted", []),
    ("caps-add-chown", deployment((f"{C0}.securityContext.capabilities.add", ["CHOWN"])), "1.29",
     "capabilities_restricted", [f"{F}.containers[0].securityContext.capabilities.add[0]"]),
    ("caps-net-bind", deployment((f"{C0}.securityContext.capabilities.add", ["NET_BIND_SERVICE"])), "1.29",
     "capabilities_restricted", []),
]


@pytest.mark.parametrize(("manifest", "version", "control", "fields"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_control(manifest: str, version: str, control: str, fields: list[str]) -> None:
    assert sorted(found(manifest, version).get(control, [])) == sorted(fields)


def test_every_control_has_a_case_that_fires_and_one_that_must_not() -> None:
    from pluto_py.podsecurity.controls import CONTROLS

    fires = {case[3] for case in CASES if case[4]}
    quiet = {case[3] for case in CASES if not case[4]}
    ids = {control.id for control in CONTROLS}
    assert ids - fires == set()
    assert ids - quiet == set()


# ---- seccomp annotations across the releases: what the API server does with them


ANNOTATED = deployment((f"{T}.securityContext.seccompProfile", None),
                       (f"{META}.annotations", {"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"}))


def test_seccomp_annotation_counts_while_the_api_server_copies_it() -> None:
    # 1.19-1.26: the API server writes the annotation into the pod's seccompProfile.
    assert "seccompProfile_restricted" not in found(ANNOTATED, "1.24")
    assert level(ANNOTATED, "1.24") == Level.RESTRICTED
    # 1.27+: the annotation is ignored: restricted is lost, even under a v1.24 policy label.
    assert "seccompProfile_restricted" in found(ANNOTATED, "1.29")
    assert "seccompProfile_restricted" in found(ANNOTATED, "1.24", release="1.29")
    assert level(ANNOTATED, "1.29") == Level.BASELINE


def test_seccomp_unconfined_annotation_breaks_baseline_while_copied() -> None:
    unconfined = deployment((f"{META}.annotations", {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}),
                            (f"{T}.securityContext.seccompProfile", None))
    assert found(unconfined, "1.22")["seccompProfile_baseline"] == [
        f"{META}.annotations['seccomp.security.alpha.kubernetes.io/pod']"]
    assert "seccompProfile_baseline" not in found(unconfined, "1.29")


def test_ephemeral_containers_never_take_a_seccomp_annotation() -> None:
    pod = load(DEBUGGED_POD)
    pod["metadata"]["annotations"] = {"container.seccomp.security.alpha.kubernetes.io/debugger": "runtime/default"}
    pod["spec"]["securityContext"].pop("seccompProfile")
    pod["spec"]["containers"][0]["securityContext"]["seccompProfile"] = {"type": "RuntimeDefault"}
    fields = found(dump(pod), "1.24")["seccompProfile_restricted"]
    assert fields == ["spec.ephemeralContainers[0].securityContext.seccompProfile.type"]


# ---- Windows pods: exempt from the Linux-only restricted controls from 1.25

WINDOWS_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: iis
  namespace: windows
spec:
  os:
    name: windows
  securityContext:
    runAsNonRoot: true
    windowsOptions:
      runAsUserName: ContainerUser
  containers:
  - name: iis
    image: mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022
"""


def test_windows_pod_exemptions_start_in_1_25() -> None:
    assert set(found(WINDOWS_POD, "1.24")) == {"allowPrivilegeEscalation", "seccompProfile_restricted",
                                               "capabilities_restricted"}
    assert found(WINDOWS_POD, "1.25") == {}
    assert level(WINDOWS_POD, "1.29") == Level.RESTRICTED


def test_windows_pods_are_not_exempt_from_baseline_or_non_root() -> None:
    host_process = load(WINDOWS_POD)
    host_process["spec"]["securityContext"]["windowsOptions"]["hostProcess"] = True
    host_process["spec"]["hostNetwork"] = True
    host_process["spec"]["securityContext"].pop("runAsNonRoot")
    found_at = found(dump(host_process), "1.29")
    assert set(found_at) == {"windowsHostProcess", "hostNamespaces", "runAsNonRoot"}


# ---- workloads as charts and operators write them

DEBUGGED_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: api-7c9d-debug
  namespace: payments
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: api
    image: registry.example.com/payments/api:7.2.0
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
  ephemeralContainers:
  - name: debugger
    image: busybox:1.36
    targetContainerName: api
    securityContext:
      capabilities:
        add: [SYS_PTRACE]
"""

ISTIO_INJECTED_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: reviews-v1-545db77b95-2ps7q
  namespace: bookinfo
spec:
  initContainers:
  - name: istio-init
    image: docker.io/istio/proxyv2:1.17.2
    args: [istio-iptables, -p, "15001", -z, "15006", -u, "1337"]
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        add: [NET_ADMIN, NET_RAW]
        drop: [ALL]
      privileged: false
      readOnlyRootFilesystem: false
      runAsGroup: 0
      runAsNonRoot: false
      runAsUser: 0
  containers:
  - name: reviews
    image: docker.io/istio/examples-bookinfo-reviews-v1:1.17.0
  - name: istio-proxy
    image: docker.io/istio/proxyv2:1.17.2
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop: [ALL]
      privileged: false
      readOnlyRootFilesystem: true
      runAsGroup: 1337
      runAsNonRoot: true
      runAsUser: 1337
"""

INGRESS_NGINX = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ingress-nginx-controller
  namespace: ingress-nginx
spec:
  template:
    spec:
      containers:
      - name: controller
        image: registry.k8s.io/ingress-nginx/controller:v1.8.1
        securityContext:
          allowPrivilegeEscalation: true
          capabilities:
            add: [NET_BIND_SERVICE]
            drop: [ALL]
          runAsUser: 101
      serviceAccountName: ingress-nginx
"""

NIGHTLY_CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
  namespace: db
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            container.apparmor.security.beta.kubernetes.io/pg-dump: unconfined
        spec:
          restartPolicy: OnFailure
          containers:
          - name: pg-dump
            image: postgres:15
"""


def test_ephemeral_debug_container_is_judged() -> None:
    fields = found(DEBUGGED_POD, "1.29")
    assert fields["capabilities_baseline"] == ["spec.ephemeralContainers[0].securityContext.capabilities.add[0]"]
    assert fields["allowPrivilegeEscalation"] == [
        "spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation"]
    assert level(DEBUGGED_POD, "1.29") == Level.PRIVILEGED


def test_istio_init_container_breaks_baseline() -> None:
    fields = found(ISTIO_INJECTED_POD, "1.29")
    assert fields["capabilities_baseline"] == ["spec.initContainers[0].securityContext.capabilities.add[0]",
                                               "spec.initContainers[0].securityContext.capabilities.add[1]"]
    assert fields["runAsUser"] == ["spec.initContainers[0].securityContext.runAsUser"]
    assert level(ISTIO_INJECTED_POD, "1.29") == Level.PRIVILEGED


def test_ingress_nginx_is_baseline() -> None:
    fields = found(INGRESS_NGINX, "1.29")
    assert set(fields) == {"allowPrivilegeEscalation", "runAsNonRoot", "seccompProfile_restricted"}
    assert level(INGRESS_NGINX, "1.29") == Level.BASELINE


def test_cronjob_template_is_found_and_located() -> None:
    doc = document(NIGHTLY_CRONJOB)
    workload = workload_of(doc, (), doc.data, "default")
    assert workload is not None and workload.kind == "CronJob"
    violations = evaluate(workload, parse_version("1.29"), STANDARDS)
    apparmor = [v for v in violations if v.control == "appArmorProfile"]
    assert len(apparmor) == 1
    assert apparmor[0].field == ("spec.jobTemplate.spec.template.metadata.annotations"
                                 "['container.apparmor.security.beta.kubernetes.io/pg-dump']")
    assert apparmor[0].line == 13 and apparmor[0].level == Level.BASELINE


def test_lines_point_at_the_field_or_the_nearest_written_parent() -> None:
    doc = document(INGRESS_NGINX)
    workload = workload_of(doc, (), doc.data, "default")
    assert workload is not None
    by_control = {v.control: v for v in evaluate(workload, parse_version("1.29"), STANDARDS)}
    assert by_control["allowPrivilegeEscalation"].line == 13  # the value written
    assert by_control["runAsNonRoot"].line == 13  # not written: where its securityContext starts


def test_custom_resources_and_non_workloads_are_ignored() -> None:
    rollout = RESTRICTED_DEPLOYMENT.replace("apiVersion: apps/v1", "apiVersion: argoproj.io/v1alpha1")
    doc = document(rollout)
    assert workload_of(doc, (), doc.data, "default") is None
    service = document("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n")
    assert workload_of(service, (), service.data, "default") is None


def test_malformed_values_do_not_crash_the_checks() -> None:
    broken = deployment((f"{C0}.securityContext", "not a mapping"), (f"{T}.volumes", {"not": "a list"}),
                        (f"{I0}.securityContext.capabilities", ["ALL"]), (f"{T}.securityContext.sysctls", [1, None]))
    assert "restrictedVolumes" not in found(broken, "1.29")
    assert level(broken, "1.29") in (Level.BASELINE, Level.PRIVILEGED)
