"""`image-drift`: the same workload runs different container images on blue and green."""

from __future__ import annotations

from collections.abc import Iterator

from pluto_py.bluegreen.checks.base import Check, CheckContext, images, workloads
from pluto_py.bluegreen.checks.workload_missing import counterpart, green_workloads_known
from pluto_py.bluegreen.model import GREEN, WARNING, CheckResult

ID = "image-drift"


def _run(context: CheckContext) -> Iterator[CheckResult]:
    for blue_obj in workloads(context.blue):
        green_obj = counterpart(context, blue_obj)
        if green_obj is None:
            continue
        on_blue, on_green = images(blue_obj), images(green_obj)
        differences = []
        for container in sorted(set(on_blue) | set(on_green)):
            before, after = on_blue.get(container), on_green.get(container)
            if before != after:
                differences.append(f"{container}: {before or '(none)'} on blue, {after or '(none)'} on green")
        if differences:
            yield CheckResult(
                ID, WARNING, green_obj.ref,
                f"{green_obj.ref} runs other images on green than on blue: {'; '.join(differences)}",
                "make sure the difference is intended (a release rolled out on one side only?); run the same images "
                "on both sides before switching, or switch knowing that the version changes with it",
                side=GREEN, where=green_obj.where)


CHECK = Check(id=ID, severity=WARNING, run=_run, cannot_run=green_workloads_known)
