"""`-o prometheus`: the scan as Prometheus metrics, text exposition format 0.0.4.

Meant for a scheduled in-cluster scan whose output a Pushgateway or a node-exporter textfile
collector hands to Prometheus (deploy/README.md), so that a fleet of clusters can be watched and
alerted on with one query: ``sum by (cluster) (kdeprecate_findings{status="removed"}) > 0``.

Findings are *counted* per label set (api_version, kind, namespace, status, target, component,
replacement, source); object names are deliberately not a label. Every distinct label set is a
time series that Prometheus keeps and indexes: names are unbounded (generated Job and Pod names,
one namespace per pull request) and would create a new series for each object and on each rename,
while the labels kept here are bounded by the API table and the cluster's namespaces. Which objects
they are is what ``-o json`` / ``-o text`` answer, from the same scan.

Suppressed findings are not in ``kdeprecate_findings`` (they are counted apart), so an alert on it
matches the scan's gate. Every sample is a gauge: each report replaces the previous one whole.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from pluto_py.core.model import ScanResult
from pluto_py.report import ReportContext

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# The labels of kdeprecate_findings, in output order.
FINDING_LABELS = ("api_version", "component", "kind", "namespace", "replacement", "source", "status", "target")

_LABEL_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n"})
_HELP_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n"})
# Other control characters are valid in a label value but would reach a terminal that prints the
# report: they become U+FFFD (the format has no escape for them), and so does every other character
# core/escape.py would escape (bidirectional overrides, line separators, lone surrogates).
_CONTROLS = str.maketrans({code: "\ufffd" for code in (*range(0x20), 0x7F, *range(0x80, 0xA0)) if code != 0x0A})


def _replace_unprintable(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() or char == "\n" else "\ufffd" for char in text)

Labels = tuple[tuple[str, str], ...]


def escape_label_value(value: str) -> str:
    """A label value as the exposition format writes it between double quotes."""
    return _replace_unprintable(value.translate(_CONTROLS)).translate(_LABEL_ESCAPES)


def escape_help(text: str) -> str:
    return _replace_unprintable(text.translate(_CONTROLS)).translate(_HELP_ESCAPES)


def _sample(name: str, labels: Labels, value: float) -> str:
    rendered = ",".join(f'{key}="{escape_label_value(label)}"' for key, label in labels)
    number = str(value) if isinstance(value, int) else repr(value)
    return f"{name}{{{rendered}}} {number}" if labels else f"{name} {number}"


def _family(name: str, help_text: str, samples: Iterable[tuple[Labels, float]]) -> list[str]:
    lines = [f"# HELP {name} {escape_help(help_text)}", f"# TYPE {name} gauge"]
    lines.extend(_sample(name, labels, value) for labels, value in sorted(samples))
    return lines


def finding_counts(result: ScanResult) -> Mapping[Labels, int]:
    """Unsuppressed findings counted per label set."""
    counts: Counter[Labels] = Counter()
    for finding in result.findings:
        if finding.suppressed:
            continue
        values = {"api_version": finding.api_version, "component": finding.component, "kind": finding.kind,
                  "namespace": finding.namespace or "", "replacement": finding.replacement or "",
                  "source": finding.source, "status": finding.status, "target": finding.target}
        counts[tuple((label, str(values[label])) for label in FINDING_LABELS)] += 1
    return counts


class PrometheusReporter:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock  # when the report is made: a seam for tests

    def render(self, result: ScanResult, context: ReportContext) -> str:
        summary = result.summary
        lines: list[str] = []
        lines += _family("kdeprecate_info", "The kdeprecate release that made this report (always 1).",
                         [((("version", context.tool_version),), 1)])
        lines += _family("kdeprecate_target_info",
                         "A version the scan judged at, per component (k8s or an add-on); always 1.",
                         [((("component", component), ("version", version)), 1)
                          for component, version in result.targets.items()])
        lines += _family("kdeprecate_findings",
                         "Objects using a deprecated or removed API version at the target, counted per label set "
                         "(suppressed findings excluded).", finding_counts(result).items())
        lines += _family("kdeprecate_scan_suppressed",
                         "Findings silenced by a kdeprecate: ignore comment.", [((), summary.suppressed)])
        lines += _family("kdeprecate_scan_errors",
                         "Inputs that could not be read or parsed; above 0 the scan is incomplete.",
                         [((), summary.errors)])
        lines += _family("kdeprecate_scan_files", "Files (or cluster sources) scanned.", [((), summary.files)])
        lines += _family("kdeprecate_scan_documents", "Documents (objects and lists) scanned.",
                         [((), summary.documents)])
        lines += _family("kdeprecate_scan_timestamp_seconds",
                         "When this report was made, in seconds since the Unix epoch.",
                         [((), round(self.clock(), 3))])
        return "\n".join(lines) + "\n"
