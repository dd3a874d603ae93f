#!/usr/bin/env python3
"""Regenerate ``data/served_apis.yaml``: which (apiVersion, kind) each Kubernetes release serves.

The facts come from the per-release JSON Schemas that the ``kubernetes-validate`` PyPI package
ships (converted from each release's ``api/openapi-spec/swagger.json``, which upstream generates
with every API group, alpha ones included, enabled). A release's ``_definitions.json`` lists every
type; the ones carrying ``x-kubernetes-group-version-kind`` are the kinds the API server knows.

The current kubernetes-validate only ships the newest releases (1.25+ today). Older releases ship
older ones, so several sources are merged::

    pip download --no-deps kubernetes-validate==1.24.1 -d /tmp/kv-1.24.1   # 1.10 (strict only) .. 1.24
    pip download --no-deps kubernetes-validate==1.12.2 -d /tmp/kv-1.12.2   # 1.8 .. 1.12
    python scripts/served_apis.py /tmp/kv-1.12.2/*.tar.gz /tmp/kv-1.24.1/*.tar.gz --installed \\
        -o data/served_apis.yaml

A source is a directory (searched recursively), a wheel or zip, or an sdist (``.tar.gz``); they are
read in place, never unpacked. ``--installed`` adds the kubernetes-validate installed in this
interpreter (the default when no source is given). When several sources carry the same release,
the one given last wins (give the newest package last); a disagreement between them is reported on
stderr. Within one source the ``-local`` flavour is preferred to ``-local-strict`` (same kinds).

Only kinds a user can create or apply are kept: the meta kinds every group carries (DeleteOptions,
WatchEvent, Status, APIResourceList, ...) and ``*List`` kinds are skipped.

Uses only the standard library and ruamel.yaml (to check that the written file reads back).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import tarfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Release = tuple[int, int]
Gvk = tuple[str, str]  # (apiVersion, kind)

# .../kubernetes-json-schema/v1.25.0-local/_definitions.json (or -local-strict)
_DEFINITIONS_RE = re.compile(
    r"(?:^|/)kubernetes-json-schema/v(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)"
    r"-local(?P<strict>-strict)?/_definitions\.json$"
)

# Kinds from k8s.io/apimachinery that the OpenAPI spec attaches to every group version; they are
# not objects anyone applies.
META_KINDS = frozenset(
    {
        "APIGroup",
        "APIGroupList",
        "APIResourceList",
        "APIVersions",
        "DeleteOptions",
        "GetOptions",
        "ListOptions",
        "PatchOptions",
        "CreateOptions",
        "UpdateOptions",
        "ExportOptions",
        "Status",
        "WatchEvent",
        "Table",
        "PartialObjectMetadata",
        "PartialObjectMetadataList",
    }
)

# The OpenAPI spec lists every type the API server's code has, served or not. In 1.16 and 1.17 the
# workload betas were still compiled in but no longer served by default (they could only be turned
# back on with --runtime-config), so the spec overstates what those releases serve. Kinds listed here
# are dropped from the releases from ``first_unserved`` on. (apiVersion, kind or "*" for the whole
# group version) -> (first release that does not serve it, source, date read).
_REMOVAL_1_16 = "https://kubernetes.io/docs/reference/using-api/deprecation-guide/#v1-16"
_RELEASE_NOTES_1_16 = "https://kubernetes.io/blog/2019/07/18/api-deprecations-in-1-16/"
NOT_SERVED_BY_DEFAULT: dict[Gvk, tuple[Release, str, str]] = {
    ("apps/v1beta1", "*"): ((1, 16), _RELEASE_NOTES_1_16, "2026-11-29"),
    ("apps/v1beta2", "*"): ((1, 16), _RELEASE_NOTES_1_16, "2026-11-29"),
    ("extensions/v1beta1", "DaemonSet"): ((1, 16), _REMOVAL_1_16, "2026-11-29"),
    ("extensions/v1beta1", "Deployment"): ((1, 16), _REMOVAL_1_16, "2026-11-29"),
    ("extensions/v1beta1", "DeploymentRollback"): ((1, 16), _REMOVAL_1_16, "2026-11-29"),  # deployments/rollback
    ("extensions/v1beta1", "ReplicaSet"): ((1, 16), _REMOVAL_1_16, "2026-11-29"),
    ("extensions/v1beta1", "NetworkPolicy"): ((1, 16), _REMOVAL_1_16, "2026-11-29"),
    ("extensions/v1beta1", "PodSecurityPolicy"): ((1, 16), _REMOVAL_1_16, "2026-11-29"),
}


def drop_not_served(releases: dict[Release, ReleaseKinds]) -> dict[Release, ReleaseKinds]:
    """``releases`` without the kinds NOT_SERVED_BY_DEFAULT says a release did not serve."""
    result: dict[Release, ReleaseKinds] = {}
    for release, kinds in releases.items():
        kept = frozenset(gvk for gvk in kinds.kinds if not _unserved(gvk, release))
        result[release] = ReleaseKinds(release, kept, kinds.origin, kinds.strict)
    return result


def _unserved(gvk: Gvk, release: Release) -> bool:
    for key in (gvk, (gvk[0], "*")):
        rule = NOT_SERVED_BY_DEFAULT.get(key)
        if rule is not None and release >= rule[0]:
            return True
    return False


HEADER = """\
# Which (apiVersion, kind) each Kubernetes release serves, one line per contiguous range of
# releases: first and last release whose OpenAPI spec has the kind (last: null = still served in
# the newest release below). GENERATED by scripts/served_apis.py from the JSON Schemas shipped in
# the kubernetes-validate package; do not edit by hand (see docs/table.md). The spec lists types the
# API server no longer serves by default: scripts/served_apis.py drops them (NOT_SERVED_BY_DEFAULT):
"""


@dataclass(frozen=True)
class ReleaseKinds:
    release: Release
    kinds: frozenset[Gvk]
    origin: str
    strict: bool


def version_text(release: Release) -> str:
    return f"{release[0]}.{release[1]}"


def parse_release(text: str) -> Release:
    match = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)?", text.strip())
    if match is None:
        raise ValueError(f"not a release: {text!r}")
    return (int(match[1]), int(match[2]))


def kinds_from_definitions(data: Any) -> frozenset[Gvk]:
    """The user-facing (apiVersion, kind) pairs of one release's ``_definitions.json``."""
    definitions = data.get("definitions") or data.get("$defs") or {}
    found: set[Gvk] = set()
    for name, schema in definitions.items():
        if name.startswith("io.k8s.apimachinery.pkg.apis.meta."):
            continue
        for gvk in schema.get("x-kubernetes-group-version-kind") or ():
            group, version, kind = gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", "")
            if not version or not kind or kind in META_KINDS or kind.endswith("List"):
                continue
            found.add((f"{group}/{version}" if group else version, kind))
    return frozenset(found)


