"""Merging reports (`kdeprecate merge-reports`): one report from the JSON reports of sharded scans (`scan --shard I/N`).

Inputs are JSON reports of schema_version 1 made for the same targets. Findings are concatenated
and ordered by path (component by component, as a scan walks directories; stable within a file),
errors and notices that several shards report alike (a missing path argument) appear once, and
the summary's file and document counts are summed. The merged report can be written in any scan
format (json, sarif, ...); the exit code follows `scan`'s rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the command is registered at start-up: its imports wait until it runs
    from pluto_py.core.model import Finding, Notice, ScanError, ScanResult

SUPPORTED_SCHEMA = 1


class MergeError(ValueError):
    """A report that cannot be merged; the message names the file."""


def _require(condition: bool, origin: str, message: str) -> None:
    if not condition:
        raise MergeError(f"{origin}: {message}")


def _finding(record: Any, origin: str) -> Finding:
    import dataclasses

    from pluto_py.core.model import Finding

    _require(isinstance(record, Mapping), origin, "a finding is not an object")
    fields = {f.name: f for f in dataclasses.fields(Finding)}
    missing = [name for name, f in fields.items()
               if name not in record and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    _require(not missing, origin, f"a finding lacks {', '.join(missing)}")
    values = {name: record[name] for name in fields if name in record}
    values["context"] = dict(values.get("context") or {})
    usage = values.get("usage")
    if usage is not None:  # audit-log / metrics findings: the usage object back into its record
        from pluto_py.core.usage import Usage

        _require(isinstance(usage, Mapping), origin, "a finding's usage is not an object")
        try:
            values["usage"] = Usage(**{**usage, "verbs": tuple(usage.get("verbs") or ())})
        except TypeError:
            _require(False, origin, "a finding's usage has unknown or missing keys")
    return Finding(**values)


def _error(record: Any, origin: str) -> ScanError:
    from pluto_py.core.model import ScanError

    _require(isinstance(record, Mapping) and isinstance(record.get("path"), str)
             and isinstance(record.get("message"), str), origin, "an error lacks path or message")
    line = record.get("line")
    return ScanError(record["path"], line if isinstance(line, int) else None, record["message"])


def _notice(record: Any, origin: str) -> Notice:
    import dataclasses

    from pluto_py.core.model import Notice

    _require(isinstance(record, Mapping) and all(isinstance(record.get(k), str) for k in ("path", "code", "message")),
             origin, "a notice lacks path, code or message")
    return Notice(**{f.name: record[f.name] for f in dataclasses.fields(Notice) if f.name in record})


def _count(summary: Any, key: str, origin: str) -> int:
    value = summary.get(key) if isinstance(summary, Mapping) else None
    _require(isinstance(value, int) and not isinstance(value, bool), origin, f"summary.{key} is not a number")
    assert isinstance(value, int)
    return value


def _path_order(finding: Finding) -> tuple[str, ...]:
    return tuple(finding.path.split("/"))


def merge_report_data(reports: Sequence[tuple[str, Any]]) -> ScanResult:
    """Merge parsed JSON reports given as (origin, data) pairs. Raises MergeError."""
    from pluto_py.core.model import ScanResult

    if not reports:
        raise MergeError("no reports to merge")
    findings: list[Finding] = []
    errors: dict[ScanError, None] = {}
    notices: dict[Notice, None] = {}
    files = documents = 0
    targets: dict[str, str] | None = None
    for origin, data in reports:
        _require(isinstance(data, Mapping), origin, "not a kdeprecate JSON report")
        _require(data.get("schema_version") == SUPPORTED_SCHEMA, origin,
                 f"schema_version {data.get('schema_version')!r} is not {SUPPORTED_SCHEMA}")
        tool = data.get("tool")
        _require(isinstance(tool, Mapping) and tool.get("name") == "kdeprecate", origin, "not a kdeprecate report")
        these = data.get("targets")
        _require(isinstance(these, Mapping), origin, "targets missing")
        assert isinstance(these, Mapping)
        these = {str(k): str(v) for k, v in these.items()}
        if targets is None:
            targets = these
        _require(these == targets, origin, f"made for targets {these}, the first report for {targets}")
        for key in ("findings", "errors"):
            _require(isinstance(data.get(key), list), origin, f"{key} is not a list")
        findings.extend(_finding(record, origin) for record in data["findings"])
        errors.update((_error(record, origin), None) for record in data["errors"])
        notices.update((_notice(record, origin), None) for record in data.get("notices") or [])
        files += _count(data.get("summary"), "files", origin)
        documents += _count(data.get("summary"), "documents", origin)
    findings.sort(key=_path_order)
    assert targets is not None
    return ScanResult(tuple(findings), tuple(errors), files, documents, targets, notices=tuple(notices))


def read_reports(paths: Iterable[Path]) -> list[tuple[str, Any]]:
    """(origin, parsed JSON) of each report file. Raises MergeError."""
    import json

    from pluto_py.core.userfiles import UserFileError, read_user_text

    loaded: list[tuple[str, Any]] = []
    for path in paths:
        try:
            text = read_user_text(path, "report")
        except UserFileError as exc:
            raise MergeError(str(exc)) from None
        try:
            loaded.append((str(path), json.loads(text)))
        except json.JSONDecodeError as exc:
            raise MergeError(f"{path}: not JSON: {exc.msg} (line {exc.lineno})") from None
    return loaded
