"""`api-not-served`: an object, as applied on blue, uses a built-in or aggregated API green does not serve.

The object is judged as its owners applied it (last-applied annotation, Helm release manifest, the manifest
itself), not as a dump shows it: the API server converts live objects to whatever version is asked for.
Custom resources are left to ``crd-missing`` / ``crd-version-not-served``, which say what to install. The
explanation (removed when, what replaces it, whether `kdeprecate fix` migrates it) is the scan's own.
"""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.bluegreen.checks.base import Check, CheckContext, aggregated_group_versions
from pluto_py.bluegreen.model import BLOCKER, BLUE, WARNING, CheckResult, ClusterObject
from pluto_py.core.model import SOURCE_FILE, SOURCE_HELM_RELEASE, SOURCE_HELM_TEMPLATE, SOURCE_STDIN, Document

ID = "api-not-served"


def _alternatives(context: CheckContext, obj: ClusterObject) -> list[str]:
    """Group/versions at which green serves the object's kind."""
    green = context.green
    candidates = {gv for gv, kinds in green.discovered.items() if obj.kind in kinds}
    if green.version is not None:
        from pluto_py.bluegreen.model import builtin_served

        candidates |= {gv for gv, kinds in builtin_served(green.version)[0].items() if obj.kind in kinds}
    return sorted(gv for gv in candidates if green.served(gv, obj.kind) is True)


def _how_to_migrate(context: CheckContext, obj: ClusterObject, replacement: str | None) -> str:
    """Where the change is made, and whether `kdeprecate fix` makes it."""
    from pluto_py.fix.migrations import find_migration

    version = context.green.version
    fix = f"kdeprecate fix --target {version}" if version is not None else "kdeprecate fix --target VERSION"
    where = obj.where
    if replacement is None or find_migration(obj.api_version, obj.kind) is None:
        return "no automatic migration: rewrite it by hand"
    if where.source in (SOURCE_FILE, SOURCE_STDIN):
        return f"`{fix} {where.path}` migrates it" if where.source == SOURCE_FILE else f"`{fix} -` migrates it"
    if where.source in (SOURCE_HELM_TEMPLATE, SOURCE_HELM_RELEASE):
        template = f" ({where.detail})" if where.detail else ""
        chart = where.path if where.source == SOURCE_HELM_TEMPLATE else "CHART"
        return (f"change the chart's template{template} before installing it on green; `{fix} {chart}` says what "
                "to change in it")
    return f"`{fix}` migrates the manifest it was applied from; apply that on green"


def _explain(context: CheckContext, obj: ClusterObject) -> tuple[str, str]:
    from pluto_py.pipeline.judge import Resource, finding_for
    from pluto_py.report.common import api_advice

    green, api_version = context.green, obj.api_version
    label = f"green ({green.version})" if green.version is not None else "green"
    head = f"{obj.ref} is applied on blue as {api_version}, which {label} does not serve"
    row = context.table.lookup(api_version, obj.kind)
    status = row.status_at(green.version) if row is not None and green.version is not None else None
    if row is None or green.version is None or status is None:
        served = _alternatives(context, obj)
        if not context.green.is_builtin(api_version):
            return head, (f"install what serves {api_version} on green first (its APIService and the workload "
                          "behind it; see apiservice-missing)")
        return head, (f"use a version green serves: {', '.join(served)}" if served
                      else f"green serves no {obj.kind} at all: remove the object or find a replacement")
    document = Document(obj.where.path, 0, obj.where.line or 1, obj.applied, source=obj.where.source)
    finding = finding_for(Resource(document, obj.applied or {}, ()), row, status, green.version, None, context.table)
    replacement = finding.interim_replacement or finding.replacement
    if replacement is None:
        return f"{head}: {api_advice(finding)}", "leave it out of what is applied on green: no API replaces it"
    fix = f"move it to {replacement}"
    if replacement and context.blue.served(replacement, row.replacement_kind or obj.kind) is True:
        fix += " (blue serves it too: migrate before the move)"
    return f"{head}: {api_advice(finding)}", f"{fix}; {_how_to_migrate(context, obj, replacement)}"


def _cannot_run(context: CheckContext) -> str | None:
    if not context.green.knows_served:
        return "needs what green serves: --green-version, --green-api-resources, or --green-context"
    return None


def _run(context: CheckContext) -> Iterator[CheckResult]:
    green = context.green
    aggregated = aggregated_group_versions(context.blue, green)
    for obj in context.blue.objects or ():
        if obj.applied is None:
            continue  # made by a controller or created otherwise: its apiVersion is what the client asked for
        api_version = obj.api_version
        builtin = green.is_builtin(api_version)
        if not builtin and api_version not in aggregated:
            continue  # a custom resource: crd-missing / crd-version-not-served
        verdict = green.served(api_version, obj.kind)
        if verdict is True:
            continue
        if verdict is None:
            if builtin and "alpha" in api_version.rpartition("/")[2]:
                yield CheckResult(
                    ID, WARNING, obj.ref,
                    f"{obj.ref} is applied on blue as {api_version}, an alpha API that green serves only when "
                    "its API server enables it",
                    "check `kubectl api-versions` on green (or give it with --green-api-resources); alpha APIs are "
                    "off by default and change without notice: move to a beta or GA version where there is one",
                    side=BLUE, where=obj.where)
            continue
        message, fix = _explain(context, obj)
        yield CheckResult(ID, BLOCKER, obj.ref, message, fix, side=BLUE, where=obj.where)


CHECK = Check(id=ID, severity=BLOCKER, run=_run, cannot_run=_cannot_run)
