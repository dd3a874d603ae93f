"""The add-on support data (``data/addon_support.yaml``) and the question it answers: does version V of
add-on A support Kubernetes T? Versions are compared with ``packaging`` (specifier sets)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from pluto_py.addons.images import SUPPORT_FILE, ImageRef, matches, parse_image, repository_basename
from pluto_py.core.versions import KubeVersion

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

SCHEMA_FILE = "addon_support.schema.json"
RULE_SAME_MINOR = "same-minor"
RULE_SKEW_POLICY = "skew-policy"
_SEARCH_MINORS = 12  # how far from an add-on version a skew-policy range is looked for


class AddonDataError(ValueError):
    """The shipped add-on data cannot be used (the installation is broken)."""


@dataclass(frozen=True, slots=True)
class MatrixRow:
    versions: str  # specifier set over the add-on's version
    kubernetes: str  # specifier set over Kubernetes major.minor
    source: str


@dataclass(frozen=True, slots=True)
class Addon:
    name: str
    title: str
    images: tuple[str, ...]
    matrix: tuple[MatrixRow, ...] = ()
    rule: str | None = None  # same-minor | skew-policy (when there is no matrix)
    skew_rule: str | None = None
    no_matrix: str | None = None  # why the project publishes no matrix
    source: str | None = None  # of the rule or of the statement that there is no matrix
    note: str = ""

    def recognises(self, image: ImageRef) -> bool:
        return any(matches(image, pattern) for pattern in self.images)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the data says about one add-on version at one Kubernetes version.

    ``supported`` is None when the data cannot tell (no matrix, or no row for that version);
    ``kubernetes`` is the supported range as a specifier set (``>=1.25,<=1.29``) when known.
    """

    supported: bool | None
    kubernetes: str | None
    source: str | None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class AddonSupport:
    read_on: str
    addons: tuple[Addon, ...]

    def recognise(self, image_text: str) -> tuple[Addon, ImageRef] | None:
        image = parse_image(image_text)
        if image is None:
            return None
        for addon in self.addons:
            if addon.recognises(image):
                return addon, image
        return None

    def basenames(self) -> frozenset[str]:
        return frozenset(repository_basename(pattern) for addon in self.addons for pattern in addon.images)

    def get(self, name: str) -> Addon | None:
        return next((addon for addon in self.addons if addon.name == name), None)


def _specifier(text: str) -> SpecifierSet:
    from packaging.specifiers import SpecifierSet

    return SpecifierSet(text)


def _release(text: str) -> Any:
    from packaging.version import Version

    return Version(text)


def judge(addon: Addon, version: str, target: KubeVersion) -> Verdict:
    """Whether ``addon`` at ``version`` (a release like '1.20.0') supports Kubernetes ``target``."""
    if addon.no_matrix is not None:
        return Verdict(None, None, addon.source, f"{addon.title} publishes no Kubernetes support matrix")
    release = _release(version)
    if addon.rule == RULE_SAME_MINOR:
        own = KubeVersion(release.major, release.minor)
        return Verdict(own == target, f"=={own}", addon.source)
    if addon.rule == RULE_SKEW_POLICY:
        return _judge_by_skew_rule(addon, KubeVersion(release.major, release.minor), target)
    for row in addon.matrix:
        if _specifier(row.versions).contains(release, prereleases=True):
            supported = _specifier(row.kubernetes).contains(_release(str(target)), prereleases=True)
            return Verdict(supported, row.kubernetes, row.source)
    return Verdict(None, None, addon.matrix[0].source if addon.matrix else addon.source,
                   f"the {addon.title} support matrix has no row for {version}")


def _judge_by_skew_rule(addon: Addon, version: KubeVersion, target: KubeVersion) -> Verdict:
    """kube-proxy: the skew policy's rule, as in force at each kube-apiserver release."""
    from pluto_py.core.skew_policy import load_builtin_policy

    policy = load_builtin_policy()

    def allows(apiserver: KubeVersion) -> bool:
        rule = policy.rules_at(apiserver).get(addon.skew_rule or "")
        return rule is not None and rule.allows(version, apiserver)

    allowed = [version.bump(step) for step in range(-_SEARCH_MINORS, _SEARCH_MINORS + 1)
               if version.bump(step).minor >= 0 and allows(version.bump(step))]
    spec = f">={allowed[0]},<={allowed[-1]}" if allowed else None
    return Verdict(allows(target), spec, addon.source)


def supported_text(spec: str | None) -> str:
    """'1.25 to 1.29', '1.20 only', '1.27 and later' for people."""
    if not spec:
        return "unknown"
    low = high = None
    for part in spec.split(","):
        if part.startswith("=="):
            low = high = part[2:]
        elif part.startswith(">="):
            low = part[2:]
        elif part.startswith("<="):
            high = part[2:]
        elif part.startswith("<"):
            high = f"before {part[1:]}"
    if low is not None and low == high:
        return f"{low} only"
    if low and high:
        return f"{low} to {high}" if not high.startswith("before") else f"{low}, {high}"
    if low:
        return f"{low} and later"
    return f"up to {high}" if high and not high.startswith("before") else spec


def support_from_data(data: Any, origin: str) -> AddonSupport:
    """Records from the parsed file (validated against its schema by the test-suite)."""
    try:
        addons = tuple(_addon(raw) for raw in data["addons"])
        return AddonSupport(str(data["read_on"]), addons)
    except (KeyError, TypeError, AttributeError) as exc:
        raise AddonDataError(f"{origin}: broken add-on data: {exc!r}") from None


def _addon(raw: Mapping[str, Any]) -> Addon:
    support = raw["support"]
    matrix: Sequence[Mapping[str, Any]] = support.get("matrix") or ()
    return Addon(
        name=str(raw["name"]), title=str(raw["title"]), images=tuple(str(i) for i in raw["images"]),
        matrix=tuple(MatrixRow(str(r["versions"]), str(r["kubernetes"]), str(r["source"])) for r in matrix),
        rule=support.get("rule"), skew_rule=support.get("skew_rule"), no_matrix=support.get("none"),
        source=support.get("source"), note=str(support.get("note") or ""),
    )


@cache
def load_support() -> AddonSupport:
    """The shipped data, read by the project's fast block-YAML reader (ruamel for anything it declines)."""
    from pluto_py.core.fastyaml import Unsupported, parse_block_yaml
    from pluto_py.core.table import TableError, builtin_data_path

    try:
        path = builtin_data_path(SUPPORT_FILE)
    except TableError as exc:
        raise AddonDataError(str(exc)) from None
    text = path.read_text(encoding="utf-8")
    try:
        data = parse_block_yaml(text, 1)[0]
    except Unsupported:
        from pluto_py.core.userfiles import UserFileError, parse_user_yaml

        try:
            data = parse_user_yaml(text, str(path))
        except UserFileError as exc:
            raise AddonDataError(str(exc)) from None
    return support_from_data(data, str(path))
