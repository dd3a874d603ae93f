"""Per namespace: the level its workloads meet, the PodSecurityPolicies that applied there, its
pod-security labels, and the verdict across the upgrade.

``analyze`` takes Documents from any source (files, charts, dumps, Helm releases, a live cluster)
and returns values; the CLI renders them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from pluto_py.core.model import SOURCE_HELM_RELEASE, Document
from pluto_py.core.versions import KubeVersion
from pluto_py.podsecurity.controls.base import mapping, text
from pluto_py.podsecurity.model import (
    ENFORCEMENT_LOST,
    ENFORCEMENT_WEAKER,
    INVALID_LABEL,
    LABEL_PREFIX,
    MODES,
    PODS_REFUSED,
    Level,
    ManifestRef,
    NamespaceFinding,
    NamespaceReport,
    PspGrant,
    Violation,
    label_key,
)
from pluto_py.podsecurity.psp import is_psp, psp_level, psp_unrestricted
from pluto_py.podsecurity.rbac import RbacIndex
from pluto_py.podsecurity.standards import Standards, load_standards
from pluto_py.podsecurity.workloads import COPIED_TEMPLATES, Workload, blocking, evaluate, level_of, workload_of

_SHOWN_WORKLOADS = 5  # in a pods-refused message


@dataclass
class _Namespace:
    name: str
    labels: dict[str, str] = field(default_factory=dict)
    manifest: ManifestRef | None = None
    service_accounts: set[str] = field(default_factory=lambda: {"default"})
    workloads: list[Workload] = field(default_factory=list)


@dataclass
class _Inventory:
    """Everything of the input that matters here."""

    namespaces: dict[str, _Namespace] = field(default_factory=dict)
    psps: dict[str, PspGrant] = field(default_factory=dict)  # by name, granted_via empty
    rbac: RbacIndex = field(default_factory=RbacIndex)

    def namespace(self, name: str) -> _Namespace:
        return self.namespaces.setdefault(name, _Namespace(name))

    def psp(self, name: str) -> PspGrant:
        """A policy by name; one granted but not in the input has no level."""
        return self.psps.get(name, PspGrant(name, None, (), ()))


def _inventory(documents: Iterable[Document], default_namespace: str, standards: Standards) -> _Inventory:
    from pluto_py.pipeline.judge import resources_of
    from pluto_py.sources.cluster import is_live_object

    inventory = _Inventory()
    workloads: list[Workload] = []
    for document in documents:
        for resource in resources_of(document):
            obj = resource.data
            kind = text(obj.get("kind"))
            metadata = mapping(obj.get("metadata"))
            name = text(metadata.get("name"))
            if kind == "Namespace" and obj.get("apiVersion") == "v1" and name:
                entry = inventory.namespace(name)
                live = is_live_object(obj)
                if entry.manifest is not None and not entry.manifest.live and live:
                    continue  # the manifest users keep says what the namespace will carry
                labels = mapping(metadata.get("labels"))
                entry.labels = {str(k): text(v) for k, v in labels.items() if str(k).startswith(LABEL_PREFIX)}
                line = document.position((*resource.path, "metadata", "name"))[0]
                entry.manifest = ManifestRef(document.path, line, document.source, live)
            elif is_psp(obj) and name:
                level, gaps = psp_level(obj, standards.psp)
                inventory.psps[name] = PspGrant(name, level, gaps, (), psp_unrestricted(obj))
            elif kind == "ServiceAccount" and obj.get("apiVersion") == "v1" and name:
                inventory.namespace(text(metadata.get("namespace")) or default_namespace).service_accounts.add(name)
            elif kind.endswith(("Role", "RoleBinding")):
                inventory.rbac.add(obj)
            else:
                workload = workload_of(document, resource.path, obj, default_namespace)
                if workload is not None:
                    workloads.append(workload)
    # A Helm release record says what was installed; a live object of the same name says what runs.
    running = {(w.namespace, w.kind, w.name) for w in workloads if w.document.source != SOURCE_HELM_RELEASE}
    for workload in workloads:
        if workload.document.source == SOURCE_HELM_RELEASE and (workload.namespace, workload.kind,
                                                                workload.name) in running:
            continue
        entry = inventory.namespace(workload.namespace)
        entry.workloads.append(workload)
        entry.service_accounts.add(workload.service_account)
    return inventory


class _Evaluations:
    """Each workload's violations at a policy version on the target release, computed once."""

    def __init__(self, standards: Standards, release: KubeVersion) -> None:
        self.standards = standards
        self.release = release
        self._cache: dict[tuple[int, KubeVersion], tuple[Violation, ...]] = {}

    def __call__(self, workload: Workload, version: KubeVersion) -> tuple[Violation, ...]:
        key = (id(workload), version)
        if key not in self._cache:
            self._cache[key] = evaluate(workload, version, self.standards, self.release)
        return self._cache[key]


