"""The version skew policy, loaded from ``data/skew_policy.yaml``.

The file keys rules by the Kubernetes release from which they apply; ``Policy.rules_at(v)``
returns the rules in force at release ``v`` (the newest key <= v; the first key for older releases).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pluto_py.core.versions import KubeVersion, VersionError, parse_version

POLICY_FILE = "skew_policy.yaml"
POLICY_SCHEMA_FILE = "skew_policy.schema.json"

KUBE_APISERVER = "kube-apiserver"
KUBE_CONTROLLER_MANAGER = "kube-controller-manager"
KUBE_SCHEDULER = "kube-scheduler"
CLOUD_CONTROLLER_MANAGER = "cloud-controller-manager"
KUBELET = "kubelet"
KUBE_PROXY = "kube-proxy"
KUBECTL = "kubectl"

COMPONENTS: tuple[str, ...] = (
    KUBE_APISERVER, KUBE_CONTROLLER_MANAGER, KUBE_SCHEDULER, CLOUD_CONTROLLER_MANAGER,
    KUBELET, KUBE_PROXY, KUBECTL,
)
CONTROLLERS: tuple[str, ...] = (KUBE_CONTROLLER_MANAGER, KUBE_SCHEDULER, CLOUD_CONTROLLER_MANAGER)
NODE_COMPONENTS: tuple[str, ...] = (KUBELET, KUBE_PROXY)

RELATIVE_APISERVER = "kube-apiserver"
RELATIVE_SAME_NODE_KUBELET = "kubelet-on-same-node"


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a rule comes from: a document, its section, and a link to that section."""

    source: str  # key into the policy's sources
    title: str
    section: str
    url: str

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "section": self.section, "url": self.url}


@dataclass(frozen=True, slots=True)
class Limits:
    max_newer: int
    max_older: int


@dataclass(frozen=True, slots=True)
class Exception_:
    """Tighter limits while the component itself is older than ``below``."""

    below: KubeVersion
    limits: Limits


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    components: tuple[str, ...]
    relative_to: str
    limits: Limits
    exceptions: tuple[Exception_, ...]
    text: str
    sources: tuple[Citation, ...]
    since: KubeVersion  # the release key this version of the rule was listed under

    def limits_for(self, version: KubeVersion) -> Limits:
        """The limits that bind a component at ``version`` (exceptions first)."""
        for exception in self.exceptions:
            if version < exception.below:
                return exception.limits
        return self.limits

    def allows(self, version: KubeVersion, reference: KubeVersion) -> bool:
        """Whether a component at ``version`` is within this rule of a reference at ``reference``."""
        limits = self.limits_for(version)
        ahead = version.minus(reference)
        return -limits.max_older <= ahead <= limits.max_newer

    @property
    def source_url(self) -> str:
        return self.sources[0].url


