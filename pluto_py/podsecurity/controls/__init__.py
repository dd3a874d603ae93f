"""The Pod Security Standards controls, one module each, registered in this one list.

Each module's ``CONTROL`` names the k8s.io/pod-security-admission check it implements and the
release its first version applies from; the levels, versions and allowed values are data
(data/pod_security.yaml, read by pluto_py.podsecurity.standards). A test keeps the two in step.
"""

from __future__ import annotations

from pluto_py.podsecurity.controls import (
    apparmor,
    capabilities_baseline,
    capabilities_restricted,
    host_namespaces,
    host_path_volumes,
    host_ports,
    host_probes,
    privilege_escalation,
    privileged,
    proc_mount,
    proc_mount_restricted,
    restricted_volumes,
    run_as_non_root,
    run_as_user,
    seccomp_baseline,
    seccomp_restricted,
    selinux,
    sysctls,
    windows_host_process,
)
from pluto_py.podsecurity.controls.base import Control, Hit, PodView

# Baseline controls, then restricted ones, in the order of the Pod Security Standards page.
CONTROLS: tuple[Control, ...] = (
    windows_host_process.CONTROL,
    host_namespaces.CONTROL,
    privileged.CONTROL,
    capabilities_baseline.CONTROL,
    host_path_volumes.CONTROL,
    host_ports.CONTROL,
    host_probes.CONTROL,
    apparmor.CONTROL,
    selinux.CONTROL,
    proc_mount.CONTROL,
    seccomp_baseline.CONTROL,
    sysctls.CONTROL,
    restricted_volumes.CONTROL,
    privilege_escalation.CONTROL,
    run_as_non_root.CONTROL,
    run_as_user.CONTROL,
    seccomp_restricted.CONTROL,
    capabilities_restricted.CONTROL,
    proc_mount_restricted.CONTROL,
)

__all__ = ["CONTROLS", "Control", "Hit", "PodView"]
