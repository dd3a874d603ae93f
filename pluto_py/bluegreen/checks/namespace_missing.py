"""`namespace-missing`: a namespace that holds objects on blue does not exist on green."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from pluto_py.bluegreen.checks.base import Check, CheckContext, plural, user_objects
from pluto_py.bluegreen.checks.psp_without_psa import psa_needed
from pluto_py.bluegreen.model import BLOCKER, BLUE, NAMESPACE_KIND, WARNING, CheckResult, ObjectRef

ID = "namespace-missing"


def _cannot_run(context: CheckContext) -> str | None:
    if not context.green.knows_namespaces:
        return "needs green's namespaces: --green with a dump of its Namespace objects, or --green-context"
    return None


def _run(context: CheckContext) -> Iterator[CheckResult]:
    blue, green = context.blue, context.green
    held = Counter(obj.namespace for obj in blue.objects or () if obj.namespace)
    applied = {obj.namespace for obj in user_objects(blue) if obj.namespace}
    labels_needed = psa_needed(context)
    for name in sorted(blue.namespaces):
        if green.has_namespace(name):
            continue
        count = held.get(name, 0)
        kinds = sorted({obj.kind for obj in blue.objects or () if obj.namespace == name})
        what = f"holds {plural(count, 'object')} on blue ({', '.join(kinds)})" if count else "is empty on blue"
        fix = f"create namespace {name} on green before the objects that go into it"
        if labels_needed:
            fix += (", with a pod-security.kubernetes.io/enforce label (blue enforced PodSecurityPolicy, which "
                    "green does not have)")
        namespace = blue.namespaces.get(name)
        yield CheckResult(ID, BLOCKER if name in applied else WARNING, ObjectRef("v1", NAMESPACE_KIND, name, None),
                          f"namespace {name} {what} and does not exist on green", fix, side=BLUE,
                          where=namespace.where if namespace is not None else None)


CHECK = Check(id=ID, severity=BLOCKER, run=_run, cannot_run=_cannot_run)
