"""merge-reports refuses what would make a wrong merged report (issue 11, point 20).

The same shard twice (by its shard id, its content or its files), a shard missing, an unknown status,
NaN, Infinity, integers beyond 64 bits and fields of the wrong type are one error line naming the
report, exit 2, and no report on stdout.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pluto_py.report.merge import MergeError, merge_report_data
from tests.conftest import FIXTURES, CliResult

Cli = Callable[..., CliResult]


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The JSON reports of `scan --shard I/3` of the shop fixtures."""
    import subprocess
    import sys

    reports = []
    for index in (1, 2, 3):
        result = subprocess.run([sys.executable, "-m", "pluto_py", "scan", str(FIXTURES / "shop"), "-t", "1.25",
                                 "-o", "json", "--no-config", "--shard", f"{index}/3"],
                                capture_output=True, text=True, check=False, timeout=120)
        assert result.returncode in (0, 1), result.stderr
        reports.append(json.loads(result.stdout))
    assert [r["shard"] for r in reports] == [{"index": i, "count": 3} for i in (1, 2, 3)]
    assert sum(len(r["findings"]) for r in reports) > 1
    return reports


def write(tmp_path: Path, name: str, data: Any) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def refused(cli: Cli, tmp_path: Path, reports: list[Any], names: list[str] | None = None) -> str:
    names = names or [f"r{index}.json" for index in range(len(reports))]
    result = cli("merge-reports", *(write(tmp_path, name, data) for name, data in zip(names, reports, strict=True)))
    assert result.code == 2, (result.stdout, result.stderr)
    assert not result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "internal error" not in lines[0], lines
    return lines[0]


def test_all_shards_once_merge(shards: list[dict[str, Any]], tmp_path: Path, cli: Cli) -> None:
    merged = cli("merge-reports", *(write(tmp_path, f"s{i}.json", s) for i, s in enumerate(shards)))
    assert merged.code == 1, merged.stderr
    assert len(merged.json()["findings"]) == sum(len(s["findings"]) for s in shards)


def test_the_same_shard_twice_is_refused(shards: list[dict[str, Any]], tmp_path: Path, cli: Cli) -> None:
    assert "the same report as" in refused(cli, tmp_path, [*shards, shards[1]])  # identical content
    again = copy.deepcopy(shards[1])
    again["summary"]["files"] += 1  # edited: not identical, still shard 2/3 again
    assert "shard 2/3 again" in refused(cli, tmp_path, [*shards, again])
    unsharded = [copy.deepcopy(s) for s in shards[:2]]
    for report in unsharded:
        del report["shard"]
    unsharded[1]["findings"] = unsharded[0]["findings"]  # the same files in two reports
    unsharded[1]["summary"]["files"] += 5
    assert "r0.json has too: the same files in two reports" in refused(cli, tmp_path, unsharded)


def test_a_missing_shard_or_a_mixed_partition_is_refused(shards: list[dict[str, Any]], tmp_path: Path,
                                                         cli: Cli) -> None:
    assert "shard 2 of 3 missing" in refused(cli, tmp_path, [shards[0], shards[2]])
    other = copy.deepcopy(shards[2])
    other["shard"] = {"index": 3, "count": 4}
    assert "r0.json is a shard of 3" in refused(cli, tmp_path, [shards[0], shards[1], other])
    plain = copy.deepcopy(shards[2])
    del plain["shard"]
    assert "not made by `scan --shard`" in refused(cli, tmp_path, [shards[0], shards[1], plain])


@pytest.mark.parametrize(("damage", "message"), [
    (lambda r: r["findings"][0].update(status="gone"), "status 'gone' is not removed or deprecated"),
    (lambda r: r["findings"][0].update(line="3"), "line is '3', not a non-negative integer"),
    (lambda r: r["findings"][0].update(line=-1), "line is -1, not a non-negative integer"),
    (lambda r: r["findings"][0].update(fixable="yes"), "fixable is 'yes', not true or false"),
    (lambda r: r["findings"][0].update(name=["x"]), "name is ['x'], not a string or null"),
    (lambda r: r["findings"][0].update(context={"a": 1}), "context is {'a': 1}, not an object of strings"),
    (lambda r: r["findings"][0].update(suppressed=1), "suppressed is 1, not true or false"),
    (lambda r: r["errors"].append({"path": "x", "line": True, "message": "m"}), "error 0: line is True"),
    (lambda r: r.update(notices=[{"path": "x", "line": 1, "code": "nope", "message": "m"}]),
     "code 'nope' is not a known rule code"),
    (lambda r: r.update(notices=[{"path": "x", "line": 1, "code": "unused-suppression", "message": "m",
                                  "level": "fatal"}]), "level 'fatal' is not warning or info"),
    (lambda r: r.update(targets={"k8s": 1.25}), "targets is not an object of version strings"),
    (lambda r: r["summary"].update(files=-2), "summary.files is not a non-negative integer"),
    (lambda r: r.update(shard={"index": 4, "count": 3}), "is not 1 <= index <= count"),
])
def test_wrong_fields_are_refused(damage: Callable[[dict[str, Any]], None], message: str,
                                  shards: list[dict[str, Any]], tmp_path: Path, cli: Cli) -> None:
    bad = copy.deepcopy(next(s for s in shards if s["findings"]))
    damage(bad)
    error = refused(cli, tmp_path, [bad], ["bad.json"])
    assert "bad.json" in error and message in error, error


@pytest.mark.parametrize(("text", "message"), [
    ('"line": NaN', "NaN is not a JSON number"),
    ('"line": Infinity', "Infinity is not a JSON number"),
    ('"line": 1e400', "out of range"),
    ('"line": 99999999999999999999999999999', "out of range"),
    ('"line": ' + "9" * 5000, "out of range"),
])
def test_numbers_json_cannot_hold_faithfully_are_refused(text: str, message: str, shards: list[dict[str, Any]],
                                                         tmp_path: Path, cli: Cli) -> None:
    report = next(s for s in shards if s["findings"])
    raw = json.dumps(report, indent=2).replace(f'"line": {report["findings"][0]["line"]}', text, 1)
    error = refused(cli, tmp_path, [raw], ["bad.json"])
    assert "bad.json:" in error and message in error, error


def test_merge_report_data_checks_the_same(shards: list[dict[str, Any]]) -> None:
    with pytest.raises(MergeError, match="the same report as a"):
        merge_report_data([("a", shards[0]), ("b", shards[0])])
    assert len(merge_report_data([(f"s{i}", s) for i, s in enumerate(shards)]).findings) == sum(
        len(s["findings"]) for s in shards)