@dataclass(frozen=True, slots=True)
class Contradiction:
    id: str
    text: str
    resolution: str
    sources: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class UpgradePolicy:
    control_plane_max_hop: int
    order: tuple[str, ...]
    kubelet_drain: bool
    kubelet_may_skip_minors: bool
    citations: Mapping[str, tuple[Citation, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Policy:
    releases: tuple[tuple[KubeVersion, tuple[Rule, ...]], ...]  # sorted by version
    upgrade: UpgradePolicy
    contradictions: tuple[Contradiction, ...]
    origin: str

    def rules_at(self, version: KubeVersion) -> dict[str, Rule]:
        """Rules in force at ``version``, by id: every key <= version, later keys replacing earlier."""
        rules: dict[str, Rule] = {}
        for index, (since, listed) in enumerate(self.releases):
            if since <= version or index == 0:
                for rule in listed:
                    rules[rule.id] = rule
        return rules

    def rules_for(self, component: str, version: KubeVersion) -> list[Rule]:
        """Rules in force at ``version`` that bound ``component``."""
        return [rule for rule in self.rules_at(version).values() if component in rule.components]

    def all_rules(self) -> list[Rule]:
        return [rule for _, listed in self.releases for rule in listed]


def _fail(origin: str, message: str) -> PolicyError:
    return PolicyError(f"{origin}: {message}")


def _version(text: Any, origin: str, where: str) -> KubeVersion:
    if not isinstance(text, str):
        raise _fail(origin, f"{where}: expected a version string like \"1.28\", got {text!r}")
    try:
        return parse_version(text)
    except VersionError as exc:
        raise _fail(origin, f"{where}: {exc}") from None


def _int(raw: Mapping[str, Any], key: str, origin: str, where: str) -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _fail(origin, f"{where}: {key} must be a non-negative integer, got {value!r}")
    return value


def _citations(raw: Any, sources: Mapping[str, tuple[str, str]], origin: str,
               where: str) -> tuple[Citation, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail(origin, f"{where}: sources must be a non-empty list")
    citations: list[Citation] = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise _fail(origin, f"{where}: a source must be a mapping, got {item!r}")
        key = str(item.get("source"))
        if key not in sources:
            raise _fail(origin, f"{where}: unknown source {key!r} (known: {', '.join(sorted(sources))})")
        title, url = sources[key]
        anchor = str(item.get("anchor") or "")
        citations.append(Citation(str(key), title, str(item.get("section", "")),
                                  f"{url}#{anchor}" if anchor else url))
    return tuple(citations)


def _rule(raw: Any, since: KubeVersion, sources: Mapping[str, tuple[str, str]], origin: str) -> Rule:
    where = f"releases.{since}"
    if not isinstance(raw, Mapping):
        raise _fail(origin, f"{where}: a rule must be a mapping")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise _fail(origin, f"{where}: a rule needs an id")
    where = f"{where}.{rule_id}"
    components = raw.get("components")
    if not isinstance(components, list) or not components or any(c not in COMPONENTS for c in components):
        raise _fail(origin, f"{where}: components must list some of {', '.join(COMPONENTS)}")
    relative_to = raw.get("relative_to")
    if relative_to not in (RELATIVE_APISERVER, RELATIVE_SAME_NODE_KUBELET):
        raise _fail(origin, f"{where}: relative_to must be {RELATIVE_APISERVER} or {RELATIVE_SAME_NODE_KUBELET}")
    exceptions: list[Exception_] = []
    for item in raw.get("exceptions") or []:
        if not isinstance(item, Mapping):
            raise _fail(origin, f"{where}: an exception must be a mapping")
        exceptions.append(Exception_(
            _version(item.get("below"), origin, f"{where}.exceptions.below"),
            Limits(_int(item, "max_newer", origin, where), _int(item, "max_older", origin, where)),
        ))
    exceptions.sort(key=lambda e: e.below)
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _fail(origin, f"{where}: text is missing")
    return Rule(
        id=rule_id,
        components=tuple(components),
        relative_to=str(relative_to),
        limits=Limits(_int(raw, "max_newer", origin, where), _int(raw, "max_older", origin, where)),
        exceptions=tuple(exceptions),
        text=" ".join(text.split()),
        sources=_citations(raw.get("sources"), sources, origin, where),
        since=since,
    )


def policy_from_data(data: Any, origin: str) -> Policy:
    """Build a Policy from parsed YAML; raises PolicyError naming the file and the bad field."""
    if not isinstance(data, Mapping):
        raise _fail(origin, "expected a mapping at the top level")
    if data.get("schema_version") != 1:
        raise _fail(origin, f"unsupported schema_version {data.get('schema_version')!r} (expected 1)")
    raw_sources = data.get("sources")
    if not isinstance(raw_sources, Mapping) or not raw_sources:
        raise _fail(origin, "sources must be a non-empty mapping")
    sources: dict[str, tuple[str, str]] = {}
    for key, value in raw_sources.items():
        if not isinstance(value, Mapping) or not isinstance(value.get("url"), str):
            raise _fail(origin, f"sources.{key}: needs a url")
        sources[str(key)] = (str(value.get("title", key)), str(value["url"]))
    raw_releases = data.get("releases")
    if not isinstance(raw_releases, Mapping) or not raw_releases:
        raise _fail(origin, "releases must be a non-empty mapping of version -> rules")
    releases: list[tuple[KubeVersion, tuple[Rule, ...]]] = []
    for key, listed in raw_releases.items():
        since = _version(str(key), origin, f"releases key {key!r}")
        if not isinstance(listed, list) or not listed:
            raise _fail(origin, f"releases.{key}: must be a non-empty list of rules")
        rules = tuple(_rule(item, since, sources, origin) for item in listed)
        ids = [rule.id for rule in rules]
        if len(set(ids)) != len(ids):
            raise _fail(origin, f"releases.{key}: a rule id is listed twice")
        releases.append((since, rules))
    releases.sort(key=lambda pair: pair[0])
    if len({since for since, _ in releases}) != len(releases):
        raise _fail(origin, "releases: the same release is keyed twice")

    raw_upgrade = data.get("upgrade")
    if not isinstance(raw_upgrade, Mapping):
        raise _fail(origin, "upgrade: missing")
    hop = _int(raw_upgrade, "control_plane_max_hop", origin, "upgrade")
    if hop < 1:
        raise _fail(origin, "upgrade.control_plane_max_hop must be at least 1")
    order = raw_upgrade.get("order") or []
    if not isinstance(order, list) or any(c not in COMPONENTS for c in order):
        raise _fail(origin, "upgrade.order must list components")
    citations = {
        str(key).removesuffix("_sources"): _citations(value, sources, origin, f"upgrade.{key}")
        for key, value in raw_upgrade.items() if str(key).endswith("_sources")
    }
    upgrade = UpgradePolicy(
        control_plane_max_hop=hop,
        order=tuple(order),
        kubelet_drain=bool(raw_upgrade.get("kubelet_drain", True)),
        kubelet_may_skip_minors=bool(raw_upgrade.get("kubelet_may_skip_minors", True)),
        citations=citations,
    )
    contradictions = tuple(
        Contradiction(str(item.get("id")), " ".join(str(item.get("text", "")).split()),
                      " ".join(str(item.get("resolution", "")).split()),
                      _citations(item.get("sources"), sources, origin, f"contradictions.{item.get('id')}"))
        for item in data.get("contradictions") or [] if isinstance(item, Mapping)
    )
    return Policy(tuple(releases), upgrade, contradictions, origin)


def _read_yaml(path: Path) -> Any:
    from pluto_py.core.userfiles import UserFileError, parse_user_yaml, read_user_text

    try:
        return parse_user_yaml(read_user_text(path, "skew policy"), str(path))
    except UserFileError as exc:
        raise PolicyError(str(exc)) from None


def builtin_policy_path() -> Path:
    from pluto_py.core.table import TableError, builtin_data_path

    try:
        return builtin_data_path(POLICY_FILE)
    except TableError as exc:
        raise PolicyError(str(exc)) from None


def load_policy_schema() -> dict[str, Any]:
    from pluto_py.core.table import TableError, builtin_data_path

    try:
        path = builtin_data_path(POLICY_SCHEMA_FILE)
    except TableError as exc:
        raise PolicyError(str(exc)) from None
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def validate_policy_data(data: Any, origin: str) -> None:
    """Validate parsed policy data against the JSON Schema (used for user-supplied policy files)."""
    from pluto_py.core.schemas import first_schema_problem

    problem = first_schema_problem(data, load_policy_schema(), separator=".")
    if problem is not None:
        raise PolicyError(f"{origin}: {problem}")


@cache
def load_builtin_policy() -> Policy:
    path = builtin_policy_path()
    return policy_from_data(_read_yaml(path), str(path))


def load_policy(path: Path | None = None) -> Policy:
    """The built-in policy, or a user's policy file (validated against the schema first)."""
    if path is None:
        return load_builtin_policy()
    data = _read_yaml(path)
    validate_policy_data(data, str(path))
    return policy_from_data(data, str(path))
