"""What Helm checks before it renders a chart, and what it drops after (issue 11: the renderer must
agree with ``helm template`` / ``helm install`` at the target).

* Declared dependencies must be in ``charts/`` (Helm: "found in Chart.yaml, but missing in charts/
  directory: NAME"; the fix is ``helm dependency build``).
* ``kubeVersion:`` of Chart.yaml must accept the target (Helm's Masterminds semver constraints; Helm:
  "chart requires kubeVersion: X which is incompatible with Kubernetes vY").
* Objects whose ``helm.sh/hook`` annotation names a hook Helm 3 does not know (Helm 2's
  ``crd-install``) are dropped, as Helm 3 and 4 skip them.

Only the top-level chart is checked, as Helm does.
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pluto_py.core.parse import DocumentError, compose_yaml
from pluto_py.core.userfiles import read_bounded

HOOK_ANNOTATION = "helm.sh/hook"
# Helm 3/4's hook events (pkg/release: HookEvent), "test-success" kept for Helm 2 charts.
HELM_HOOKS = frozenset({"pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade", "post-upgrade",
                        "pre-rollback", "post-rollback", "test", "test-success"})
MAX_CHART_FILE = 1024 * 1024


# --- semantic versions and Masterminds constraints ----------------------------------------------

_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
                      r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$")
_PART = r"[0-9xX*]+"
_CONSTRAINT_VERSION = (rf"v?{_PART}(?:\.{_PART})?(?:\.{_PART})?(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
                       r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?")
_OPS = r"!=|>=|=>|<=|=<|~>|>|<|=|~|\^"
_ONE = re.compile(rf"\s*({_OPS})?\s*({_CONSTRAINT_VERSION})")
_ONE_FULL = re.compile(rf"^\s*({_OPS})?\s*(v?({_PART})(\.{_PART})?(\.{_PART})?"
                       r"(-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)\s*$")
_VALID_GROUP = re.compile(rf"^(\s*({_OPS})?\s*{_CONSTRAINT_VERSION}\s*,?)+$")
_HYPHEN = re.compile(rf"\s*({_CONSTRAINT_VERSION})\s+-\s+({_CONSTRAINT_VERSION})\s*")


class ConstraintError(ValueError):
    pass


@dataclass(frozen=True, order=True)
class SemVer:
    major: int
    minor: int
    patch: int
    prerelease: str = ""

    def compare(self, other: SemVer) -> int:
        mine, theirs = (self.major, self.minor, self.patch), (other.major, other.minor, other.patch)
        if mine != theirs:
            return -1 if mine < theirs else 1
        return _compare_prerelease(self.prerelease, other.prerelease)


def _compare_prerelease(a: str, b: str) -> int:
    """Semver 2 precedence of pre-releases; none sorts after any."""
    if a == b:
        return 0
    if not a:
        return 1
    if not b:
        return -1
    for x, y in zip(a.split("."), b.split("."), strict=False):
        if x == y:
            continue
        if x.isdigit() and y.isdigit():
            return -1 if int(x) < int(y) else 1
        if x.isdigit() != y.isdigit():
            return -1 if x.isdigit() else 1
        return -1 if x < y else 1
    return -1 if len(a.split(".")) < len(b.split(".")) else 1


def parse_semver(text: str) -> SemVer:
    match = _VERSION.match(text.strip())
    if match is None:
        raise ConstraintError(f"invalid semantic version {text!r}")
    major, minor, patch, pre = match.groups()
    return SemVer(int(major), int(minor or 0), int(patch or 0), pre or "")


@dataclass(frozen=True)
class _Constraint:
    op: str
    version: SemVer
    dirty: bool
    minor_dirty: bool
    patch_dirty: bool

    def check(self, v: SemVer) -> bool:
        c = self.version
        if v.prerelease and not c.prerelease:
            return False  # a pre-release matches only constraints that name one
        op = self.op
        if op in ("", "="):
            return self._tilde(v) if self.dirty else v.compare(c) == 0
        if op == "!=":
            return not self._equal_dirty(v) if self.dirty else v.compare(c) != 0
        if op == ">":
            if not self.dirty:
                return v.compare(c) > 0
            if v.major != c.major:
                return v.major > c.major
            if self.minor_dirty:
                return False
            if self.patch_dirty:
                return v.minor > c.minor
            return v.compare(c) > 0
        if op == "<":
            return v.compare(c) < 0
        if op in (">=", "=>"):
            return v.compare(c) >= 0
        if op in ("<=", "=<"):
            if not self.dirty:
                return v.compare(c) <= 0
            if v.major > c.major:
                return False
            return not (v.major == c.major and v.minor > c.minor and not self.minor_dirty)
        if op in ("~", "~>"):
            return self._tilde(v)
        return self._caret(v)

    def _equal_dirty(self, v: SemVer) -> bool:
        c = self.version
        if c.major != v.major:
            return False
        if self.minor_dirty:
            return True
        if c.minor != v.minor:
            return False
        return self.patch_dirty or c.patch == v.patch

    def _tilde(self, v: SemVer) -> bool:
        c = self.version
        if v.compare(c) < 0:
            return False
        if (c.major, c.minor, c.patch) == (0, 0, 0) and not self.minor_dirty and not self.patch_dirty:
            return True
        if v.major != c.major:
            return False
        return not (v.minor != c.minor and not self.minor_dirty)

    def _caret(self, v: SemVer) -> bool:
        c = self.version
        if v.compare(c) < 0:
            return False
        if c.major > 0 or self.minor_dirty:
            return v.major == c.major
        if v.major > 0:
            return False
        if c.minor > 0 or self.patch_dirty:
            return v.minor == c.minor
        if v.minor > 0:
            return False
        return v.patch == c.patch


def _is_x(part: str | None) -> bool:
    return part in ("x", "X", "*")


def _parse_one(text: str) -> _Constraint:
    match = _ONE_FULL.match(text)
    if match is None:
        raise ConstraintError(f"improper constraint: {text}")
    op, _whole, major, minor, patch, pre = match.groups()
    minor = (minor or "").lstrip(".")
    patch = (patch or "").lstrip(".")
    pre = pre or ""
    dirty = minor_dirty = patch_dirty = False
    if _is_x(major) or not major:
        base, dirty = "0.0.0", True
    elif _is_x(minor) or not minor:
        base, dirty, minor_dirty = f"{major}.0.0", True, True
    elif _is_x(patch) or not patch:
        base, dirty, patch_dirty = f"{major}.{minor}.0", True, True
    else:
        base = f"{major}.{minor}.{patch}"
    try:
        version = parse_semver(base + pre)
    except ConstraintError:
        raise ConstraintError(f"improper constraint: {text}") from None
    return _Constraint(op or "", version, dirty, minor_dirty, patch_dirty)


def constraint_allows(constraint: str, version: str) -> bool:
    """Masterminds semver v3 ``NewConstraint(constraint).Check(NewVersion(version))``.

    Raises ConstraintError for a constraint it cannot parse (Helm then treats the chart as incompatible).
    """
    target = parse_semver(version)
    text = _HYPHEN.sub(lambda m: f" >= {m.group(1)}, <= {m.group(2)} ", constraint)
    for group in text.split("||"):
        if not group.strip():
            # an empty constraint is "*"
            if target.prerelease:
                continue
            return True
        if not _VALID_GROUP.match(group):
            raise ConstraintError(f"improper constraint: {group.strip()}")
        parts = [m.group(0) for m in _ONE.finditer(group)]
        if all(_parse_one(part).check(target) for part in parts):
            return True
    return False


# --- Chart.yaml ---------------------------------------------------------------------------------


def _chart_metadata(chart_dir: Path) -> dict[str, Any]:
    """Chart.yaml, with requirements.yaml's dependencies laid over it (Helm's loader reads both)."""
    metadata: dict[str, Any] = {}
    for name in ("Chart.yaml", "requirements.yaml"):
        path = chart_dir / name
        try:
            if not path.is_file():
                continue
            raw = read_bounded(path, MAX_CHART_FILE)
            if len(raw) > MAX_CHART_FILE:
                continue
            data, _ = compose_yaml(raw.decode("utf-8"), 1)
        except (OSError, ValueError):  # UnicodeDecodeError and DocumentError are ValueErrors
            continue  # the engine reports an unreadable Chart.yaml in its own words
        if isinstance(data, Mapping):
            metadata.update(data)
    return metadata


def _subchart_names(chart_dir: Path) -> set[str]:
    """Names (from their Chart.yaml) of the charts vendored in ``charts/``, directories and archives."""
    names: set[str] = set()
    charts = chart_dir / "charts"
    try:
        entries = sorted(charts.iterdir()) if charts.is_dir() else []
    except OSError:
        return names
    for entry in entries:
        try:
            if entry.is_dir():
                name = _chart_metadata(entry).get("name")
                names.add(str(name) if name else entry.name)
            elif entry.name.endswith((".tgz", ".tar.gz")):
                names.add(_archive_chart_name(entry) or entry.name)
        except OSError:
            continue
    return names


def _archive_chart_name(archive: Path) -> str | None:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar.getmembers():
                parts = PurePosixPath(member.name).parts
                if len(parts) == 2 and parts[1] == "Chart.yaml" and member.isfile() and member.size < MAX_CHART_FILE:
                    handle = tar.extractfile(member)
                    if handle is None:
                        return None
                    data, _ = compose_yaml(handle.read().decode("utf-8", "replace"), 1)
                    name = data.get("name") if isinstance(data, Mapping) else None
                    return str(name) if name else None
    except (OSError, tarfile.TarError, EOFError, DocumentError):
        return None
    return None


def missing_dependencies(chart_dir: Path) -> list[str]:
    """Declared dependencies with no chart of that name in ``charts/`` (Helm's CheckDependencies)."""
    declared = _chart_metadata(chart_dir).get("dependencies")
    if not isinstance(declared, list) or not declared:
        return []
    present = _subchart_names(chart_dir)
    return [str(d.get("name")) for d in declared if isinstance(d, Mapping) and str(d.get("name")) not in present]


def kube_version_refusal(chart_dir: Path, kube_version: str) -> str | None:
    """Helm's refusal when Chart.yaml's ``kubeVersion`` does not accept ``kube_version`` ("v1.25.0")."""
    constraint = _chart_metadata(chart_dir).get("kubeVersion")
    if constraint is None or str(constraint) == "":
        return None
    try:
        allowed = constraint_allows(str(constraint), kube_version)
    except ConstraintError:
        allowed = False  # Helm: a constraint it cannot parse is incompatible
    if allowed:
        return None
    return f"chart requires kubeVersion: {constraint} which is incompatible with Kubernetes {kube_version}"


def chart_refusals(chart_dir: Path, kube_version: str) -> list[str]:
    """Why Helm would refuse to render the chart at ``kube_version``; empty when it would render it."""
    problems: list[str] = []
    missing = missing_dependencies(chart_dir)
    if missing:
        problems.append("chart dependencies are missing: found in Chart.yaml, but missing in charts/ directory: "
                        f"{', '.join(missing)} (run `helm dependency build`)")
    refusal = kube_version_refusal(chart_dir, kube_version)
    if refusal:
        problems.append(refusal)
    return problems


# --- hooks ---------------------------------------------------------------------------------------


def unknown_hooks(data: Any) -> list[str]:
    """Hook types of an object's ``helm.sh/hook`` that Helm 3/4 do not know (it then drops the object)."""
    if not isinstance(data, Mapping):
        return []
    metadata = data.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    value = annotations.get(HOOK_ANNOTATION) if isinstance(annotations, Mapping) else None
    if not isinstance(value, str):
        return []
    return [hook for hook in (part.strip().lower() for part in value.split(",")) if hook not in HELM_HOOKS]
