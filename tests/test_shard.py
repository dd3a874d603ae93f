"""`scan --shard I/N`: a deterministic partition of the files; merged shards equal one scan."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.corpus import generate
from pluto_py.sources.files import FileInput, collect_inputs
from pluto_py.sources.shard import ShardError, parse_shard, relative_path, shard_filter, shard_of
from tests.conftest import CliResult


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus") / "repo"
    generate(root, files=60, seed=3, deprecated_share=0.3)
    return root


def test_parse_shard() -> None:
    assert (parse_shard("2/8").index, parse_shard(" 2 / 8 ").count) == (2, 8)
    for bad in ("0/3", "4/3", "1/0", "x", "1-3", "1/3/4", ""):
        with pytest.raises(ShardError):
            parse_shard(bad)


def test_relative_path_does_not_depend_on_where_the_checkout_is() -> None:
    for root in ("repo", "./repo", "repo/", "/builds/ci/repo", "/home/me/src/repo/"):
        display = root.rstrip("/") + "/team/app.yaml"
        assert relative_path(display, [root]) == "team/app.yaml"
    assert relative_path("manifests/web.yaml", ["manifests/web.yaml"]) == "manifests/web.yaml"
    assert relative_path("./manifests/web.yaml", ["./manifests/web.yaml"]) == "manifests/web.yaml"
    assert relative_path("a/b/c.yaml", ["a", "a/b"]) == "c.yaml"  # the nearest argument
    assert relative_path("x.yaml", ["."]) == "x.yaml"
    assert shard_of("team/app.yaml", 7) == shard_of("team/app.yaml", 7)  # crc32: the same on every machine
    assert shard_of("team/app.yaml", 1) == 1


def test_shards_partition_the_files(corpus: Path) -> None:
    files = [item.display for item in collect_inputs([str(corpus)]) if isinstance(item, FileInput)]
    for count in (1, 2, 3, 7):
        owners = []
        for display in files:
            owning = [i for i in range(1, count + 1)
                      if shard_filter(parse_shard(f"{i}/{count}"), [str(corpus)])(display)]
            assert len(owning) == 1
            owners.append(owning[0])
        if count > 1:
            assert len(set(owners)) > 1  # the files are spread
    moved = shard_filter(parse_shard("1/3"), ["./elsewhere/repo"])
    here = shard_filter(parse_shard("1/3"), [str(corpus)])
    for display in files:
        assert here(display) == moved("./elsewhere/repo/" + display[len(str(corpus)) + 1:])


def test_shard_keeps_the_other_path_filters() -> None:
    keep = shard_filter(parse_shard("1/1"), ["."], then=lambda display: display.endswith(".yaml"))
    assert keep("a.yaml") and not keep("a.json")


def test_sharded_scans_merge_into_the_unsharded_report(corpus: Path, tmp_path: Path,
                                                       cli: Callable[..., CliResult]) -> None:
    whole = cli("scan", str(corpus), "-t", "1.25", "-o", "json", "--no-config")
    assert whole.code == 1
    reports = []
    files = 0
    for index in (1, 2, 3):
        part = cli("scan", str(corpus), "-t", "1.25", "-o", "json", "--no-config", "--shard", f"{index}/3")
        assert part.code in (0, 1), part.stderr
        files += part.json()["summary"]["files"]
        path = tmp_path / f"shard-{index}.json"
        path.write_text(part.stdout, encoding="utf-8")
        reports.append(str(path))
    expected = whole.json()
    assert files == expected["summary"]["files"]
    merged = cli("merge-reports", *reports)
    assert merged.code == 1, merged.stderr
    data = merged.json()
    assert data["findings"] == expected["findings"]
    assert data["summary"] == expected["summary"]
    assert data["targets"] == expected["targets"]
    sarif = cli("merge-reports", *reports, "-o", "sarif")
    assert sarif.code == 1
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    assert len(results) == len(expected["findings"])


def test_bad_shard_is_a_usage_error(corpus: Path, cli: Callable[..., CliResult]) -> None:
    result = cli("scan", str(corpus), "--shard", "4/3", "--no-config")
    assert result.code == 2
    assert "--shard" in result.stderr
