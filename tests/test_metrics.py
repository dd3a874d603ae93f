"""`kdeprecate scan --metrics`: the apiserver_requested_deprecated_apis gauge from Prometheus text
exposition (HELP/TYPE lines, labels in any order, escapes, optional timestamps)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pluto_py.core.table import load_table
from pluto_py.core.versions import parse_version
from pluto_py.pipeline.judge import Targets
from pluto_py.sources.metrics import DeprecatedApiSample, MetricsProblem, parse_metrics_text, parse_sample
from tests.conftest import FIXTURES, CliResult
from tests.usage_scan import judge_items, read_metrics_usage

METRICS = FIXTURES / "usage" / "metrics.txt"
AT_125 = Targets(parse_version("1.25"))


def test_samples_of_the_gauge_among_other_metrics() -> None:
    samples = parse_metrics_text(METRICS.read_text(encoding="utf-8"))
    assert all(isinstance(s, DeprecatedApiSample) for s in samples)
    assert [(s.line, s.api_version, s.resource, s.subresource, s.removed_release) for s in samples
            if isinstance(s, DeprecatedApiSample)] == [
        (7, "policy/v1beta1", "poddisruptionbudgets", None, "1.25"),
        (8, "batch/v1beta1", "cronjobs", "status", "1.25"),
        (9, "batch/v1beta1", "cronjobs", None, "1.25"),
        (10, "cert-manager.io/v1alpha2", "certificates", None, None),
    ]


def test_core_group_escapes_timestamps_and_special_values() -> None:
    text = ('# TYPE apiserver_requested_deprecated_apis gauge\n'
            'apiserver_requested_deprecated_apis{group="",version="v1",resource="componentstatuses",'
            'subresource="",removed_release=""} 1\n'
            'apiserver_requested_deprecated_apis { resource = "x\\"y\\\\z\\nw" , version="v1beta1",} +Inf 17\n'
            'apiserver_requested_deprecated_apis_total{version="v1",resource="pods"} 3\n')
    first, second = parse_metrics_text(text)
    assert isinstance(first, DeprecatedApiSample) and first.api_version == "v1" and first.subresource is None
    assert isinstance(second, DeprecatedApiSample) and second.resource == 'x"y\\z\nw'
    assert second.value == float("inf")


def test_malformed_samples_are_problems_with_line_numbers() -> None:
    text = ("# HELP apiserver_requested_deprecated_apis help\n"
            'apiserver_requested_deprecated_apis{group="policy",version="v1beta1" 1\n'
            'apiserver_requested_deprecated_apis{group="policy",version="v1beta1",resource="x"}\n'
            'apiserver_requested_deprecated_apis{resource="x",resource="y",version="v1"} 1\n'
            'apiserver_requested_deprecated_apis{group="policy"} 1\n'
            "{not a metric} 1\n"
            'apiserver_requested_deprecated_apis{version="v1",resource="a\\q"} 1\n')
    problems = parse_metrics_text(text)
    assert [p.line for p in problems] == [2, 3, 4, 5, 6, 7]
    assert all(isinstance(p, MetricsProblem) for p in problems)
    assert "given twice" in problems[2].message  # type: ignore[union-attr]


LABELS = {"group": "batch", "version": "v1beta1", "resource": "cronjobs", "subresource": "status",
          "removed_release": "1.25"}


@settings(max_examples=60, deadline=None)
@given(st.permutations(list(LABELS)), st.sampled_from(["", " ", "\t"]), st.booleans(), st.booleans())
def test_label_order_and_spacing_do_not_matter(order: list[str], space: str, trailing_comma: bool,
                                               timestamp: bool) -> None:
    labels = f",{space}".join(f'{name}{space}={space}"{LABELS[name]}"' for name in order)
    line = (f"apiserver_requested_deprecated_apis{{{space}{labels}{',' if trailing_comma else ''}{space}}} 1"
            + (" 1709294400000" if timestamp else ""))
    assert parse_sample(line, 4) == DeprecatedApiSample(4, "batch/v1beta1", "cronjobs", "status", "1.25", 1.0)


def test_findings_judged_by_the_table_with_a_notice_for_unknown_apis() -> None:
    run = read_metrics_usage([str(METRICS)], load_table(), AT_125)
    assert run.errors == ()
    found = {(f.api_version, f.kind, f.status, f.line, f.usage.subresource if f.usage else "") for f in run.findings}
    assert found == {("policy/v1beta1", "PodDisruptionBudget", "removed", 7, None),
                     ("batch/v1beta1", "CronJob", "removed", 9, "status")}
    assert all(f.source == "metrics" and f.usage and f.usage.user is None and f.usage.count is None
               for f in run.findings)
    (notice,) = run.notices
    assert notice.code == "metrics-unknown-api" and notice.line == 10
    early = read_metrics_usage([str(METRICS)], load_table(), Targets(parse_version("1.20")))
    assert {f.status for f in early.findings} == {"deprecated"} or early.findings == ()


def test_cli_metrics_file_with_errors(tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    broken = tmp_path / "metrics.txt"
    broken.write_text(METRICS.read_text(encoding="utf-8")
                      + 'apiserver_requested_deprecated_apis{group="extensions",version="v1beta1",resource="ingresses"')
    result = cli("scan", "--metrics", str(broken), "--target", "1.22")
    assert result.code == 2
    assert f"{broken}:14: last line is cut short? malformed apiserver_requested_deprecated_apis sample" in \
        result.stderr
    assert "API server metrics (calls since the server started; the callers are not recorded):" in result.stdout
    ok = cli("scan", "--metrics", str(METRICS), "--target", "1.25", "-o", "json")
    assert ok.code == 1
    assert {f["usage"]["resource"] for f in ok.json()["findings"]} == {"poddisruptionbudgets", "cronjobs"}


def test_metrics_text_from_a_live_scrape() -> None:
    from pluto_py.sources.metrics import metrics_documents_from_text

    text = METRICS.read_text(encoding="utf-8") + 'apiserver_requested_deprecated_apis{version="v1beta1"} 1\n'
    run = judge_items(metrics_documents_from_text(text, "cluster:prod"), load_table(), AT_125)
    assert {(f.path, f.kind) for f in run.findings} == {("cluster:prod", "PodDisruptionBudget"),
                                                       ("cluster:prod", "CronJob")}
    assert [(e.path, e.line) for e in run.errors] == [("cluster:prod", 14)]
