"""Reading `kubectl api-resources` / `kubectl api-versions` text as kubectl prints it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pluto_py.bluegreen.apiresources import (
    FORMAT_RESOURCES,
    FORMAT_VERSIONS,
    DiscoveryTextError,
    parse_discovery_text,
)
from pluto_py.bluegreen.model import ApiResource
from tests.conftest import FIXTURES

GREEN = FIXTURES / "bluegreen" / "green-1.29"


def kubectl_table(rows: list[list[str]]) -> str:
    """Go's tabwriter as kubectl sets it up: padding 3, the last cell of a line not padded."""
    widths = [max(len(row[i]) for row in rows) + 3 for i in range(len(rows[0]) - 1)]
    return "".join("".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + row[-1] + "\n" for row in rows)


WIDE_HEADER = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "VERBS", "CATEGORIES"]


def test_wide_fixture_reads_every_row_with_empty_cells() -> None:
    parsed = parse_discovery_text((GREEN / "api-resources-wide.txt").read_text())
    assert parsed.format == FORMAT_RESOURCES and parsed.errors == []
    by_name = {(r.group_version, r.name): r for r in parsed.resources}
    assert len(parsed.resources) == 68
    assert by_name[("v1", "bindings")] == ApiResource("bindings", "v1", "Binding", True, (), ("create",), ())
    assert by_name[("v1", "pods")].categories == ("all",) and by_name[("v1", "pods")].short_names == ("po",)
    assert by_name[("apiextensions.k8s.io/v1", "customresourcedefinitions")].short_names == ("crd", "crds")
    assert by_name[("acme.cert-manager.io/v1", "orders")].categories == ("cert-manager", "acme")
    assert by_name[("metrics.k8s.io/v1beta1", "nodes")] == ApiResource(
        "nodes", "metrics.k8s.io/v1beta1", "NodeMetrics", False, (), ("get", "list"), ())


def test_default_form_gives_the_same_resources_without_verbs() -> None:
    wide = parse_discovery_text((GREEN / "api-resources-wide.txt").read_text())
    narrow = parse_discovery_text((GREEN / "api-resources.txt").read_text())
    assert narrow.errors == []
    assert [(r.name, r.group_version, r.kind, r.namespaced, r.short_names) for r in narrow.resources] == [
        (r.name, r.group_version, r.kind, r.namespaced, r.short_names) for r in wide.resources]
    assert all(r.verbs == () for r in narrow.resources)


def test_api_versions_are_a_complete_list() -> None:
    parsed = parse_discovery_text((GREEN / "api-versions.txt").read_text())
    assert parsed.format == FORMAT_VERSIONS
    assert {"v1", "apps/v1", "autoscaling/v1", "autoscaling/v2", "flowcontrol.apiserver.k8s.io/v1beta3",
            "metrics.k8s.io/v1beta1", "cert-manager.io/v1"} <= parsed.group_versions
    assert "batch/v1beta1" not in parsed.group_versions


def test_bad_rows_are_errors_with_their_line_and_the_rest_is_read() -> None:
    text = kubectl_table([WIDE_HEADER, ["pods", "po", "v1", "true", "Pod", "get,list", "all"],
                          ["services", "svc", "v1", "maybe", "Service", "get", ""],
                          ["deployments", "deploy", "apps/v1", "true", "Deployment", "get", "all"]])
    text += "this line is not a resource\n"
    parsed = parse_discovery_text(text)
    assert [r.name for r in parsed.resources] == ["pods", "deployments"]
    assert [line for line, _ in parsed.errors] == [3, 5]
    assert "not a row of `kubectl api-resources` output" in parsed.errors[0][1]


def test_rows_that_lost_their_alignment_are_read_by_their_tokens() -> None:
    text = ("NAME   SHORTNAMES   APIVERSION   NAMESPACED   KIND\n"
            "horizontalpodautoscalers hpa autoscaling/v2 true HorizontalPodAutoscaler\n"
            "  leases coordination.k8s.io/v1 true Lease\r\n")
    parsed = parse_discovery_text(text)
    assert parsed.errors == []
    assert [(r.name, r.short_names, r.group_version, r.kind) for r in parsed.resources] == [
        ("horizontalpodautoscalers", ("hpa",), "autoscaling/v2", "HorizontalPodAutoscaler"),
        ("leases", (), "coordination.k8s.io/v1", "Lease")]


