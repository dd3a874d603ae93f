"""`kdeprecate podsecurity`: the command's body (the typer function in pluto_py.podsecurity.cli only
parses options and calls ``run``).

Exit status: 0 every namespace keeps its protection and admits its pods; 1 a namespace loses
enforcement or would refuse its pods (with --fix/--diff: or labels were, or would be, written);
2 usage errors or inputs that could not be read.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import chain
from typing import TextIO

from pluto_py.cli_common import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, PROG, error_line, fail_usage
from pluto_py.model import Document, ScanError
from pluto_py.podsecurity.model import LABEL_PREFIX, Level, PodSecurityReport, label_key
from pluto_py.versions import KubeVersion


@dataclass(frozen=True)
class PodSecurityOptions:
    paths: tuple[str, ...]
    target: KubeVersion
    output: str = "text"
    default_namespace: str = "default"
    fix: bool = False
    diff: bool = False
    print_commands: bool = False
    helm_values: tuple[str, ...] = ()
    helm_set: tuple[str, ...] = ()


@dataclass
class _Errors:
    items: list[ScanError] = field(default_factory=list)

    def documents(self, stream: Iterable[Document | ScanError]) -> Iterator[Document]:
        """The Documents of ``stream``; its ScanErrors are kept here."""
        for item in stream:
            if isinstance(item, ScanError):
                self.items.append(item)
            else:
                yield item


def build_report(documents: Iterable[Document | ScanError], target: KubeVersion,
                 default_namespace: str = "default") -> PodSecurityReport:
    """Analyze any stream of Documents (files, charts, dumps, a live cluster) into a report."""
    from pluto_py.podsecurity.analyze import analyze
    from pluto_py.podsecurity.standards import load_standards

    standards = load_standards()
    errors = _Errors()
    namespaces = analyze(errors.documents(documents), target, default_namespace=default_namespace,
                         standards=standards)
    notes = []
    if target < standards.enabled_by_default_since:
        notes.append(f"the PodSecurity admission controller is not on by default before "
                     f"{standards.enabled_by_default_since}: the labels take effect once it is")
    elif target < standards.psp_removed_in and any(namespace.psps for namespace in namespaces):
        notes.append(f"PodSecurityPolicy still admits pods at {target}: label the namespaces before the upgrade to "
                     f"{standards.psp_removed_in}, which removes it")
    return PodSecurityReport(target=str(target), namespaces=namespaces, errors=tuple(errors.items),
                             notes=tuple(notes))


def run(options: PodSecurityOptions, tool_version: str, out: TextIO | None = None,
        extra: Iterable[Document | ScanError] = ()) -> int:
    """Read, analyze, report (and label): the exit status. ``extra``: Documents of another source
    (a live cluster), judged with those under ``options.paths``."""
    from pluto_py.podsecurity.inputs import PathSource
    from pluto_py.podsecurity.report import renderer

    stdout = out or sys.stdout
    try:
        render = renderer(options.output, tool_version)
    except ValueError as exc:
        fail_usage(f"--output: {exc}")
    try:
        source = PathSource(options.paths, str(options.target), options.helm_values, options.helm_set)
    except ValueError as exc:
        fail_usage(str(exc))
    report = build_report(chain(source, extra), options.target, options.default_namespace)
    report = replace(report, files=source.stats.files, documents=source.stats.documents)
    for warning in source.warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    report_errors = list(report.errors)
    for error in report_errors:
        error_line(f"{error.path}{'' if error.line is None else f':{error.line}'}: {error.message}")

    if options.print_commands:
        from pluto_py.podsecurity.fix import kubectl_commands

        stdout.write("".join(line + "\n" for line in kubectl_commands(report.namespaces)))
        stdout.flush()
        return EXIT_ERROR if report_errors else EXIT_FINDINGS if report.fails else EXIT_OK

    resolved: set[str] = set()
    changed = False
    if options.fix or options.diff:
        resolved, changed, label_errors = _label(report, write=options.fix and not options.diff, out=stdout,
                                                 show_diff=options.diff)
        report_errors += label_errors
        report = replace(report, errors=tuple(report_errors))
    if not options.diff:
        stdout.write(render(report))
    stdout.flush()
    if report_errors:
        return EXIT_ERROR
    unresolved = any(ns.fails and ns.namespace not in resolved for ns in report.namespaces)
    return EXIT_FINDINGS if unresolved or changed else EXIT_OK


def _label(report: PodSecurityReport, *, write: bool, out: TextIO,
           show_diff: bool) -> tuple[set[str], bool, list[ScanError]]:
    from pluto_py.cli_fix import unified_diff
    from pluto_py.podsecurity.fix import label_manifests
    from pluto_py.podsecurity.report import printable

    run_result = label_manifests(report.namespaces, write=write)
    for error in run_result.errors:
        error_line(f"{error.path}{'' if error.line is None else f':{error.line}'}: {error.message}")
    verb = "Labelling" if write else "Would label"
    current = {namespace.namespace: namespace.labels for namespace in report.namespaces}
    for item in run_result.labelled:
        pairs = " ".join(f"{key.removeprefix(LABEL_PREFIX)}={value}" for key, value in item.labels.items())
        print(f"{printable(item.path)}:{item.line}: {verb} namespace {printable(item.namespace)}: {pairs}",
              file=sys.stderr)
        before = Level.parse(current.get(item.namespace, {}).get(label_key("enforce"), ""))
        after = Level.parse(item.labels.get(label_key("enforce"), ""))
        if before is not None and after is not None and after < before:
            print(f"    note: this lowers enforce from {before} to {after}, so that the pods listed are admitted; "
                  f"to keep {before}, change those workloads instead", file=sys.stderr)
    for namespace, why in run_result.skipped:
        print(f"{PROG}: namespace {printable(namespace)} not labelled: {printable(why)} (use --print-commands)",
              file=sys.stderr)
    if show_diff:
        for result in run_result.results:
            if result.changed:
                out.write(unified_diff(result))
    changed = any(result.changed for result in run_result.results)
    return {item.namespace for item in run_result.labelled}, changed, run_result.errors
