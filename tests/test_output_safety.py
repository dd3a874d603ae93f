"""Terminal and CI injection (issue 11, point 16): text from inputs never reaches an output raw.

File names, object names, namespaces and messages may hold escape sequences, newlines that forge lines
or workflow commands, bidirectional overrides, lone surrogates (file names that are not UTF-8). Every
reporter's output must stay well-formed (it parses, with the expected number of lines/rows/cells), hold
no raw control character, and the machine formats (JSON, SARIF, YAML) must still decode to the same text.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pluto_py.core.escape import json_text, printable, printable_lines
from pluto_py.core.model import Finding, Notice, ScanError, ScannedObject, ScanResult
from pluto_py.report import REPORTERS, ReportContext, get_reporter
from tests.conftest import REPO_ROOT

HOSTILE = ["\x1b[31m", "\x1b]0;title\x07", "\x1b[2J", "\n::error::forged", "\r", "\n", "\t", "\x00", "\x7f", "\x9b",
           "\u202e", "\u2066", "\u200b", "\u2028", "\udcff", "\ud800", "\ufffe", "=HYPERLINK(1)", "+1", "-x", "@x",
           "|", "`", "``", "\\", "<b>", "&amp;", "]]>", "%0A", ":", ",", "*_[x](y)", "é", "名前"]

hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE),
                                  st.text(st.characters(codec=None, exclude_categories=()), max_size=4)),
                        min_size=1, max_size=5).map("".join)


def _finding(path: str, name: str, namespace: str, status: str = "removed", **extra: Any) -> Finding:
    return Finding(path=path, line=3, column=13, document=0, source="file", template=None,
                   api_version="extensions/v1beta1", kind="Ingress", name=name, namespace=namespace, status=status,
                   deprecated_in="1.14", removed_in="1.22", replacement="networking.k8s.io/v1",
                   replacement_available_in="1.19", component="k8s", fixable=True, target="1.25", **extra)


def hostile_result(path: str, name: str, namespace: str, message: str) -> ScanResult:
    findings = (_finding(path, name, namespace),
                _finding(path, name, namespace, status="deprecated", suppressed=True, suppression_reason=message,
                         context={"release": message}))
    objects = tuple(ScannedObject(path, 3, 13, 0, "extensions/v1beta1", "Ingress", name, namespace)
                    for _ in range(1))
    return ScanResult(findings=findings, errors=(ScanError(path, 2, message),), files=1, documents=1,
                      targets={"k8s": "1.25"}, objects=objects,
                      notices=(Notice(path, 1, "unused-suppression", message),))


def raw_controls(text: str, allowed: str = "\n") -> list[str]:
    return [char for char in text if not char.isprintable() and char not in allowed]


def gfm_cells(row: str) -> list[str]:
    """A GFM table row's cells, split as cmark-gfm splits them (a backslash escapes the next character)."""
    body = row.strip()
    assert body.startswith("|") and body.endswith("|") and not body.endswith("\\|"), row
    return re.findall(r"(?:\\.|[^|\\])+", body[1:-1])


def as_json(text: str) -> str:
    """``text`` after a round trip through JSON (Python's own encoder)."""
    decoded: str = json.loads(json.dumps(text))
    return decoded


def outside_code_spans(markdown: str) -> str:
    """The text of ``markdown`` outside its code spans (which show '<' as it is), as CommonMark reads
    them: a backslash escapes the next character, a run of N backticks opens a span closed by the next
    run of exactly N."""
    out, index = [], 0
    while index < len(markdown):
        char = markdown[index]
        if char == "\\":
            out.append(markdown[index:index + 2])
            index += 2
        elif char == "`":
            run = re.match(r"`+", markdown[index:])
            assert run is not None
            closing = re.compile(rf"(?<!`){run.group(0)}(?!`)")
            found = closing.search(markdown, index + len(run.group(0)))
            if found is None:
                out.append(run.group(0))
                index += len(run.group(0))
            else:
                index = found.end()
        else:
            out.append(char)
            index += 1
    return "".join(out)


