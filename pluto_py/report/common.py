"""What several reporters share: the advice sentence, locations, ordering, rule codes (core/rules.py)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pluto_py.core.model import CLUSTER_PATH_PREFIX, SOURCE_HELM_RELEASE, STATUS_REMOVED, Finding, Notice, ScanResult


def rule_id(finding: Finding) -> str:
    """The registered rule code of a finding (core/rules.py); UnknownRuleError for an unknown status."""
    from pluto_py.core.rules import finding_rule  # (not imported by a text report without notices)

    return finding_rule(finding.status).code


def notice_code(notice: Notice) -> str:
    """A notice's code, checked against the registry (core/rules.py): UnknownRuleError if it is not there."""
    from pluto_py.core.rules import rule

    return rule(notice.code).code


def advice(finding: Finding) -> str:
    """'removed in 1.22; use networking.k8s.io/v1, available since 1.19'."""
    return api_advice(finding) + _release_remark(finding)


def api_advice(finding: Finding) -> str:
    """``advice`` without the Helm-release remark, for callers that say their own thing about releases."""
    if finding.addon is not None:
        return _addon_advice(finding)

    def release(version: str | None) -> str:
        return f"{finding.component} {version}" if finding.component not in ("k8s", "crd") else str(version)

    if finding.status == STATUS_REMOVED:
        head = f"removed in {release(finding.removed_in)}" if finding.removed_in else "no longer served"
    else:
        head = f"deprecated in {release(finding.deprecated_in)}" if finding.deprecated_in else "deprecated"
        if finding.removed_in:
            head += f", removed in {release(finding.removed_in)}"
    interim, since = finding.interim_replacement, finding.interim_available_in
    from_version = finding.from_version
    ready = interim is not None and since is not None and (
        from_version is None or _minor(since) <= _minor(from_version))
    if finding.replacement is None:
        if interim and ready:
            return (f"{head}; use {interim} (served at {finding.target}); after that no replacement API"
                    + (f" ({finding.notes})" if finding.notes else ""))
        return f"{head}; no replacement API" + (f" ({finding.notes})" if finding.notes else "")
    use = f"use {finding.replacement}"
    if finding.replacement_available_in:
        use += f", available since {release(finding.replacement_available_in)}"
    final_later = (finding.replacement_available_in is not None
                   and _minor(finding.replacement_available_in) > _minor(finding.target))
    if interim and ready and final_later:
        # The replacement is not served at the target: what to use meanwhile comes first.
        use = (f"use {interim} (served at {finding.target}"
               + (" and by the --from version" if from_version else "")
               + f"); {finding.replacement} from {release(finding.replacement_available_in)}")
    elif finding.replacement_available_at_from is False:
        use += " (not yet served by the --from version"
        if interim and ready:
            use += f"; {interim} is served by both: migrate to it before the upgrade"
        elif interim and since:
            use += (f"; no version is served by both: migrate to {interim} once the cluster is at {since}"
                    + (f", before it reaches {finding.removed_in}" if finding.removed_in else ""))
        use += ")"
    if finding.notes and finding.component == "crd":
        use += f" ({finding.notes})"
    return f"{head}; {use}"


def _addon_advice(finding: Finding) -> str:
    """The sentence for an add-on that does not support the target (status unsupported, pluto_py.addons)."""
    addon = finding.addon or {}
    return (f"{addon.get('name')} {addon.get('version')} ({addon.get('image')}) does not support Kubernetes "
            f"{finding.target}: {finding.notes}; upgrade it to a release that supports {finding.target} "
            f"before the cluster")


def _minor(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _release_remark(finding: Finding) -> str:
    """Helm release records block `helm upgrade` until the stored manifest is rewritten: say so."""
    if finding.source != SOURCE_HELM_RELEASE:
        return ""
    release = finding.context.get("release")
    revision = finding.context.get("revision")
    named = f"Helm release {release}" + (f" revision {revision}" if revision else "") if release else "Helm release"
    if finding.context.get("hook"):
        return f" [hook of {named}: does not block helm upgrade; fix it in the chart]"
    return f" [{named}: blocks helm upgrade; rewrite it with helm-mapkubeapis]"


def message(finding: Finding) -> str:
    """One sentence for annotation-style reports: what, where in the cluster, what to do."""
    return f"{finding.object_ref} uses {finding.api_version}: {advice(finding)}"


def location(finding: Finding) -> str:
    where = finding.path if finding.line is None else f"{finding.path}:{finding.line}:{finding.column}"
    # The Helm template, when the path is not its file; a chart's line is the template's when it could
    # be located there, else the rendered output's (a packaged subchart, a CRD read with .Files.Get):
    # say which. A finding of the static reading from a branch may not be rendered at the target: say
    # that too.
    notes = [str(finding.template)] if template_shown(finding) else []
    if finding.template and finding.context.get("line_in") == "rendered":
        notes.append("line of the rendered output")
    if finding.context.get("conditional") == "true":
        notes.append("conditional: may not be rendered at the target")
    if notes:
        where += f" [{'; '.join(notes)}]"
    values = finding.context.get("values")
    if values:  # rendered with a chart's values set (sources/helm.py): only that render has it
        where += f" [with {values}]"
    return where


def template_shown(finding: Finding) -> bool:
    """Whether a location needs the Helm template beside its path: when the path is not the
    template file itself (Helm output read from a file or stdin, a line in rendered output, a
    template inside a packaged subchart)."""
    return finding.template is not None and finding.path != finding.context.get("template_file")


def has_file(path: str, source: str) -> bool:
    """Whether ``path`` names a file in the user's tree (not stdin or a live cluster)."""
    return path not in ("", "-") and source not in ("stdin", "cluster") and not path.startswith(CLUSTER_PATH_PREFIX)


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Findings grouped by file (files in scan order), by position within a file."""
    order: dict[str, int] = {}
    items = list(findings)
    for finding in items:
        order.setdefault(finding.path, len(order))
    # Objects of a live cluster have no line: by namespace, kind and name (pages arrive in any order).
    return sorted(items, key=lambda f: (order[f.path], f.line or 0, f.column or 0, f.document,
                                        *((f.namespace or "", f.kind, f.name or "") if f.line is None else ())))


def active(result: ScanResult) -> list[Finding]:
    return [f for f in ordered(result.findings) if not f.suppressed]


def suppressed(result: ScanResult) -> list[Finding]:
    return [f for f in ordered(result.findings) if f.suppressed]


def grouped(result: ScanResult) -> Iterator[tuple[str, list[Finding | Notice]]]:
    """Active findings and notices, by file, in scan order."""
    groups: dict[str, list[Finding | Notice]] = {}
    for finding in active(result):
        groups.setdefault(finding.path, []).append(finding)
    for notice in result.notices:
        groups.setdefault(notice.path, []).append(notice)
    for path, entries in groups.items():
        yield path, sorted(entries, key=lambda e: (e.line or 0, e.column or 0))


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def targets_text(result: ScanResult) -> str:
    return ", ".join(f"{name} {version}" for name, version in result.targets.items())