def _judged(entry: _Namespace) -> tuple[list[Workload], dict[int, Workload]]:
    """The workloads to evaluate, and for a live Pod its controller's template (when in the input).

    A ReplicaSet or Job whose controller is in the input holds that controller's template (or an
    old one): it is not evaluated again. A Pod is (admission judges the Pod, and mutating webhooks
    may have added containers), but only what its template does not already show is reported.
    """
    by_name = {(w.kind, w.name): w for w in entry.workloads if w.live}
    judged: list[Workload] = []
    templates: dict[int, Workload] = {}
    for workload in entry.workloads:
        if workload.live and workload.kind in COPIED_TEMPLATES and workload.owner in by_name:
            continue
        judged.append(workload)
        owner = by_name.get(workload.owner) if workload.live and workload.kind == "Pod" and workload.owner else None
        while owner is not None and owner.kind in COPIED_TEMPLATES and owner.owner in by_name:
            owner = by_name[owner.owner] if owner.owner is not None else None
        if owner is not None:
            templates[id(workload)] = owner
    return judged, templates


def _same_finding(violation: Violation) -> tuple[str, str]:
    """What a violation says, wherever it is written: a Pod and its template agree on it (container
    names, not indexes: a webhook may have injected containers before them)."""
    return violation.control, violation.message


_POLICY_VERSION = re.compile(r"v1\.(0|[1-9][0-9]*)")  # api/helpers.go ParseVersion: "latest" or "v1.x"


def _parse_labels(labels: Mapping[str, str], target: KubeVersion, standards: Standards,
                  namespace: str) -> tuple[Level | None, KubeVersion, list[NamespaceFinding]]:
    """(enforce level, its policy version at the target, problems), as PodSecurity admission reads them:
    an unknown enforce level is enforced as restricted (audit and warn ones are ignored), an unknown
    version is read as latest, and a version past the server's is the server's."""
    problems: list[NamespaceFinding] = []
    enforce: Level | None = None
    version = target
    for mode in MODES:
        raw = labels.get(label_key(mode))
        if raw is not None:
            level = Level.parse(raw)
            if level is None:
                level = standards.invalid_enforce_level if mode == "enforce" else None
                effect = f"enforces {level} instead" if level is not None else "ignores it"
                problems.append(NamespaceFinding(INVALID_LABEL, namespace, f"{label_key(mode)}={raw!r} is not a "
                                                 f"level: PodSecurity admission {effect}", False))
            if mode == "enforce":
                enforce = level
        raw_version = labels.get(label_key(mode, version=True))
        if raw_version is None or raw_version == "latest":
            continue
        matched = _POLICY_VERSION.fullmatch(raw_version)
        if matched is None:
            problems.append(NamespaceFinding(INVALID_LABEL, namespace, f"{label_key(mode, True)}={raw_version!r} "
                                             "is not 'latest' or 'v1.x': read as latest", False))
        elif mode == "enforce":
            version = min(KubeVersion(1, int(matched.group(1))), target)
    return enforce, version, problems


