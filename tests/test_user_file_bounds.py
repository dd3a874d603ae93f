"""Users' files are bounded, and their errors name the file and the line (issue 11, points 17 and 18).

Every file a user hands over — a configuration (YAML or TOML), an extra table, a skew policy, `kubectl get
nodes` and `kubectl version` output, reports to merge — is read with the manifest parser's limits: size,
alias expansion, nesting. Hostile ones are a one-line error and exit 2, never a hang, gigabytes, a
RecursionError or an internal error. Config globs match in linear time; a broken one is a config error.
A closed or full standard output is one error line and exit 2 too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pluto_py.cli.globs import GlobError, compile_glob
from pluto_py.core.parse import MAX_DEPTH, nesting_overflow
from pluto_py.core.userfiles import UserFileError, parse_user_json, parse_user_yaml
from tests.conftest import FIXTURES, REPO_ROOT, CliResult

Cli = Callable[..., CliResult]
MANIFEST = "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: a}\n"

ALIAS_BOMB = "".join(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['x'] * 9)}]\n"
                     for prev, name in zip(["", "a", "b", "c", "d", "e", "f"], "abcdefg", strict=True))
DEEP_FLOW = "key: " + "[" * 3000 + "]" * 3000 + "\n"
DEEP_BLOCK = "key:\n" + "".join(" " * depth + "k:\n" for depth in range(1, 600)) + " " * 600 + "v: 1\n"
DEEP_JSON = "[" * 100_000 + "]" * 100_000


def one_error_line(result: CliResult, name: str, line: int | None = None) -> str:
    assert result.code == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "internal error" not in result.stderr and "Traceback" not in result.stderr, lines
    assert name in lines[0]
    if line is not None:
        assert f"{name}:{line}:" in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def manifest(tmp_path: Path) -> str:
    (tmp_path / "a.yaml").write_text(MANIFEST)
    return str(tmp_path / "a.yaml")


# ------------------------------------------------------------------ every kind of user file, every hostile shape

def _user_file_runs(tmp_path: Path, manifest: str) -> dict[str, Callable[[Cli, Path], CliResult]]:
    """How each kind of user file reaches kdeprecate, given the file."""
    return {
        "extra-table": lambda cli, f: cli("scan", manifest, "--no-config", "--extra-table", str(f)),
        "config": lambda cli, f: cli("scan", manifest, "--config", str(f)),
        "policy": lambda cli, f: cli("skew", "--apiserver", "1.28.0", "--policy", str(f)),
        "nodes": lambda cli, f: cli("skew", "--apiserver", "1.28.0", "--nodes", str(f)),
        "version-info": lambda cli, f: cli("skew", "--version-info", str(f)),
        "merge-reports": lambda cli, f: cli("merge-reports", str(f)),
    }


@pytest.mark.parametrize("kind", ["extra-table", "config", "policy", "nodes", "version-info", "merge-reports"])
@pytest.mark.parametrize(("shape", "text", "line", "message"), [
    ("deep-flow", DEEP_FLOW, 1, f"nesting deeper than {MAX_DEPTH} levels"),
    ("deep-block", DEEP_BLOCK, None, f"nesting deeper than {MAX_DEPTH} levels"),
    ("deep-json", DEEP_JSON, 1, f"nesting deeper than {MAX_DEPTH} levels"),
    ("alias-bomb", ALIAS_BOMB, None, "alias bomb"),
])
def test_hostile_user_files_are_one_error_line(kind: str, shape: str, text: str, line: int | None, message: str,
                                               tmp_path: Path, manifest: str, cli: Cli) -> None:
    hostile = tmp_path / f"hostile-{kind}.yaml"
    hostile.write_text(text)
    if kind == "merge-reports" and shape in ("deep-block", "alias-bomb"):
        line, message = 1, "not valid JSON"  # (reports are JSON only)
    started = time.monotonic()
    error = one_error_line(_user_file_runs(tmp_path, manifest)[kind](cli, hostile), hostile.name, line)
    assert message in error
    if shape == "deep-block" and kind != "merge-reports":  # the line of the first level too deep
        assert re.search(rf"{hostile.name}:{MAX_DEPTH + 1}|{hostile.name}:{MAX_DEPTH + 2}:", error), error
    assert time.monotonic() - started < 30  # (measured: well under a second or two each)


@pytest.mark.parametrize("kind", ["extra-table", "config", "policy", "nodes", "version-info", "merge-reports"])
def test_a_device_that_never_ends_is_one_error_line(kind: str, tmp_path: Path, manifest: str, cli: Cli) -> None:
    if kind == "config":  # named in a configuration file rather than given as --config
        config = tmp_path / "named.yaml"
        config.write_text("extra-tables: [/dev/zero]\n")
        result = cli("scan", manifest, "--config", str(config))
        assert "/dev/zero" in one_error_line(result, "zero")
        assert "--config /dev/zero: not a regular file" in one_error_line(cli("scan", manifest, "--config",
                                                                              "/dev/zero"), "zero")
        return
    error = one_error_line(_user_file_runs(tmp_path, manifest)[kind](cli, Path("/dev/zero")), "/dev/zero")
    assert "larger than" in error or "not UTF-8" in error


def test_toml_configuration_nesting_is_a_line_error(tmp_path: Path, manifest: str, cli: Cli) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.kdeprecate]\n\nexclude = " + "[" * 3000 + "]" * 3000 + "\n")
    error = one_error_line(cli("scan", manifest, "--config", str(tmp_path / "pyproject.toml")), "pyproject.toml", 3)
    assert "not valid TOML: nesting deeper than" in error


@pytest.mark.parametrize(("text", "message"), [
    ('{"a": NaN}', "NaN is not a JSON number"),
    ('{"a": -Infinity}', "-Infinity is not a JSON number"),
    ('{"a": 1e999}', "out of range"),
    ('{"a":\n 123456789012345678901234567890}', "out of range"),
    ('{"a": 1,\n "a": 2}', "given twice"),
    ("[" * 300 + "]" * 300, "nesting deeper"),
])
def test_strict_json(text: str, message: str) -> None:
    with pytest.raises(UserFileError, match=re.escape(message)) as raised:
        parse_user_json(text, "r.json")
    assert str(raised.value).startswith("r.json:")
    assert parse_user_json('{"a": [1, 2.5, "x", null, true]}', "r.json") == {"a": [1, 2.5, "x", None, True]}


def test_user_yaml_keeps_its_meaning_within_bounds() -> None:
    assert parse_user_yaml("a: 1.20\nb: [x, {c: null}]\nd: &x y\ne: *x\n", "c.yaml") == {
        "a": 1.2, "b": ["x", {"c": None}], "d": "y", "e": "y"}
    assert parse_user_yaml("", "c.yaml") is None and parse_user_yaml("---\n# only a comment\n", "c.yaml") is None
    with pytest.raises(UserFileError, match=r"c.yaml:2: not valid YAML: the key 'a' is given twice"):
        parse_user_yaml("a: 1\na: 2\n", "c.yaml")
    with pytest.raises(UserFileError, match="expected one YAML document, found 2"):
        parse_user_yaml("a: 1\n---\nb: 2\n", "c.yaml")
    with pytest.raises(UserFileError, match=r"c.yaml:\d+: not valid YAML"):
        parse_user_yaml("a: [\n", "c.yaml")
    # a tag never constructs an object: the value stays data
    assert parse_user_yaml("a: !!python/object/apply:os.system [echo]\n", "c.yaml") == {"a": ["echo"]}


def test_nesting_overflow_ignores_brackets_in_strings_and_comments() -> None:
    many = "[" * (MAX_DEPTH + 5)
    assert nesting_overflow(f"a: '{many}'\nb: \"{many}\\\"\"\n# {many}\nc: it's {many[:3]}]]]\n") is None
    assert nesting_overflow(f"a: 1\nb: {many}") == 2
    assert nesting_overflow("x: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH) is None


# ------------------------------------------------------------------ globs

def test_a_backtracking_glob_ends_at_once_and_a_backwards_range_is_a_config_error(tmp_path: Path,
                                                                                 cli: Cli) -> None:
    glob = compile_glob("*a*a*a*a*a*a*a*a*a*a*a*a*a*b")
    started = time.monotonic()
    assert not glob.match("deep/" + "a" * 200 + ".yaml")
    assert glob.match("x/" + "a" * 40 + "b")
    assert time.monotonic() - started < 1
    (tmp_path / "x.yaml").write_text(MANIFEST)
    (tmp_path / ("a" * 60 + ".yaml")).write_text(MANIFEST)
    config = tmp_path / ".kdeprecate.yaml"
    config.write_text('exclude: ["*a*a*a*a*a*a*a*a*a*a*a*a*a*b"]\n')
    assert cli("scan", str(tmp_path), "--config", str(config)).code == 1
    config.write_text('include: ["*.yaml"]\nexclude: ["[z-a]"]\n')
    error = one_error_line(cli("scan", str(tmp_path), "--config", str(config)), ".kdeprecate.yaml")
    assert "exclude: glob '[z-a]': the range z-a runs backwards" in error
    with pytest.raises(GlobError):
        compile_glob("k8s/[9-0]*.yaml")


def _reference(pattern: str) -> re.Pattern[str]:
    """The glob semantics as a plain regular expression (exponential at worst: short inputs only)."""
    text = pattern.strip().replace("\\", "/")
    anchored = text.startswith("/")
    text = text.strip("/")
    prefix = "(?:.*/)?" if "/" not in text and not anchored else ""
    parts = [p for p in text.removeprefix("./").split("/") if p not in ("", ".")]
    out = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            out.append("[^/]+(?:/.*)?" if last else "(?:[^/]+/)*")
            continue
        piece = "".join("[^/]*" if run.startswith("*") else "[^/]" if run == "?" else re.escape(run)
                        for run in re.findall(r"\*+|\?|[^*?]", part))
        out.append(piece + ("" if last else "/"))
    return re.compile(f"{prefix}{''.join(out)}(?:/.*)?", re.DOTALL)


@settings(max_examples=300, deadline=None)
@given(pattern=st.lists(st.sampled_from(["a", "b", "*", "**", "?", "/", "."]), min_size=1, max_size=7).map("".join),
       path=st.lists(st.sampled_from(["a", "b", "ab", "ba", "a.b", "aa"]), min_size=1, max_size=4).map("/".join))
def test_globs_match_as_the_reference_does(pattern: str, path: str) -> None:
    if not pattern.strip("/").strip() or not [p for p in pattern.strip("/").split("/") if p not in ("", ".")]:
        assert not compile_glob(pattern).match(path)
        return
    assert compile_glob(pattern).match(path) == bool(_reference(pattern).fullmatch(path)), (pattern, path)


# ------------------------------------------------------------------ standard output

def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "pluto_py", *args], env=env, capture_output=False, check=False,
                          timeout=120, **kwargs)  # type: ignore[call-overload,no-any-return]


@pytest.mark.skipif(sys.platform == "win32" or not os.path.exists("/dev/full"), reason="POSIX devices")
def test_a_closed_or_full_stdout_is_one_error_line(tmp_path: Path) -> None:
    target = str(FIXTURES / "shop")
    args = ["scan", target, "--no-config", "-t", "1.25"]
    closed = _run(args, stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1))
    full = subprocess.run(f"{sys.executable} -m pluto_py {' '.join(args)} > /dev/full", shell=True,
                          capture_output=True, check=False, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    read_end, write_end = os.pipe()
    os.close(read_end)  # `| head -0`: nobody will ever read
    try:
        piped = _run(args, stdout=write_end, stderr=subprocess.PIPE)
    finally:
        os.close(write_end)
    for result, reason in ((closed, b"it is closed"), (full, b"No space left on device"), (piped, b"Broken pipe")):
        assert result.returncode == 2, result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and reason in lines[0] and lines[0].startswith(b"kdeprecate: error:"), lines