def _members(source: Path) -> Iterator[tuple[str, bytes]]:
    """(name, content) of every ``_definitions.json`` in a directory, wheel/zip or sdist."""
    if source.is_dir():
        for path in sorted(source.rglob("_definitions.json")):
            yield path.as_posix(), path.read_bytes()
    elif zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            for name in archive.namelist():
                if name.endswith("/_definitions.json"):
                    yield name, archive.read(name)
    elif tarfile.is_tarfile(source):
        with tarfile.open(source) as archive:
            for member in archive:
                if member.isfile() and member.name.endswith("/_definitions.json"):
                    handle = archive.extractfile(member)
                    if handle is not None:
                        yield member.name, handle.read()
    else:
        raise ValueError(f"{source}: not a directory, zip/wheel or tar archive")


def read_source(source: Path) -> dict[Release, ReleaseKinds]:
    """The releases one source carries; ``-local`` is preferred over ``-local-strict``."""
    releases: dict[Release, ReleaseKinds] = {}
    for name, content in _members(source):
        match = _DEFINITIONS_RE.search(name)
        if match is None:
            continue
        release = (int(match["major"]), int(match["minor"]))
        strict = match["strict"] is not None
        if release in releases and (strict or not releases[release].strict):
            continue
        data = json.load(io.BytesIO(content))
        releases[release] = ReleaseKinds(release, kinds_from_definitions(data), f"{source}:{name}", strict)
    return releases


def installed_schema_dir() -> Path:
    import kubernetes_validate  # the test extra installs it

    return Path(kubernetes_validate.__file__).resolve().parent / "kubernetes-json-schema"


def merge_sources(sources: Iterable[Path], warn: Any = None) -> dict[Release, ReleaseKinds]:
    """Merge the releases of several sources; a later source wins for a release both carry."""
    merged: dict[Release, ReleaseKinds] = {}
    for source in sources:
        for release, kinds in read_source(source).items():
            previous = merged.get(release)
            if previous is not None and previous.kinds != kinds.kinds and warn is not None:
                only_old = sorted(previous.kinds - kinds.kinds)
                only_new = sorted(kinds.kinds - previous.kinds)
                warn(
                    f"{version_text(release)}: sources disagree; using {kinds.origin} "
                    f"(only in the earlier one: {only_old}; only in this one: {only_new})"
                )
            merged[release] = kinds
    return merged


