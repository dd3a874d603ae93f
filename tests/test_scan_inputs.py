"""Every input shape the scanner accepts, with the exact findings it must give.

Expected results are stated as (line, column, document, kind, name, status) tuples.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pluto_py.core.model import Document, ScanError
from pluto_py.core.parse import decode_text, parse_text
from pluto_py.core.table import load_builtin_table
from pluto_py.core.versions import parse_version
from pluto_py.pipeline.judge import Targets, scan_stream
from pluto_py.sources import InputStats, SourceRequest
from pluto_py.sources.paths import iter_documents

Row = tuple[int, int, int, str, str | None, str]


def scan_text(text: str | bytes, target: str = "1.22", *, json_file: bool = False
              ) -> tuple[list[Row], list[tuple[int | None, str]]]:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    items = list(parse_text(decode_text(raw), "t.yaml", "file", json_file=json_file))
    findings, errors = scan_stream(items, load_builtin_table(), Targets(parse_version(target)))
    rows = [(f.line, f.column, f.document, f.kind, f.name, f.status) for f in findings]
    return rows, [(e.line, e.message) for e in errors]


def test_multi_document_stream_with_comments_separators_and_empty_documents() -> None:
    text = (
        "# leading comment\n"            # 1
        "---\n"                          # 2  document 0 (empty)
        "---\n"                          # 3  document 1
        "apiVersion: extensions/v1beta1\n"  # 4
        "kind: Ingress\n"                # 5
        "metadata:\n"                    # 6
        "  name: a\n"                    # 7
        "...\n"                          # 8
        "---\n"                          # 9  document 2
        "# only a comment\n"             # 10
        "---   # comment after marker\n"  # 11 document 3
        "kind: CronJob\n"                # 12
        "metadata: {name: b, namespace: n}\n"  # 13
        "apiVersion: batch/v1beta1\n"    # 14
    )
    rows, errors = scan_text(text, "1.25")
    assert errors == []
    assert rows == [(4, 13, 1, "Ingress", "a", "removed"), (14, 13, 3, "CronJob", "b", "removed")]


def test_bare_documents_before_and_after_end_marker() -> None:
    text = "apiVersion: batch/v1beta1\nkind: CronJob\n...\napiVersion: policy/v1beta1\nkind: PodDisruptionBudget\n"
    rows, _ = scan_text(text, "1.25")
    assert rows == [(1, 13, 0, "CronJob", None, "removed"), (4, 13, 1, "PodDisruptionBudget", None, "removed")]


def test_document_marker_inside_block_scalar_text_is_not_a_finding() -> None:
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  x.yaml: |\n"
        "    apiVersion: extensions/v1beta1\n    kind: Ingress\n"
    )
    assert scan_text(text) == ([], [])


def test_json_file_positions() -> None:
    text = '{\n  "kind": "Ingress",\n  "metadata": {"name": "j"},\n  "apiVersion": "extensions/v1beta1"\n}\n'
    assert scan_text(text, json_file=True) == ([(4, 17, 0, "Ingress", "j", "removed")], [])


def test_json_list_and_nested_api_version_in_scale_target_ref() -> None:
    text = (
        '{"apiVersion": "v1", "kind": "List", "items": [\n'
        ' {"apiVersion": "autoscaling/v2beta2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"},\n'
        '  "spec": {"scaleTargetRef": {"apiVersion": "extensions/v1beta1", "kind": "Deployment", "name": "d"}}}\n'
        "]}\n"
    )
    assert scan_text(text, "1.26", json_file=True) == ([(2, 17, 0, "HorizontalPodAutoscaler", "h", "removed")], [])


def test_any_list_kind_with_items() -> None:
    text = (
        "apiVersion: networking.k8s.io/v1beta1\nkind: IngressList\nitems:\n"
        "- apiVersion: networking.k8s.io/v1beta1\n  kind: Ingress\n  metadata:\n    name: one\n"
        "- metadata:\n    name: two\n  kind: Ingress\n  apiVersion: 'networking.k8s.io/v1beta1'\n"
        "- not-an-object\n"
    )
    rows, errors = scan_text(text)
    assert errors == []
    assert rows == [(4, 15, 0, "Ingress", "one", "removed"), (11, 15, 0, "Ingress", "two", "removed")]


def test_crlf_and_bom() -> None:
    text = "\ufeff# c\r\napiVersion: \"extensions/v1beta1\"\r\nkind: Ingress\r\nmetadata:\r\n  name: w\r\n"
    assert scan_text(text.encode("utf-8")) == ([(2, 13, 0, "Ingress", "w", "removed")], [])
    utf16 = text.encode("utf-16")
    assert scan_text(utf16) == ([(2, 13, 0, "Ingress", "w", "removed")], [])


def test_quoting_key_order_and_flow_style() -> None:
    text = (
        "metadata: {name: \"q\", namespace: 'ns'}\n'kind': \"Ingress\"\n\"apiVersion\": 'extensions/v1beta1'\n"
        "---\n{apiVersion: batch/v1beta1, kind: CronJob, metadata: {name: f}}\n"
        "---\n{\"apiVersion\": \"policy/v1beta1\",\n"
        " \"kind\": \"PodSecurityPolicy\", \"metadata\": {\"name\": \"p\"}}\n"
    )
    rows, errors = scan_text(text, "1.25")
    assert errors == []
    assert rows == [
        (3, 15, 0, "Ingress", "q", "removed"),
        (5, 14, 1, "CronJob", "f", "removed"),
        (7, 16, 2, "PodSecurityPolicy", "p", "removed"),
    ]


def test_anchors_aliases_and_merge_keys() -> None:
    text = (
        "apiVersion: &v extensions/v1beta1\nkind: Ingress\nmetadata: &m\n  name: anchored\n  namespace: a\n"
        "---\nbase: &b {kind: Ingress, metadata: {name: merged}}\n"
        "---\n<<: {kind: Ingress, metadata: {name: merged}}\napiVersion: networking.k8s.io/v1beta1\n"
    )
    rows, errors = scan_text(text)
    assert errors == []
    assert rows == [(1, 13, 0, "Ingress", "anchored", "removed"), (10, 13, 2, "Ingress", "merged", "removed")]


def test_non_kubernetes_yaml_is_ignored_silently() -> None:
    text = "name: my-app\nversion: 1.2.3\n---\n- a\n- b\n---\njust a string\n---\napiVersion: extensions/v1beta1\n"
    assert scan_text(text) == ([], [])


def test_broken_document_is_an_error_and_the_others_are_still_scanned() -> None:
    text = (
        "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: first}\n"   # 1-3
        "---\nkind: Ingress\nmetadata: [unclosed\n"                                   # 4-6
        "---\napiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: last}\n"  # 7-10
    )
    rows, errors = scan_text(text)
    assert rows == [(1, 13, 0, "Ingress", "first", "removed"), (8, 13, 2, "Ingress", "last", "removed")]
    assert len(errors) == 1
    line, message = errors[0]
    assert line is not None and 5 <= line <= 7
    assert message.startswith("document 1: invalid YAML")


def test_broken_json_is_an_error_with_line() -> None:
    rows, errors = scan_text('{\n  "apiVersion": "v1",\n  "kind": \n}\n', json_file=True)
    assert rows == []
    assert errors and errors[0][0] == 4 and "invalid JSON" in errors[0][1]


def test_duplicate_keys_keep_the_last_value_as_helm_does() -> None:
    # A warning notice says so (tests/test_yaml_acceptance.py); the finding is not lost.
    rows, errors = scan_text("apiVersion: v1\nkind: Ingress\napiVersion: extensions/v1beta1\n")
    assert rows == [(3, 13, 0, "Ingress", None, "removed")]
    assert errors == []


def test_tags_never_construct_objects(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = (
        f"apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: !!python/object/apply:os.system "
        f"[\"touch {marker}\"]\n  namespace: !custom tagged\n"
    )
    rows, errors = scan_text(text)
    assert not marker.exists()
    assert errors == []
    assert rows == [(1, 13, 0, "Ingress", None, "removed")]  # a sequence is not a name


def test_alias_bomb_is_bounded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    text = "apiVersion: v1\nkind: ConfigMap\n" + "\n".join(lines) + "\n"
    rows, errors = scan_text(text)
    assert rows == []
    assert len(errors) == 1 and "alias bomb" in errors[0][1]


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\ndata: " + "[" * 5000 + "]" * 5000 + "\n"
    rows, errors = scan_text(text)
    assert rows == [] and len(errors) == 1 and "nesting" in errors[0][1]
    rows, errors = scan_text('{"a": ' + "[" * 5000 + "]" * 5000 + "}", json_file=True)
    assert rows == [] and len(errors) == 1 and "nesting" in errors[0][1]


def test_not_utf8_is_an_error_naming_the_line(tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes(b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \xff}\n")
    (tmp_path / "ok.yaml").write_text(INGRESS.format(name="ok"))
    findings, errors, _ = walk_scan([str(tmp_path)])
    assert findings == [(str(tmp_path / "ok.yaml"), "ok")]
    assert errors == [(str(tmp_path / "latin1.yaml"), "line 3: not UTF-8 text (byte 0xff)")]


def test_empty_and_comment_only_files_have_no_documents() -> None:
    for text in ("", "\n\n", "# nothing here\n# at all\n"):
        items = list(parse_text(text, "e.yaml", "file", json_file=False))
        assert items == []


def test_deprecated_versus_removed_by_target() -> None:
    text = "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: c}\n"
    assert scan_text(text, "1.20")[0] == []
    assert scan_text(text, "1.21")[0] == [(1, 13, 0, "CronJob", "c", "deprecated")]
    assert scan_text(text, "1.24")[0] == [(1, 13, 0, "CronJob", "c", "deprecated")]
    assert scan_text(text, "1.25")[0] == [(1, 13, 0, "CronJob", "c", "removed")]
    assert scan_text(text, "1.37")[0] == [(1, 13, 0, "CronJob", "c", "removed")]


# ---- walking the file system -------------------------------------------------------------------

INGRESS = "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: {name}\n"


def walk_scan(paths: list[str]) -> tuple[list[tuple[str, str | None]], list[tuple[str, str]], InputStats]:
    stats = InputStats()
    items = list(iter_documents(paths, SourceRequest(), stats))
    findings, errors = scan_stream(items, load_builtin_table(), Targets(parse_version("1.22")))
    return [(f.path, f.name) for f in findings], [(e.path, e.message) for e in errors], stats


def test_directory_walk_is_recursive_sorted_and_skips_tool_folders(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a.yml").write_text(INGRESS.format(name="a"))
    (tmp_path / "b" / "c.yaml").write_text(INGRESS.format(name="c"))
    (tmp_path / "b" / "d.JSON").write_text('{"apiVersion": "extensions/v1beta1", "kind": "Ingress"}')
    (tmp_path / "notes.txt").write_text(INGRESS.format(name="txt"))
    for skipped in (".git", "node_modules", "vendor"):
        (tmp_path / skipped).mkdir()
        (tmp_path / skipped / "x.yaml").write_text(INGRESS.format(name=skipped))
    os.chdir(tmp_path)
    findings, errors, stats = walk_scan(["."])
    assert errors == []
    assert findings == [("a.yml", "a"), ("b/c.yaml", "c"), ("b/d.JSON", None)]
    assert (stats.files, stats.documents) == (3, 3)


def test_named_file_is_read_whatever_its_suffix(tmp_path: Path) -> None:
    path = tmp_path / "manifest.txt"
    path.write_text(INGRESS.format(name="t"))
    findings, errors, _ = walk_scan([str(path)])
    assert findings == [(str(path), "t")] and errors == []


def test_symlink_loops_are_not_followed_and_fifos_not_opened(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.yaml").write_text(INGRESS.format(name="x"))
    (tmp_path / "d" / "loop").symlink_to(tmp_path)
    (tmp_path / "d" / "dangling.yaml").symlink_to(tmp_path / "missing")
    os.mkfifo(tmp_path / "d" / "pipe.yaml")
    findings, errors, _ = walk_scan([str(tmp_path)])
    assert findings == [(str(tmp_path / "d" / "x.yaml"), "x")]
    assert errors == []


def test_missing_path_is_an_error_and_other_paths_are_still_scanned(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text(INGRESS.format(name="x"))
    findings, errors, _ = walk_scan([str(tmp_path / "nope.yaml"), str(tmp_path)])
    assert findings == [(str(tmp_path / "x.yaml"), "x")]
    assert errors == [(str(tmp_path / "nope.yaml"), "no such file or directory")]


def test_document_keeps_origin_beside_data() -> None:
    items = list(parse_text(INGRESS.format(name="o"), "o.yaml", "file", json_file=False))
    assert len(items) == 1 and isinstance(items[0], Document) and not isinstance(items[0], ScanError)
    document = items[0]
    assert (document.path, document.index, document.line, document.source) == ("o.yaml", 0, 1, "file")
    assert "path" not in document.data and document.data["metadata"] == {"name": "o"}


def test_huge_integers_and_empty_json_are_not_errors(tmp_path: Path) -> None:
    (tmp_path / "big.yaml").write_text(INGRESS.format(name="big") + "spec:\n  n: " + "9" * 5000 + "\n")
    (tmp_path / "flow.yaml").write_text(INGRESS.format(name="flow") + "spec: {n: " + "9" * 5000 + "}\n")
    (tmp_path / "empty.json").write_text("  \n")
    findings, errors, stats = walk_scan([str(tmp_path)])
    assert errors == []
    assert sorted(name for _, name in findings) == ["big", "flow"]
    assert (stats.files, stats.documents) == (3, 2)


def test_a_named_fifo_is_read_from_its_writer_and_never_hangs(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from pluto_py.core import userfiles as files

    fifo = tmp_path / "stream.yaml"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_text, args=(INGRESS.format(name="piped"),))
    writer.start()
    findings, errors, _ = walk_scan([str(fifo)])
    writer.join(timeout=10)
    assert findings == [(str(fifo), "piped")] and errors == []

    monkeypatch.setattr(files, "FIFO_WRITER_WAIT", 0.2)  # nobody writes to it: an error, not a hang
    findings, errors, _ = walk_scan([str(fifo)])
    assert findings == [] and errors == [(str(fifo), "a FIFO with no writer for 0.2 s; not scanned")]