def check_report(fmt: str, output: str, result: ScanResult, path: str, name: str, message: str) -> None:
    assert not raw_controls(output, "\n\t" if fmt == "junit" else "\n"), (fmt, raw_controls(output))
    output.encode("utf-8")  # no lone surrogate: the report can be written
    if fmt == "text":
        lines = output.splitlines()
        # one line per active finding and notice, a blank line between files, the summary
        assert len(lines) == 3 and lines[-1].startswith("1 file, 1 document: 1 removed"), lines
    elif fmt == "github":
        lines = output.splitlines()
        # one workflow command per line; its properties hold no raw ':' (the first '::' ends them)
        assert len(lines) == 4 and all(re.match(r"::(error|warning) [^:]*::", line) for line in lines[:3]), lines
    elif fmt == "markdown":
        rows = [line for line in output.splitlines() if line.startswith("| ")]
        assert len(rows) == 3 and all(len(gfm_cells(row)) == 5 for row in rows), rows
        assert "<" not in re.sub(r"</?(details|summary)>", "", outside_code_spans(output))
    elif fmt == "junit":
        root = ET.fromstring(output)
        assert len(root.findall("./testsuite/testcase")) == 3
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(output)))
        assert len(rows) == 3 and all(len(row) == len(rows[0]) for row in rows)
        assert not [cell for row in rows[1:] for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    elif fmt in ("json", "sarif"):
        data = json.loads(output)
        if fmt == "json":  # (as faithful as JSON can be: a high and a low surrogate side by side are one pair)
            assert data["findings"][0]["path"] == as_json(path) and data["findings"][0]["name"] == as_json(name)
            assert data["errors"][0]["message"] == as_json(message)
        else:
            texts = [r["message"]["text"] for r in data["runs"][0]["results"]]
            assert any(name in text for text in texts)
    elif fmt == "yaml":
        from ruamel.yaml import YAML

        data = YAML(typ="safe", pure=True).load(output)
        assert data["findings"][0]["path"] == path and data["findings"][0]["name"] == name
        assert data["errors"][0]["message"] == message
    elif fmt == "gitlab":  # (JSON, as faithful as `-o json`)
        data = json.loads(output)
        assert isinstance(data, list) and data and all(issue["location"]["path"] for issue in data)
    elif fmt == "prometheus":  # (label values: controls and other non-printable characters as U+FFFD)
        samples = [line for line in output.splitlines() if line and not line.startswith("#")]
        sample = re.compile(r'[a-z_]+(\{([a-z_]+="(\\.|[^"\\])*",?)*\})? [0-9.e+-]+')
        assert all(sample.fullmatch(line) for line in samples), samples
    else:
        raise AssertionError(f"no well-formedness check for the format {fmt}: add one")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=hostile_text, name=hostile_text, namespace=hostile_text, message=hostile_text)
def test_every_reporter_stays_well_formed_and_printable(path: str, name: str, namespace: str, message: str) -> None:
    result = hostile_result(path + ".yaml", name, namespace, message)
    for fmt in REPORTERS:
        output = get_reporter(fmt).render(result, ReportContext("0.0.0", "removed"))
        check_report(fmt, output, result, path + ".yaml", name, message)


@settings(max_examples=10, deadline=None)
@given(name=hostile_text)
def test_colour_adds_only_our_own_sequences(name: str) -> None:
    result = hostile_result("a.yaml", name, "ns", "m")
    output = get_reporter("text").render(result, ReportContext("0.0.0", "removed", color=True))
    assert not raw_controls(re.sub(r"\x1b\[[0-9;]*m", "", output))
    assert set(re.findall(r"\x1b\[[0-9;]*m", output)) <= {"\x1b[31m", "\x1b[33m", "\x1b[36m", "\x1b[2m", "\x1b[1m",
                                                         "\x1b[0m", "\x1b[1m\x1b[31m"}


def test_the_escaper_writes_visible_escapes() -> None:
    assert printable("a\x1b[31mb") == "a\\x1b[31mb"
    assert printable("x\u202ey\u2066") == "x\\u202ey\\u2066"
    assert printable("n\udcff.yaml") == "n\\xff.yaml"  # a file name's byte, as backslashreplace shows it
    assert printable("\x9b\n\t") == "\\u009b\\n\\t"
    assert printable("名前 é") == "名前 é"
    assert printable_lines("a\x1b\tb\r\nc\rd\n") == "a\\x1b\tb\r\nc\\rd\n"
    text = json.dumps({"k": "\udcff\u202e\x85\U000e0001"}, ensure_ascii=False)
    assert json.loads(json_text(text)) == {"k": "\udcff\u202e\x85\U000e0001"}
    assert json_text(text).isascii()