def served_ranges(releases: dict[Release, ReleaseKinds]) -> list[dict[str, str | None]]:
    """One entry per (apiVersion, kind) and contiguous range of releases serving it."""
    ordered = sorted(releases)
    newest = ordered[-1]
    every: set[Gvk] = set().union(*(r.kinds for r in releases.values()))
    entries: list[dict[str, str | None]] = []
    for api_version, kind in sorted(every, key=_sort_key):
        start: Release | None = None
        previous: Release | None = None
        for release in ordered:
            if (api_version, kind) in releases[release].kinds:
                if start is None:
                    start = release
                previous = release
            elif start is not None and previous is not None:
                entries.append(_entry(api_version, kind, start, previous, newest))
                start = None
        if start is not None and previous is not None:
            entries.append(_entry(api_version, kind, start, previous, newest))
    return entries


def _sort_key(gvk: Gvk) -> tuple[str, str, str]:
    group, _, version = gvk[0].rpartition("/")
    return (group, version, gvk[1])


def _entry(api_version: str, kind: str, first: Release, last: Release, newest: Release) -> dict[str, str | None]:
    return {
        "api_version": api_version,
        "kind": kind,
        "first": version_text(first),
        "last": None if last == newest else version_text(last),
    }


def render(releases: dict[Release, ReleaseKinds], generated_by: str) -> str:
    ordered = sorted(releases)
    missing = [
        version_text((ordered[0][0], minor))
        for minor in range(ordered[0][1], ordered[-1][1] + 1)
        if (ordered[0][0], minor) not in releases
    ]
    lines = [HEADER.rstrip("\n")]
    for (api_version, kind), (first_unserved, source, read) in NOT_SERVED_BY_DEFAULT.items():
        what = f"{api_version} (every kind)" if kind == "*" else f"{api_version} {kind}"
        lines.append(f"#   {what}: not served from {version_text(first_unserved)} ({source}, read {read})")
    lines += ["schema_version: 1", f"generated_by: {generated_by}"]
    lines.append(f'releases: {{first: "{version_text(ordered[0])}", last: "{version_text(ordered[-1])}"}}')
    lines.append("missing_releases: [" + ", ".join(f'"{m}"' for m in missing) + "]")
    lines.append("apis:")
    for entry in served_ranges(releases):
        last = "null" if entry["last"] is None else f'"{entry["last"]}"'
        lines.append(
            f"  - {{api_version: {entry['api_version']}, kind: {entry['kind']}, "
            f'first: "{entry["first"]}", last: {last}}}'
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="*", type=Path, help="directories, wheels or sdists of kubernetes-validate")
    parser.add_argument("--installed", action="store_true", help="also read the installed kubernetes-validate")
    parser.add_argument("--first", default="1.9", help="oldest release to keep (default 1.9)")
    parser.add_argument("-o", "--output", type=Path, help="write here (default: stdout)")
    args = parser.parse_args(argv)

    sources = list(args.sources)
    if args.installed or not sources:
        sources.append(installed_schema_dir())
    for source in sources:
        if not source.exists():
            print(f"error: {source}: no such file or directory", file=sys.stderr)
            return 2

    def warn(message: str) -> None:
        print(f"warning: {message}", file=sys.stderr)

    try:
        releases = merge_sources(sources, warn)
    except (OSError, ValueError, tarfile.TarError, zipfile.BadZipFile) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    first = parse_release(args.first)
    releases = drop_not_served({release: kinds for release, kinds in releases.items() if release >= first})
    if not releases:
        print("error: no release schemas found in the sources", file=sys.stderr)
        return 2
    for release in sorted(releases):
        kinds = releases[release]
        flavour = "strict" if kinds.strict else "local"
        print(f"{version_text(release)}: {len(kinds.kinds)} kinds ({flavour}) from {kinds.origin}", file=sys.stderr)

    text = render(releases, "scripts/served_apis.py")
    from ruamel.yaml import YAML  # read back: the hand-written YAML must parse to what we meant

    loaded = YAML(typ="safe", pure=True).load(text)
    assert loaded["apis"] == served_ranges(releases), "rendered YAML does not read back"
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}: {len(loaded['apis'])} entries", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
