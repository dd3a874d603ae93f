"""Merging reports (`kdeprecate merge-reports`): one report from the JSON reports of sharded scans (`scan --shard I/N`).

Inputs are JSON reports of schema_version 1 made for the same targets, each checked field by field
(types, statuses, rule codes; NaN, Infinity and numbers beyond 64 bits are refused when the JSON is
read). Reports of `scan --shard I/N` carry their shard: each shard of one partition must be given
exactly once, none missing; the same report (or files) given twice is an error too. Findings are concatenated
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


_NONE = type(None)
# A field's annotation (core/model.py) -> the JSON types it accepts (bool is not an int here).
_ANNOTATION_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,), "int": (int,), "bool": (bool,), "str | None": (str, _NONE), "int | None": (int, _NONE),
    "bool | None": (bool, _NONE), "Mapping[str, str]": (dict,), "Mapping[str, str] | None": (dict, _NONE),
    "Usage | None": (dict, _NONE),  # (an object of its own: checked when its record is made)
}
_OBJECTS_OF_STRINGS = ("Mapping[str, str]", "Mapping[str, str] | None")


def _fields_of(record: Any, record_class: type, what: str, origin: str) -> dict[str, Any]:
    """The fields of ``record_class`` (a dataclass of core/model.py) read from a JSON object, each
    checked against its annotation: a wrong type, a negative number, a missing required field or a
    context that is not strings is a MergeError naming the report, the record and the field."""
    import dataclasses

    _require(isinstance(record, Mapping), origin, f"{what} is not an object")
    values: dict[str, Any] = {}
    for field in dataclasses.fields(record_class):
        if field.name not in record:
            required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
            _require(not required, origin, f"{what} lacks {field.name}")
            continue
        value = record[field.name]
        allowed = _ANNOTATION_TYPES.get(str(field.type))
        assert allowed is not None, f"merge: no JSON type known for {field.type}"  # a new annotation: add it
        valid = isinstance(value, allowed) and not (isinstance(value, bool) and bool not in allowed)
        if valid and isinstance(value, int) and not isinstance(value, bool):
            valid = value >= 0
        if valid and isinstance(value, dict) and str(field.type) in _OBJECTS_OF_STRINGS:
            valid = all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
        _require(valid, origin, f"{what}: {field.name} is {_shown(value)}, not {_expected(allowed)}")
        values[field.name] = value
    return values


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _expected(allowed: tuple[type, ...]) -> str:
    names = {str: "a string", int: "a non-negative integer", bool: "true or false", dict: "an object of strings",
             _NONE: "null"}
    return " or ".join(names[kind] for kind in allowed)


def _finding(record: Any, origin: str, index: int) -> Finding:
    from pluto_py.core.model import STATUS_DEPRECATED, STATUS_REMOVED, STATUS_UNSUPPORTED, Finding

    values = _fields_of(record, Finding, f"finding {index}", origin)
    _require(values["status"] in (STATUS_REMOVED, STATUS_DEPRECATED, STATUS_UNSUPPORTED), origin,
             f"finding {index}: status {_shown(values['status'])} is not removed or deprecated, nor unsupported")
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


def _error(record: Any, origin: str, index: int) -> ScanError:
    from pluto_py.core.model import ScanError

    where = f"error {index}"
    _require(isinstance(record, Mapping), origin, f"{where} is not an object")
    path, line, message = record.get("path"), record.get("line"), record.get("message")
    _require(isinstance(path, str) and isinstance(message, str), origin, f"{where} lacks path or message")
    _require(line is None or (isinstance(line, int) and not isinstance(line, bool) and line >= 0), origin,
             f"{where}: line is {_shown(line)}, not a non-negative integer or null")
    return ScanError(path, line, message)


def _notice(record: Any, origin: str, index: int) -> Notice:
    from pluto_py.core.model import NOTICE_INFO, NOTICE_WARNING, Notice
    from pluto_py.core.rules import RULES

    values = _fields_of(record, Notice, f"notice {index}", origin)
    _require(values["code"] in RULES, origin, f"notice {index}: code {_shown(values['code'])} is not a known "
             "rule code (a report of a newer kdeprecate?)")
    _require(values.get("level", NOTICE_WARNING) in (NOTICE_WARNING, NOTICE_INFO), origin,
             f"notice {index}: level {_shown(values.get('level'))} is not warning or info")
    return Notice(**values)


def _count(summary: Any, key: str, origin: str) -> int:
    value = summary.get(key) if isinstance(summary, Mapping) else None
    _require(isinstance(value, int) and not isinstance(value, bool) and value >= 0, origin,
             f"summary.{key} is not a non-negative integer")
    assert isinstance(value, int)
    return value


def _shard(data: Mapping[str, Any], origin: str) -> tuple[int, int] | None:
    """(index, count) of the `scan --shard I/N` run that made the report, None for an unsharded scan."""
    shard = data.get("shard")
    if shard is None:
        return None
    _require(isinstance(shard, Mapping), origin, "shard is not an object")
    index, count = shard.get("index"), shard.get("count")
    _require(all(isinstance(n, int) and not isinstance(n, bool) for n in (index, count))
             and 1 <= index <= count, origin, f"shard {_shown(dict(shard))} is not 1 <= index <= count")
    return index, count


def _check_shards(shards: dict[str, tuple[int, int] | None]) -> None:
    """All shards of one partition, none missing (each came once: checked as they were read): a merged
    report of part of the files must not pass a gate as the whole."""
    sharded = {origin: shard for origin, shard in shards.items() if shard is not None}
    if not sharded:
        return
    unsharded = [origin for origin, shard in shards.items() if shard is None]
    _require(not unsharded, unsharded[0] if unsharded else "", "not made by `scan --shard`, unlike "
             f"{next(iter(sharded))}: merge the reports of one sharded scan")
    first, (_index, count) = next(iter(sharded.items()))
    for origin, shard in sharded.items():
        _require(shard[1] == count, origin, f"shard {shard[0]}/{shard[1]}, but {first} is a shard of {count}")
    missing = sorted(set(range(1, count + 1)) - {index for index, _count in sharded.values()})
    if missing:
        raise MergeError(f"shard{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))} of {count} "
                         "missing: the merged report would cover part of the files")


def _path_order(finding: Finding) -> tuple[str, ...]:
    return tuple(finding.path.split("/"))


def merge_report_data(reports: Sequence[tuple[str, Any]]) -> ScanResult:
    """Merge parsed JSON reports given as (origin, data) pairs. Raises MergeError."""
    from pluto_py.core.model import ScanResult

    if not reports:
        raise MergeError("no reports to merge")
    import hashlib
    import json

    findings: list[Finding] = []
    errors: dict[ScanError, None] = {}
    notices: dict[Notice, None] = {}
    files = documents = 0
    targets: dict[str, str] | None = None
    shards: dict[str, tuple[int, int] | None] = {}
    contents: dict[str, str] = {}  # digest of a report's data -> the report
    paths_of: dict[str, str] = {}  # a path with findings -> the report that has them
    for origin, data in reports:
        _require(isinstance(data, Mapping), origin, "not a kdeprecate JSON report")
        _require(data.get("schema_version") == SUPPORTED_SCHEMA, origin,
                 f"schema_version {data.get('schema_version')!r} is not {SUPPORTED_SCHEMA}")
        tool = data.get("tool")
        _require(isinstance(tool, Mapping) and tool.get("name") == "kdeprecate", origin, "not a kdeprecate report")
        these = data.get("targets")
        _require(isinstance(these, Mapping) and all(isinstance(k, str) and isinstance(v, str)
                                                    for k, v in these.items()), origin,
                 "targets is not an object of version strings")
        assert isinstance(these, Mapping)
        these = dict(these)
        if targets is None:
            targets = these
        _require(these == targets, origin, f"made for targets {these}, the first report for {targets}")
        digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8", "surrogatepass")).hexdigest()
        _require(digest not in contents, origin, f"the same report as {contents.get(digest)}: the same shard twice")
        contents[digest] = origin
        shard = shards[origin] = _shard(data, origin)
        if shard is not None:
            again = next((other for other, seen in shards.items() if seen == shard and other != origin), None)
            _require(again is None, origin, f"shard {shard[0]}/{shard[1]} again (also {again}): the same shard twice")
        for key in ("findings", "errors"):
            _require(isinstance(data.get(key), list), origin, f"{key} is not a list")
        _require(isinstance(data.get("notices") or [], list), origin, "notices is not a list")
        these_findings = [_finding(record, origin, index) for index, record in enumerate(data["findings"])]
        for path in dict.fromkeys(finding.path for finding in these_findings):
            _require(path not in paths_of, origin, f"findings in {path}, which {paths_of.get(path)} has too: "
                     "the same files in two reports (the same shard twice?)")
            paths_of[path] = origin
        findings.extend(these_findings)
        errors.update((_error(record, origin, index), None) for index, record in enumerate(data["errors"]))
        notices.update((_notice(record, origin, index), None)
                       for index, record in enumerate(data.get("notices") or []))
        files += _count(data.get("summary"), "files", origin)
        documents += _count(data.get("summary"), "documents", origin)
    _check_shards(shards)
    findings.sort(key=_path_order)
    assert targets is not None
    return ScanResult(tuple(findings), tuple(errors), files, documents, targets, notices=tuple(notices))


def read_reports(paths: Iterable[Path]) -> list[tuple[str, Any]]:
    """(origin, parsed JSON) of each report file. Raises MergeError."""
    from pluto_py.core.userfiles import UserFileError, parse_user_json, read_user_text

    loaded: list[tuple[str, Any]] = []
    for path in paths:
        try:
            loaded.append((str(path), parse_user_json(read_user_text(path, "report"), str(path))))
        except UserFileError as exc:
            raise MergeError(str(exc)) from None
    return loaded