# ------------------------------------------------------------------ end to end: what users run


def _kdeprecate(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "NO_COLOR": "1", "LC_ALL": "C.UTF-8"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([sys.executable, "-m", "pluto_py", *args], cwd=cwd, env=env, input=stdin,
                          capture_output=True, check=False, timeout=120)


def _no_raw_controls(data: bytes) -> None:
    text = data.decode("utf-8")  # UTF-8, no lone surrogate
    assert not raw_controls(text), raw_controls(text)


@pytest.mark.skipif(sys.platform == "win32", reason="file names with control characters and non-UTF-8 bytes")
def test_hostile_file_names_and_object_names_reach_no_terminal_raw(tmp_path: Path) -> None:
    manifest = (b'apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n'
                b'  name: "a\\e]0;owned\\a\\nb\\u202e"\n  namespace: "x\\e[2J"\n')
    os.makedirs(tmp_path / "m")
    for raw_name in (b"evil\x1b]0;title\x07.yaml", b"latin\xff.yaml", b"line\n::error::forged.yaml"):
        with open(os.path.join(os.fsencode(tmp_path / "m"), raw_name), "wb") as handle:
            handle.write(manifest)
    with open(os.path.join(os.fsencode(tmp_path / "m"), b"broken\x1b[31m.yaml"), "wb") as handle:
        handle.write(b"apiVersion: v1\nkind: ConfigMap\nmetadata: [\n")  # (a manifest: what is not one is a note)
    for fmt in REPORTERS:
        result = _kdeprecate("scan", "m", "-o", fmt, "--no-config", "-t", "1.25", cwd=tmp_path)
        assert result.returncode == 2, (fmt, result.stderr)  # the broken file is an error
        assert b"internal error" not in result.stderr, result.stderr
        _no_raw_controls(result.stdout)
        _no_raw_controls(result.stderr)
        assert len(result.stderr.splitlines()) == 1  # the one error line, not forged ones
    data = json.loads(_kdeprecate("scan", "m", "-o", "json", "--no-config", "-t", "1.25", cwd=tmp_path).stdout)
    paths = {os.fsencode(f["path"]) for f in data["findings"]}
    assert b"m/latin\xff.yaml" in paths  # faithful: the JSON report names the file's real bytes
    assert {f["name"] for f in data["findings"]} == {"a\x1b]0;owned\x07\nb\u202e"}


def test_fix_output_and_diff_are_escaped(tmp_path: Path) -> None:
    manifest = (b'apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: "a\\e[2Jb"\n'
                b'  annotations: {note: "\\e]0;x\\a"}\n# reads \xe2\x80\xae backwards\n'
                b'spec:\n  backend: {serviceName: s, servicePort: 80}\n')
    name = os.path.join(os.fsencode(tmp_path), b"app\x1b[1m.yaml")
    with open(name, "wb") as handle:
        handle.write(manifest)
    diff = _kdeprecate("fix", "-t", "1.25", "--diff", "--no-config", ".", cwd=tmp_path)
    assert diff.returncode == 1, diff.stderr
    assert b"+apiVersion: networking.k8s.io/v1" in diff.stdout
    assert b"# reads \\u202e backwards" in diff.stdout  # (a bidi override YAML allows in a comment)
    _no_raw_controls(diff.stdout)
    _no_raw_controls(diff.stderr)
    fixed = _kdeprecate("fix", "-t", "1.25", "--no-config", ".", cwd=tmp_path)
    assert fixed.returncode == 1, fixed.stderr  # (files changed)
    _no_raw_controls(fixed.stderr)
    assert b"app\\x1b[1m.yaml" in fixed.stderr


def test_skew_text_escapes_node_names_and_policy_text(tmp_path: Path) -> None:
    nodes = {"kind": "List", "items": [{"metadata": {"name": "node\x1b]0;x\x07\u202e"},
                                        "status": {"nodeInfo": {"kubeletVersion": "v1.20.1",
                                                                "kubeProxyVersion": "v1.20.1"}}}]}
    (tmp_path / "nodes.json").write_text(json.dumps(nodes))
    result = _kdeprecate("skew", "--apiserver", "1.28.0", "--nodes", "nodes.json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert b"node\\x1b]0;x\\x07\\u202e" in result.stdout
    _no_raw_controls(result.stdout)
    _no_raw_controls(result.stderr)
