"""`-o prometheus`, read back by Prometheus' own Python parser (prometheus_client.parser)."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from pluto_py.core.model import Finding, ScanError, ScanResult
from pluto_py.report import ReportContext, get_reporter
from pluto_py.report.prometheus import FINDING_LABELS, PrometheusReporter, escape_label_value
from tests.conftest import CliResult
from tests.test_report_formats import _in_repo_root  # noqa: F401  (autouse: repository root, no KDEPRECATE_*)

Cli = Callable[..., CliResult]
CONTEXT = ReportContext("9.9.9", "removed")
FAMILIES = ["kdeprecate_info", "kdeprecate_target_info", "kdeprecate_findings", "kdeprecate_scan_suppressed",
            "kdeprecate_scan_errors", "kdeprecate_scan_files", "kdeprecate_scan_documents",
            "kdeprecate_scan_timestamp_seconds"]


def finding(**changes: object) -> Finding:
    base: dict[str, object] = dict(
        path="a.yaml", line=1, column=13, document=0, source="file", template=None,
        api_version="extensions/v1beta1", kind="Ingress", name="web", namespace="shop", status="removed",
        deprecated_in="1.14", removed_in="1.22", replacement="networking.k8s.io/v1", replacement_available_in="1.19",
        component="k8s", fixable=True, target="1.22")
    base.update(changes)
    return Finding(**base)  # type: ignore[arg-type]


def render(*findings: Finding, errors: tuple[ScanError, ...] = (), now: float = 1_700_000_000.25) -> str:
    result = ScanResult(tuple(findings), errors, files=3, documents=5, targets={"k8s": "1.22"})
    return PrometheusReporter(clock=lambda: now).render(result, CONTEXT)


def samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Metric name -> (labels, value) of each sample, as Prometheus' parser reads them."""
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        assert family.type == "gauge", family
        assert family.documentation, family
        found[family.name] = [(dict(sample.labels), sample.value) for sample in family.samples]
    return found


def test_cli_report_parses_and_counts_the_golden_tree(cli: Cli) -> None:
    result = cli("scan", "tests/golden/input", "--no-config", "--target", "1.22", "-o", "prometheus")
    assert result.code == 1 and result.stderr == ""
    metrics = samples(result.stdout)
    assert list(metrics) == FAMILIES
    findings = metrics["kdeprecate_findings"]
    assert len(findings) == 4  # the suppressed PodDisruptionBudget is counted apart
    ingress = next(labels for labels, _ in findings if labels["kind"] == "Ingress")
    assert ingress == {"api_version": "extensions/v1beta1", "component": "k8s", "kind": "Ingress",
                       "namespace": "shop", "replacement": "networking.k8s.io/v1", "source": "file",
                       "status": "removed", "target": "1.22"}
    assert all(set(labels) == set(FINDING_LABELS) and value == 1 for labels, value in findings)
    assert metrics["kdeprecate_scan_suppressed"] == [({}, 1)]
    assert metrics["kdeprecate_scan_errors"] == [({}, 0)]
    assert metrics["kdeprecate_scan_files"] == [({}, 4)]
    assert metrics["kdeprecate_target_info"] == [({"component": "k8s", "version": "1.22"}, 1)]
    assert "name=" not in result.stdout and "web" not in result.stdout.replace("networking", "")


def test_findings_are_counted_per_label_set_not_per_object() -> None:
    text = render(finding(name="a"), finding(name="b", line=9), finding(name="c", namespace="other"),
                  finding(name="d", suppressed=True, suppression_reason="later"))
    findings = samples(text)["kdeprecate_findings"]
    assert [(labels["namespace"], value) for labels, value in findings] == [("other", 1), ("shop", 2)]
    assert samples(text)["kdeprecate_scan_suppressed"] == [({}, 1)]


def test_absent_values_are_empty_labels_and_errors_are_counted() -> None:
    text = render(finding(namespace=None, replacement=None, kind="PodSecurityPolicy", api_version="policy/v1beta1"),
                  errors=(ScanError("cluster:prod", None, "403 forbidden: secrets"),))
    metrics = samples(text)
    [(labels, value)] = metrics["kdeprecate_findings"]
    assert labels["namespace"] == "" and labels["replacement"] == "" and value == 1
    assert metrics["kdeprecate_scan_errors"] == [({}, 1)]
    assert metrics["kdeprecate_scan_timestamp_seconds"] == [({}, 1_700_000_000.25)]
    assert metrics["kdeprecate_info"] == [({"version": "9.9.9"}, 1)]


def test_output_is_sorted_and_stable_whatever_the_scan_order() -> None:
    items = [finding(namespace=f"ns{n % 3}", kind=kind, status=status, name=str(n))
             for n, (kind, status) in enumerate([("Ingress", "removed"), ("CronJob", "deprecated")] * 6)]
    first = render(*items)
    for seed in range(5):
        shuffled = list(items)
        random.Random(seed).shuffle(shuffled)
        assert render(*shuffled) == first
    lines = [line for line in first.splitlines() if line.startswith("kdeprecate_findings{")]
    assert lines == sorted(lines) and len(lines) == 6 and all(line.endswith(" 2") for line in lines)


def test_empty_scan_is_a_valid_report() -> None:
    text = get_reporter("prometheus").render(ScanResult((), (), 0, 0, {"k8s": "1.31"}), CONTEXT)
    assert text.endswith("\n")
    metrics = samples(text)
    assert "kdeprecate_findings" not in metrics or metrics["kdeprecate_findings"] == []
    assert metrics["kdeprecate_scan_documents"] == [({}, 0)]


HOSTILE = ['quote"d', "back\\slash", "new\nline", 'all\\"\n\\n', "\x1b[31mred\x1b[0m", "tab\there", "ünïcødé ☸",
           "trailing\\", "}", '",injected="1', "\r\n", "\x85c1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_label_values_survive_the_parser(value: str) -> None:
    text = render(finding(namespace=value, kind=value))
    [(labels, count)] = samples(text)["kdeprecate_findings"]
    expected = "".join("\ufffd" if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0 else c for c in value)
    assert labels["namespace"] == expected and labels["kind"] == expected and count == 1
    assert "injected" not in labels
    sample_line = next(line for line in text.splitlines() if line.startswith("kdeprecate_findings{"))
    assert "\x1b" not in text and "\r" not in text and sample_line.endswith(" 1")


@given(st.text(max_size=40))
def test_any_label_value_roundtrips(value: str) -> None:
    text = render(finding(namespace=value))
    [(labels, _)] = samples(text)["kdeprecate_findings"]
    # (U+FFFD for control characters, and since the one escaper (core/escape.py) for every other
    # character str.isprintable refuses: bidirectional overrides, separators, lone surrogates)
    assert labels["namespace"] == "".join(c if c.isprintable() or c == "\n" else "\ufffd" for c in value)


def test_escaping_follows_the_exposition_format() -> None:
    assert escape_label_value('a\\b"c\nd') == 'a\\\\b\\"c\\nd'


def test_output_file_gets_the_metrics_and_the_terminal_the_summary(cli: Cli, tmp_path: Path) -> None:
    report = tmp_path / "kdeprecate.prom"
    result = cli("scan", "tests/golden/input", "--no-config", "--target", "1.22", "-o", "prometheus",
                 "--fail-on", "none", "--output-file", str(report))
    assert result.code == 0
    assert "4 files, 7 documents" in result.stdout and "# TYPE" not in result.stdout
    assert samples(report.read_text(encoding="utf-8"))["kdeprecate_scan_documents"] == [({}, 7)]
