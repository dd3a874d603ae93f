#!/usr/bin/env python3
"""Cross-check ``data/api_versions.yaml`` against which releases serve which (apiVersion, kind).

The served-API facts come from ``data/served_apis.yaml`` (default) or, with ``--schemas``, straight
from kubernetes-validate schema directories/wheels/sdists (see scripts/served_apis.py). Checks:

* a row's apiVersion/kind is served in the release before ``removed_in`` and in no release from
  ``removed_in`` on; a row without ``removed_in`` is served in the newest covered release;
* a row's apiVersion/kind is served at ``deprecated_in`` (a deprecation of something not served is a typo);
* the replacement (``replacement_kind`` or the same kind) is served at ``replacement_available_in``,
  not in the release before it, and still in the newest covered release;
* every (apiVersion, kind) that disappears between two covered releases has a row;
* every beta version served in the newest release for which the prerelease-lifecycle default
  (introduced + 3) has passed has a row;
* info only: alpha/beta versions served in the newest release next to a GA version of the same kind.

Only releases the served data covers are checked, so it also runs on a partial range (e.g. the
installed kubernetes-validate's 1.25+ alone). Prints one line per disagreement; exit 1 if any.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
Release = tuple[int, int]
Gvk = tuple[str, str]

# The OpenAPI spec is generated with every API group version enabled. In 1.16 and 1.17 the workload
# betas of extensions/v1beta1 and apps/v1beta1|v1beta2 were no longer served by default but could
# still be switched back on with --runtime-config, so the 1.16 and 1.17 specs list them; the code
# was deleted in 1.18. The table follows the migration guide and the API server's default (1.16).
# Maps row -> first release whose schemas no longer list it.
SCHEMA_LAG: dict[Gvk, Release] = {
    (api_version, kind): (1, 18)
    for api_version, kinds in {
        "extensions/v1beta1": ("DaemonSet", "Deployment", "ReplicaSet", "NetworkPolicy", "PodSecurityPolicy"),
        "apps/v1beta1": ("Deployment", "StatefulSet", "ControllerRevision"),
        "apps/v1beta2": ("DaemonSet", "Deployment", "ReplicaSet", "StatefulSet", "ControllerRevision"),
    }.items()
    for kind in kinds
}

# Before 1.11 the published OpenAPI spec did not include the API groups served by the aggregator
# and by apiextensions-apiserver (they were merged into it in 1.11), so the 1.9 and 1.10 schemas
# lack e.g. apiregistration.k8s.io/v1 APIService (GA in 1.10) and every CRD version. Group -> first
# release whose schemas list the group.
SCHEMA_LATE_GROUPS: dict[str, Release] = {
    "apiregistration.k8s.io": (1, 11),
    "apiextensions.k8s.io": (1, 11),
}

# Kinds the schemas carry that are not objects anyone writes into a manifest, so they need no row:
# request/response bodies of subresources, and a type that was only ever embedded in another object.
NOT_OBJECTS: dict[Gvk, str] = {
    ("apps/v1beta1", "Scale"): "body of the deployments|statefulsets/scale subresource",
    ("apps/v1beta2", "Scale"): "body of the */scale subresource",
    ("extensions/v1beta1", "Scale"): "body of the */scale subresource",
    ("apps/v1beta1", "DeploymentRollback"): "body of the deployments/rollback subresource",
    ("extensions/v1beta1", "DeploymentRollback"): "body of the deployments/rollback subresource",
    # pods/eviction accepts policy/v1beta1 and policy/v1 Eviction bodies; from 1.22 the spec only
    # documents the preferred policy/v1 one, although v1beta1 bodies were accepted until 1.25.
    ("policy/v1beta1", "Eviction"): "body of the pods/eviction subresource",
    ("v1", "EphemeralContainers"): "body of pods/ephemeralcontainers in 1.21 only (a Pod from 1.22)",
    ("v1", "NodeConfigSource"): "embedded in Node.spec.configSource (1.9-1.10 registered it as a kind)",
}

# Configuration file formats read by components (kubeadm, kube-scheduler, kubelet, kube-proxy, the API
# server's --audit-policy-file and friends): they are never served by the API server, so the OpenAPI
# schemas do not list them and cannot confirm or contradict their rows. Their rows cite a source each.
CONFIG_GROUPS = frozenset({
    "kubeadm.k8s.io", "kubescheduler.config.k8s.io", "kubelet.config.k8s.io", "kubeproxy.config.k8s.io",
    "apiserver.config.k8s.io", "audit.k8s.io", "componentconfig", "kubeletconfig",
})

_VERSION_RE = re.compile(r"^v\d+(?:(alpha|beta)\d+)?$")


def parse_release(text: Any) -> Release:
    match = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)?", str(text).strip())
    if match is None:
        raise ValueError(f"not a release: {text!r}")
    return (int(match[1]), int(match[2]))


def show(release: Release) -> str:
    return f"{release[0]}.{release[1]}"


def previous(release: Release) -> Release:
    return (release[0], release[1] - 1)


def stability(api_version: str) -> str:
    """'alpha', 'beta' or 'ga' for an apiVersion like apps/v1beta2."""
    match = _VERSION_RE.match(api_version.rpartition("/")[2])
    return match[1] if match and match[1] else "ga"


@dataclass
class Served:
    """Which covered release serves which (apiVersion, kind)."""

    releases: list[Release]
    by_gvk: dict[Gvk, set[Release]] = field(default_factory=dict)

    @property
    def first(self) -> Release:
        return self.releases[0]

    @property
    def last(self) -> Release:
        return self.releases[-1]

    def covers(self, release: Release) -> bool:
        return release in self._release_set

    def __post_init__(self) -> None:
        self._release_set = set(self.releases)

    def serves(self, gvk: Gvk, release: Release) -> bool:
        return release in self.by_gvk.get(gvk, set())

    def kinds_at(self, release: Release) -> set[Gvk]:
        return {gvk for gvk, releases in self.by_gvk.items() if release in releases}


def load_yaml(path: Path) -> Any:
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def served_from_file(path: Path) -> Served:
    data = load_yaml(path)
    first, last = parse_release(data["releases"]["first"]), parse_release(data["releases"]["last"])
    missing = {parse_release(m) for m in data.get("missing_releases") or ()}
    releases = [(first[0], minor) for minor in range(first[1], last[1] + 1) if (first[0], minor) not in missing]
    served = Served(releases)
    for entry in data["apis"]:
        start = parse_release(entry["first"])
        end = last if entry["last"] is None else parse_release(entry["last"])
        gvk = (entry["api_version"], entry["kind"])
        served.by_gvk.setdefault(gvk, set()).update(r for r in releases if start <= r <= end)
    return served


def _served_apis_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("served_apis", Path(__file__).with_name("served_apis.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["served_apis"] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


def served_from_schemas(sources: Iterable[Path], first: Release | None = None) -> Served:
    module = _served_apis_module()
    merged = module.merge_sources(list(sources))
    releases = sorted(r for r in merged if first is None or r >= first)
    served = Served(releases)
    for release in releases:
        for gvk in merged[release].kinds:
            served.by_gvk.setdefault(gvk, set()).add(release)
    return served


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        self.errors.append(message)

    def info(self, message: str) -> None:
        self.infos.append(message)


def check(rows: list[dict[str, Any]], served: Served) -> Report:
    report = Report()
    rows = [row for row in rows if row.get("component", "k8s") == "k8s"]
    config = [row for row in rows if row["api_version"].rpartition("/")[0] in CONFIG_GROUPS]
    for row in config:
        report.info(f"{row['api_version']} {row['kind']}: a configuration file format, not served by the API "
                    f"server: not in the schemas, not cross-checked (source: {row.get('source', 'none given')})")
    rows = [row for row in rows if row not in config]
    keys = {(row["api_version"], row["kind"]) for row in rows}
    for row in rows:
        _check_row(row, served, report)
    _check_disappearances(keys, served, report)
    _check_current_prereleases(keys, served, report)
    return report


def _check_row(row: dict[str, Any], served: Served, report: Report) -> None:
    gvk: Gvk = (row["api_version"], row["kind"])
    name = f"{gvk[0]} {gvk[1]}"
    ever = served.by_gvk.get(gvk, set())
    removed = parse_release(row["removed_in"]) if row.get("removed_in") else None
    deprecated = parse_release(row["deprecated_in"]) if row.get("deprecated_in") else None
    if not ever:
        if removed is None or removed > served.first:
            report.error(f"{name}: no covered release ({show(served.first)}-{show(served.last)}) serves it")
        return
    if removed is None:
        if not served.serves(gvk, served.last):
            report.error(
                f"{name}: removed_in is null but {show(served.last)} does not serve it (last served: {show(max(ever))})"
            )
    else:
        # data/served_apis.yaml drops the lag (scripts/served_apis.py NOT_SERVED_BY_DEFAULT); raw schemas have it.
        lagging = gvk in SCHEMA_LAG and served.serves(gvk, previous(SCHEMA_LAG[gvk]))
        gone = SCHEMA_LAG[gvk] if lagging else removed
        before = previous(removed)
        if served.covers(before) and not served.serves(gvk, before):
            report.error(f"{name}: removed_in {show(removed)} but {show(before)} does not serve it")
        still = sorted(r for r in ever if r >= gone)
        if still:
            report.error(f"{name}: removed_in {show(removed)} but still served in {', '.join(show(r) for r in still)}")
    if deprecated is not None and served.covers(deprecated) and not served.serves(gvk, deprecated):
        report.error(f"{name}: deprecated_in {show(deprecated)} but that release does not serve it")
    _check_replacement(row, name, served, report)


def _check_replacement(row: dict[str, Any], name: str, served: Served, report: Report) -> None:
    replacement = row.get("replacement")
    available = parse_release(row["replacement_available_in"]) if row.get("replacement_available_in") else None
    if replacement is None:
        if available is not None:
            report.error(f"{name}: replacement_available_in set without a replacement")
        return
    target: Gvk = (replacement, row.get("replacement_kind") or row["kind"])
    target_name = f"{target[0]} {target[1]}"
    if available is None:
        report.error(f"{name}: replacement {target_name} without replacement_available_in")
        return
    listed_from = SCHEMA_LATE_GROUPS.get(replacement.rpartition("/")[0], served.first)
    if served.covers(available) and available >= listed_from:
        if not served.serves(target, available):
            report.error(
                f"{name}: replacement {target_name} is not served at replacement_available_in {show(available)}"
            )
        if served.covers(previous(available)) and served.serves(target, previous(available)):
            first = min(served.by_gvk[target])
            report.error(
                f"{name}: replacement {target_name} already served in {show(first)}, "
                f"before replacement_available_in {show(available)}"
            )
    elif available < listed_from and served.covers(listed_from) and not served.serves(target, listed_from):
        report.error(
            f"{name}: replacement_available_in {show(available)} predates the data, "
            f"but {show(listed_from)} does not serve {target_name}"
        )
    if not served.serves(target, served.last):
        report.error(f"{name}: replacement {target_name} is not served in {show(served.last)} (removed itself?)")


def _check_disappearances(keys: set[Gvk], served: Served, report: Report) -> None:
    for gvk, releases in sorted(served.by_gvk.items()):
        gaps = [
            later
            for earlier, later in zip(served.releases, served.releases[1:], strict=False)
            if earlier in releases and later not in releases
        ]
        for gone in gaps:
            if gvk in keys:
                continue
            if gvk in NOT_OBJECTS:
                report.info(f"{gvk[0]} {gvk[1]}: not served from {show(gone)}; no row needed ({NOT_OBJECTS[gvk]})")
                continue
            report.error(
                f"{gvk[0]} {gvk[1]}: served until {show(previous(gone))}, gone in {show(gone)}, but has no row"
            )


def _check_current_prereleases(keys: set[Gvk], served: Served, report: Report) -> None:
    newest = served.kinds_at(served.last)
    by_group_kind: dict[tuple[str, str], set[str]] = defaultdict(set)
    for api_version, kind in newest:
        by_group_kind[(api_version.rpartition("/")[0], kind)].add(api_version)
    for api_version, kind in sorted(newest):
        level = stability(api_version)
        if level == "ga":
            continue
        group = api_version.rpartition("/")[0]
        ga = sorted(v for v in by_group_kind[(group, kind)] if stability(v) == "ga")
        has_row = (api_version, kind) in keys
        if ga:
            state = "has a row" if has_row else "no row (not deprecated by its API server)"
            report.info(f"{api_version} {kind}: {level} served in {show(served.last)} next to GA {ga[0]}; {state}")
        introduced = min(served.by_gvk[(api_version, kind)])
        due = (introduced[0], introduced[1] + 3)
        if level == "beta" and introduced > served.first and due <= served.last and not has_row:
            report.error(
                f"{api_version} {kind}: beta served since {show(introduced)}; the prerelease-lifecycle default "
                f"deprecates it in {show(due)}, but the table has no row"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--table", type=Path, default=ROOT / "data" / "api_versions.yaml")
    parser.add_argument("--served", type=Path, default=ROOT / "data" / "served_apis.yaml")
    parser.add_argument(
        "--schemas",
        type=Path,
        nargs="*",
        help="read kubernetes-validate schemas instead of --served (no path: the installed package)",
    )
    parser.add_argument("--first", default="1.9", help="with --schemas: oldest release to check")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only disagreements, not info lines")
    args = parser.parse_args(argv)

    try:
        if args.schemas is not None:
            sources = list(args.schemas) or [_served_apis_module().installed_schema_dir()]
            served = served_from_schemas(sources, parse_release(args.first))
        else:
            served = served_from_file(args.served)
        table = load_yaml(args.table)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"error: cannot read the inputs: {exc}", file=sys.stderr)
        return 2
    if not served.releases:
        print("error: the served-API data covers no release", file=sys.stderr)
        return 2

    report = check(list(table["apis"]), served)
    if not args.quiet:
        for line in report.infos:
            print(f"info: {line}")
    for line in report.errors:
        print(f"error: {line}")
    print(
        f"checked {len(table['apis'])} rows against releases {show(served.first)}-{show(served.last)}: "
        f"{len(report.errors)} disagreement(s), {len(report.infos)} info"
    )
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
