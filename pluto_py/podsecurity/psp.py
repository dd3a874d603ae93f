"""The Pod Security Standards level closest to a PodSecurityPolicy.

A PSP admits a set of pods; its level is the strictest one that every pod it admits meets, field by
field as kubernetes.io "Mapping PodSecurityPolicies to Pod Security Standards" maps them (the
mapping's facts are in data/pod_security.yaml). The fields that keep it from the next level are its
gaps, so a user sees why a PSP they thought restrictive maps to baseline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pluto_py.podsecurity.controls.base import mapping, sequence, text
from pluto_py.podsecurity.model import Level
from pluto_py.podsecurity.standards import PspMapping, allowed_value

PSP_GROUPS = frozenset({"policy", "extensions"})


def is_psp(obj: Mapping[str, Any]) -> bool:
    return obj.get("kind") == "PodSecurityPolicy" and text(obj.get("apiVersion")).partition("/")[0] in PSP_GROUPS


def psp_unrestricted(psp: Mapping[str, Any]) -> bool:
    """The PSP allows privileged containers, which escape every other restriction on the node."""
    return mapping(psp.get("spec")).get("privileged") is True


def psp_level(psp: Mapping[str, Any], facts: PspMapping) -> tuple[Level, tuple[str, ...]]:
    """(level, gaps): each gap names a field that allows pods below the next level."""
    spec = mapping(psp.get("spec"))
    caps: list[tuple[Level, str]] = []  # (the strictest level this field allows, why)

    def cap(level: Level, why: str) -> None:
        caps.append((level, why))

    for key in ("privileged", "hostNetwork", "hostPID", "hostIPC"):
        if spec.get(key) is True:
            cap(Level.PRIVILEGED, f"{key}: true")
    if sequence(spec.get("hostPorts")):
        cap(Level.PRIVILEGED, "hostPorts allows host ports")
    for key in ("allowedCapabilities", "defaultAddCapabilities"):
        added = {text(item) for item in sequence(spec.get(key))}
        if added - facts.baseline_capabilities:
            cap(Level.PRIVILEGED, f"{key} allows {', '.join(sorted(added - facts.baseline_capabilities))}")
        elif added - facts.restricted_capabilities:
            cap(Level.BASELINE, f"{key} allows {', '.join(sorted(added - facts.restricted_capabilities))}")
    if "ALL" not in {text(item) for item in sequence(spec.get("requiredDropCapabilities"))}:
        cap(Level.BASELINE, "requiredDropCapabilities does not include ALL")
    volumes = {text(item) for item in sequence(spec.get("volumes"))}
    if volumes & facts.baseline_forbidden_volumes:
        cap(Level.PRIVILEGED, f"volumes allows {', '.join(sorted(volumes & facts.baseline_forbidden_volumes))}")
    elif volumes - facts.restricted_volumes:
        cap(Level.BASELINE, f"volumes allows {', '.join(sorted(volumes - facts.restricted_volumes))}")
    selinux = mapping(spec.get("seLinux"))
    options = mapping(selinux.get("seLinuxOptions"))
    if text(selinux.get("rule")) != "MustRunAs":
        cap(Level.PRIVILEGED, f"seLinux.rule is {text(selinux.get('rule')) or '(unset)'}, not MustRunAs")
    elif text(options.get("user")) or text(options.get("role")) or text(options.get("type")) not in facts.selinux_types:
        cap(Level.PRIVILEGED, "seLinux.seLinuxOptions sets a user, a role or a type other than the container types")
    if text(mapping(spec.get("runAsUser")).get("rule")) != "MustRunAsNonRoot":
        cap(Level.BASELINE, "runAsUser.rule is not MustRunAsNonRoot")
    if spec.get("allowPrivilegeEscalation") is not False:
        cap(Level.BASELINE, "allowPrivilegeEscalation is not false")
    if sequence(spec.get("allowedUnsafeSysctls")):
        cap(Level.PRIVILEGED, "allowedUnsafeSysctls allows unsafe sysctls")
    proc_mounts = {text(item) for item in sequence(spec.get("allowedProcMountTypes"))}
    if proc_mounts - facts.proc_mount_types:
        cap(Level.PRIVILEGED, f"allowedProcMountTypes allows {', '.join(sorted(proc_mounts - facts.proc_mount_types))}")
    annotations = mapping(mapping(psp.get("metadata")).get("annotations"))
    for annotation, when_absent in facts.profile_annotations:
        level, why = _profiles(annotations.get(annotation), when_absent, facts)
        if level < Level.RESTRICTED:
            cap(level, f"annotation {annotation} {why}")
    level = min((level for level, _ in caps), default=Level.RESTRICTED)
    return level, tuple(why for field_level, why in caps if field_level == level)


def _profiles(value: Any, when_absent: Level, facts: PspMapping) -> tuple[Level, str]:
    if value is None:
        return when_absent, "is absent"
    profiles = [item.strip() for item in text(value).split(",")]
    for profile in profiles:
        if profile == "*" or (profile and not allowed_value(profile, facts.allowed_profiles)):
            return Level.PRIVILEGED, f"allows {profile}"
    if "" in profiles:
        return Level.BASELINE, "allows no profile (a trailing comma)"
    return Level.RESTRICTED, ""