def _psp_grants(entry: _Namespace, inventory: _Inventory) -> tuple[tuple[PspGrant, ...], bool]:
    """The PodSecurityPolicies pods of the namespace could use, and whether one constrained them.

    A pod could use every policy granted to its service account (or to the controller creating it),
    so a service account that may use a policy allowing privileged containers was never
    constrained; the namespace was when one of its service accounts was.
    """
    if not inventory.psps:
        return (), False
    if not inventory.rbac.has_grants:
        # PodSecurityPolicies but no `use` grants in the input: every one may apply.
        grants = tuple(grant for _, grant in sorted(inventory.psps.items()))
        return grants, not all(grant.unrestricted for grant in grants)
    via: dict[str, list[str]] = {}
    constrained = False
    for account in sorted(entry.service_accounts):
        names: set[str] = set()
        for grant, how in inventory.rbac.grants_for(entry.name, [account]):
            for name in sorted(inventory.psps) if grant.names is None else sorted(grant.names):
                via.setdefault(name, []).append(how)
                names.add(name)
        usable = [inventory.psp(name) for name in names]
        constrained = constrained or (bool(usable) and not any(grant.unrestricted for grant in usable))
    grants = tuple(replace(inventory.psp(name), granted_via=tuple(dict.fromkeys(hows)))
                   for name, hows in sorted(via.items()))
    return grants, constrained


def _workload_ref(workload: Workload, level: Level) -> str:
    return f"{workload.kind}/{workload.name or '<unnamed>'} ({level})"


def analyze(documents: Iterable[Document], target: KubeVersion, *, default_namespace: str = "default",
            standards: Standards | None = None) -> tuple[NamespaceReport, ...]:
    """Every namespace of the input (from its Namespace objects and its workloads), judged at ``target``."""
    standards = standards or load_standards()
    inventory = _inventory(documents, default_namespace, standards)
    evaluations = _Evaluations(standards, target)
    reports = []
    for name in sorted(inventory.namespaces):
        entry = inventory.namespaces[name]
        judged, templates = _judged(entry)
        levels = {id(w): level_of(evaluations(w, target)) for w in judged}
        level = min(levels.values(), default=Level.RESTRICTED)
        shown: list[Violation] = []
        for workload in judged:
            found = blocking(evaluations(workload, target), level)
            template = templates.get(id(workload))
            if template is not None:
                known = {_same_finding(v) for v in evaluations(template, target)}
                found = tuple(v for v in found if _same_finding(v) not in known)
            shown.extend(found)
        shown.sort(key=lambda v: (v.path, v.template or "", v.line or 0))
        psps, constrained = _psp_grants(entry, inventory)
        enforce, enforce_version, findings = _parse_labels(entry.labels, target, standards, name)
        suggested = {label_key("enforce"): str(level), label_key("enforce", True): f"v{target}",
                     label_key("audit"): str(level.stricter()), label_key("audit", True): f"v{target}",
                     label_key("warn"): str(level.stricter()), label_key("warn", True): f"v{target}"}
        if enforce is None and constrained and target >= standards.psp_removed_in:
            names = ", ".join(g.describe() for g in psps)
            findings.append(NamespaceFinding(
                ENFORCEMENT_LOST, name,
                f"pods here were admitted by PodSecurityPolicy {names}; PodSecurityPolicy is removed in "
                f"{standards.psp_removed_in} and the namespace has no {label_key('enforce')} label, so from then on "
                f"nothing checks its pods; label it {label_key('enforce')}={level}", True))
        if enforce is not None and target >= standards.enabled_by_default_since:
            refused = [(w, level_of(evaluations(w, enforce_version))) for w in judged]
            refused = [(w, lvl) for w, lvl in refused if lvl < enforce]
            if refused:
                listed = ", ".join(_workload_ref(w, lvl) for w, lvl in refused[:_SHOWN_WORKLOADS])
                more = f" and {len(refused) - _SHOWN_WORKLOADS} more" if len(refused) > _SHOWN_WORKLOADS else ""
                findings.append(NamespaceFinding(
                    PODS_REFUSED, name,
                    f"{label_key('enforce')}={enforce} (policy v{enforce_version}) refuses the pods of {listed}{more}",
                    True))
        known_levels = [g.level for g in psps if g.level is not None]
        if enforce is not None and constrained and known_levels and enforce < min(known_levels):
            findings.append(NamespaceFinding(
                ENFORCEMENT_WEAKER, name,
                f"{label_key('enforce')}={enforce} is weaker than the PodSecurityPolicy that applied here "
                f"({min(known_levels)})", False))
        reports.append(NamespaceReport(
            namespace=name, level=level, workloads=len(judged), labels=dict(sorted(entry.labels.items())),
            psps=psps, violations=tuple(shown), suggested_labels=suggested, findings=tuple(findings),
            manifest=entry.manifest, psp_constrained=constrained))
    return tuple(reports)
