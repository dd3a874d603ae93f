"""Checks that other parts of kdeprecate make, turned into preflight checks.

* ``addon_checks`` -- add-ons (pluto_py/addons, through the scan's add-on hook): an unsupported add-on
  (a scan finding with status "unsupported") is an ``addon-unsupported`` blocker; an add-on whose
  version or support the data cannot tell (the scan's ``addon-version-unknown`` and
  ``addon-support-unknown`` notices) is info.
* ``pod_security_checks`` -- Pod Security (pluto_py/podsecurity) on the same documents: a namespace that
  loses its pod security with PodSecurityPolicy, or whose ``enforce`` label refuses its pods, is a
  blocker (``podsecurity-enforcement-lost``, ``podsecurity-pods-refused``); each violation of the level
  a namespace enforces is a ``podsecurity-violation`` warning naming the control and the field.

A live cluster (`preflight --cluster`) is no adapter: it is the ``live-cluster`` source of the scan's
registry (pluto_py.sources), opened by cli/preflight.py with ``ClusterOptions.all_objects`` so that
every object arrives as it runs, and the rest of preflight reads its documents like a dump's.
"""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.addons.judge import NOTICE_SUPPORT_UNKNOWN, NOTICE_VERSION_UNKNOWN
from pluto_py.core.model import STATUS_UNSUPPORTED, Finding, Notice
from pluto_py.podsecurity.model import (
    ENFORCEMENT_LOST,
    ENFORCEMENT_WEAKER,
    INVALID_LABEL,
    PODS_REFUSED,
    Level,
    NamespaceFinding,
    NamespaceReport,
    Violation,
    label_key,
)
from pluto_py.preflight.context import PreflightContext
from pluto_py.preflight.model import BLOCKER, INFO, WARNING, Check, ObjectRef, Rule

ADDON_UNSUPPORTED = "addon-unsupported"
POD_SECURITY_VIOLATION = "podsecurity-violation"
ADDON_NOTICES = (NOTICE_VERSION_UNKNOWN, NOTICE_SUPPORT_UNKNOWN)


def _addon_check(finding: Finding) -> Check:
    addon = finding.addon or {}
    name, version, image = addon.get("name", "?"), addon.get("version", "?"), addon.get("image", "?")
    supported, source = addon.get("supported") or None, addon.get("source") or None
    ref = ObjectRef(finding.kind, finding.name or "<unnamed>", finding.namespace, finding.api_version,
                    finding.path, finding.line)
    container = finding.context.get("container")
    runs = f"runs {name} {version} (image {image}" + (f", container {container})" if container else ")")
    supports = f": it supports Kubernetes {supported}" if supported else ""
    return Check(
        id=ADDON_UNSUPPORTED, severity=BLOCKER, object=ref,
        message=f"{finding.kind} {ref.name} {runs}, which does not support Kubernetes {finding.target}{supports}",
        fix=f"upgrade {name} to a version that supports Kubernetes {finding.target} before the control plane"
            + (f" (support matrix: {source})" if source else ""),
        evidence={"addon": name, "version": version, "image": image, "container": container,
                  "supported": supported, "source": source},
        key=("addon", "container"),
    )


def _notice_check(notice: Notice, context: PreflightContext) -> Check:
    held = context.view.containing(notice.path, notice.line)
    ref = held.ref() if held is not None else ObjectRef("File", notice.path, path=notice.path, line=notice.line)
    return Check(
        id=notice.code, severity=INFO, object=ref, message=notice.message,
        fix="read the add-on's release notes for its support of the target before upgrading",
        evidence={"notice": notice.code, "detail": notice.message}, key=("detail",),
    )


def addon_checks(context: PreflightContext) -> Iterator[Check]:
    """Add-ons whose support excludes the target (blockers), and those the data cannot judge (info),
    as the scan of the same inputs found them."""
    if context.scan is None:
        return
    for finding in context.scan.findings:
        if finding.status == STATUS_UNSUPPORTED and not finding.suppressed:
            yield _addon_check(finding)
    for notice in context.scan.notices:
        if notice.code in ADDON_NOTICES:
            yield _notice_check(notice, context)


def _namespace_check(namespace: NamespaceReport, finding: NamespaceFinding) -> Check:
    manifest = namespace.manifest
    ref = ObjectRef("Namespace", namespace.namespace, api_version="v1",
                    path=None if manifest is None else manifest.path, line=None if manifest is None else manifest.line)
    suggested = " ".join(f"{key}={value}" for key, value in namespace.suggested_labels.items())
    fixes = {
        ENFORCEMENT_LOST: f"label the namespace before the upgrade: {suggested}",
        PODS_REFUSED: "change the workloads its podsecurity-violation warnings name, or lower the enforce label to "
                      f"{namespace.level}, the level they meet",
        ENFORCEMENT_WEAKER: f"raise its enforce label to the stricter level, if its workloads meet it: {suggested}",
        INVALID_LABEL: "correct the label (levels: privileged, baseline, restricted; versions: latest or v1.x)",
    }
    return Check(
        id=finding.id, severity=BLOCKER if finding.fails else WARNING, object=ref, message=finding.message,
        fix=fixes.get(finding.id, "see `kdeprecate podsecurity`") + " (`kdeprecate podsecurity --fix` writes "
            "suggested labels into Namespace manifests)",
        evidence={"namespace": namespace.namespace, "meets": str(namespace.level),
                  "enforce": namespace.labels.get(label_key("enforce")), "suggested_enforce":
                  namespace.suggested_labels.get(label_key("enforce"))},
        key=(),
    )


def _violation_check(violation: Violation, enforce: Level) -> Check:
    ref = ObjectRef(violation.kind, violation.name or "<unnamed>", violation.namespace, None, violation.path,
                    violation.line)
    return Check(
        id=POD_SECURITY_VIOLATION, severity=WARNING, object=ref,
        message=f"{violation.message} ({violation.field}): {label_key('enforce')}={enforce} of namespace "
                f"{violation.namespace} refuses its pods",
        fix=f"change {violation.field}, or lower the namespace's enforce label below {violation.level}",
        evidence={"control": violation.control, "level": str(violation.level), "field": violation.field,
                  "enforce": str(enforce), "template": violation.template},
        key=("control", "field"),
    )


def pod_security_checks(context: PreflightContext) -> Iterator[Check]:
    """Namespaces that lose pod security or refuse their pods at the target (blockers), doubtful labels
    (warnings), and each violation of the level a namespace enforces (warnings)."""
    if not context.documents:
        return
    from pluto_py.podsecurity.inputs import with_release_objects
    from pluto_py.podsecurity.run import build_report

    # Errors among the release records were reported by the scan, which read the same documents.
    report = build_report(with_release_objects(context.documents), context.target)
    for namespace in report.namespaces:
        for finding in namespace.findings:
            yield _namespace_check(namespace, finding)
        enforce = Level.parse(namespace.labels.get(label_key("enforce"), ""))
        if enforce is None:
            continue
        for violation in namespace.violations:
            if violation.level <= enforce:
                yield _violation_check(violation, enforce)


RULES = (
    Rule(ADDON_UNSUPPORTED, BLOCKER, addon_checks),
    Rule(NOTICE_VERSION_UNKNOWN, INFO),
    Rule(NOTICE_SUPPORT_UNKNOWN, INFO),
    Rule(ENFORCEMENT_LOST, BLOCKER, pod_security_checks),
    Rule(PODS_REFUSED, BLOCKER),
    Rule(ENFORCEMENT_WEAKER, WARNING),
    Rule(INVALID_LABEL, WARNING),
    Rule(POD_SECURITY_VIOLATION, WARNING),
)
