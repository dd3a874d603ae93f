"""version-eol: the target (or the current) release is past its upstream end of life.

Dates are data (data/preflight/end_of_life.yaml, from kubernetes.io's release pages). Upgrading
to a release that no longer gets patches is a warning; running one now is worth knowing (info).
A target within 90 days of its end of life is noted too. Managed offerings (EKS, GKE, AKS) may
support a release longer than upstream: this check speaks of upstream only.
"""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.preflight.context import PreflightContext
from pluto_py.preflight.facts import EndOfLife
from pluto_py.preflight.model import INFO, WARNING, Check, ObjectRef, Rule

VERSION_EOL = "version-eol"
SOON_DAYS = 90


def _check(which: str, row: EndOfLife, severity: str, message: str, fix: str) -> Check:
    return Check(
        id=VERSION_EOL, severity=severity, object=ObjectRef("KubernetesRelease", str(row.release)),
        message=message, fix=fix,
        evidence={"release": str(row.release), "role": which, "end_of_life": row.date.isoformat(),
                  "date_status": "final" if row.final else "planned", "source": row.source},
        key=("role",),
    )


def run(context: PreflightContext) -> Iterator[Check]:
    facts, today = context.facts, context.today
    target = facts.end_of_life_of(context.target)
    if target is not None:
        if target.date < today:
            yield _check("target", target, WARNING,
                         f"the target {target.release} reached its upstream end of life on {target.date.isoformat()}: "
                         "it gets no more patch releases, security fixes included",
                         "aim the upgrade at a release that is still maintained (or check that your provider "
                         "supports this one for longer)")
        elif (target.date - today).days <= SOON_DAYS:
            yield _check("target", target, INFO,
                         f"the target {target.release} reaches its upstream end of life on "
                         f"{target.date.isoformat()}, in {(target.date - today).days} days",
                         "plan the next upgrade now")
    if context.from_version is not None and context.from_version != context.target:
        current = facts.end_of_life_of(context.from_version)
        if current is not None and current.date < today:
            yield _check("current", current, INFO,
                         f"the current release {current.release} reached its upstream end of life on "
                         f"{current.date.isoformat()}",
                         "this upgrade is overdue: keep it moving")


RULES = (
    Rule(VERSION_EOL, WARNING, run),
)