def test_headerless_tab_separated_and_old_bracket_verbs() -> None:
    no_headers = "pods   po   v1   true   Pod   [create delete get list]   all\n"
    parsed = parse_discovery_text(no_headers)
    assert parsed.resources[0].verbs == ("create", "delete", "get", "list")
    tabs = "NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND\nconfigmaps\tcm\tv1\ttrue\tConfigMap\n"
    assert parse_discovery_text(tabs).resources[0].kind == "ConfigMap"


def test_discovery_failures_captured_with_stderr_name_unreachable_apis() -> None:
    text = ("E0301 10:00:00.000000   4242 memcache.go:287] couldn't get resource list for metrics.k8s.io/v1beta1: "
            "the server is currently unable to handle the request\n"
            + kubectl_table([WIDE_HEADER[:5], ["pods", "po", "v1", "true", "Pod"]])
            + "error: unable to retrieve the complete list of server APIs: custom.metrics.k8s.io/v1beta1: the "
              "server is currently unable to handle the request\n")
    parsed = parse_discovery_text(text)
    assert parsed.errors == [] and [r.name for r in parsed.resources] == ["pods"]
    assert parsed.unreachable == {"metrics.k8s.io/v1beta1", "custom.metrics.k8s.io/v1beta1"}


@pytest.mark.parametrize(("text", "line", "message"), [
    ("", None, "empty"),
    ("NAME  SHORTNAMES  APIGROUP  NAMESPACED  KIND\npods  po    true  Pod\n", 1, "older than 1.20"),
    ("pods\ndeployments.apps\n", 1, "-o name"),
    ("NAME  COLOUR  KIND\n", 1, "unknown column(s) COLOUR"),
    ("apiVersion: v1\nkind: List\n", 1, "neither"),
])
def test_text_that_is_not_kubectl_output_is_refused(text: str, line: int | None, message: str) -> None:
    with pytest.raises(DiscoveryTextError) as caught:
        parse_discovery_text(text)
    assert caught.value.line == line and message in caught.value.message


_names = st.from_regex(r"[a-z][a-z0-9]{0,14}", fullmatch=True)
_rows = st.lists(st.tuples(
    _names, st.lists(_names, max_size=2), st.sampled_from(["v1", "apps/v1", "example.com/v1beta1", "x.io/v2alpha1"]),
    st.booleans(), st.from_regex(r"[A-Z][A-Za-z]{0,20}", fullmatch=True),
    st.lists(st.sampled_from(["get", "list", "create", "watch"]), min_size=1, max_size=4, unique=True),
    st.lists(st.sampled_from(["all", "api-extensions", "cert-manager"]), max_size=2, unique=True)),
    min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(_rows, st.booleans())
def test_any_table_kubectl_prints_reads_back(rows: list[tuple[str, list[str], str, bool, str, list[str], list[str]]],
                                             wide: bool) -> None:
    header = WIDE_HEADER if wide else WIDE_HEADER[:5]
    table = [header] + [[name, ",".join(short), gv, str(ns).lower(), kind, ",".join(verbs), ",".join(categories)]
                        [:len(header)] for name, short, gv, ns, kind, verbs, categories in rows]
    parsed = parse_discovery_text(kubectl_table(table))
    assert parsed.errors == []
    assert [(r.name, r.short_names, r.group_version, r.namespaced, r.kind) for r in parsed.resources] == [
        (name, tuple(short), gv, ns, kind) for name, short, gv, ns, kind, _, _ in rows]
    if wide:
        assert [(r.verbs, r.categories) for r in parsed.resources] == [
            (tuple(verbs), tuple(categories)) for *_, verbs, categories in rows]
