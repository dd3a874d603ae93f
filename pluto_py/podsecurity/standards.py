"""The Pod Security Standards facts, loaded from ``data/pod_security.yaml``.

``Standards.rule(control_id, version, release)`` is the version of a control in force at a policy
version (the newest ``since`` <= version), as the API server and admission code of ``release``
apply it, or None when the control does not apply yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from pluto_py.core.versions import KubeVersion, parse_version
from pluto_py.podsecurity.model import Level

DATA_FILE = "pod_security.yaml"
# Behaviours a rule gets from the release the API server runs (not written in the control's rows).
SECCOMP_ANNOTATIONS_COPIED = "annotations-copied-to-fields"
APPARMOR_FIELD = "apparmor-field"
SCHEMA_FILE = "pod_security.schema.json"


class StandardsError(ValueError):
    """The shipped data file is missing or broken: the installation is broken."""


@dataclass(frozen=True, slots=True)
class ControlRule:
    """One version of a control: what it allows from ``since`` on."""

    control: str
    level: Level
    since: KubeVersion
    allowed: frozenset[str]
    allowed_types: frozenset[str]
    behaviour: frozenset[str]
    source_url: str
    allowed_from_release: Mapping[str, KubeVersion]

    def allows(self, value: str) -> bool:
        """``value`` is allowed: listed, or under a listed ``prefix/*``."""
        return allowed_value(value, self.allowed)


def allowed_value(value: str, allowed: Iterable[str]) -> bool:
    """``value`` is one of ``allowed``, or under one of its ``prefix/*`` entries."""
    return any(value == item or (item.endswith("/*") and value.startswith(item[:-1])) for item in allowed)


@dataclass(frozen=True, slots=True)
class Releases:
    """The releases from ``first`` to ``last`` (None: still)."""

    first: KubeVersion
    last: KubeVersion | None

    def __contains__(self, release: object) -> bool:
        return isinstance(release, tuple) and self.first <= release and (self.last is None or release <= self.last)


@dataclass(frozen=True, slots=True)
class ControlFacts:
    id: str
    level: Level
    title: str
    overrides: tuple[str, ...]
    rules: tuple[ControlRule, ...]  # by `since`, ascending

    @property
    def since(self) -> KubeVersion:
        return self.rules[0].since


@dataclass(frozen=True, slots=True)
class PspMapping:
    baseline_capabilities: frozenset[str]
    restricted_capabilities: frozenset[str]
    baseline_forbidden_volumes: frozenset[str]
    restricted_volumes: frozenset[str]
    selinux_types: frozenset[str]
    proc_mount_types: frozenset[str]
    profile_annotations: tuple[tuple[str, Level], ...]  # (annotation, level when it is absent)
    allowed_profiles: tuple[str, ...]
    source_url: str


@dataclass(frozen=True, slots=True)
class Standards:
    controls: Mapping[str, ControlFacts]
    psp: PspMapping
    enabled_by_default_since: KubeVersion
    psp_removed_in: KubeVersion
    invalid_enforce_level: Level
    read: str
    seccomp_annotations_copied: Releases
    apparmor_field: Releases

    def rule(self, control: str, version: KubeVersion, release: KubeVersion | None = None) -> ControlRule | None:
        """The control's version at policy ``version``, applied by ``release`` (default: ``version``)."""
        release = version if release is None else release
        chosen = None
        for rule in self.controls[control].rules:
            if rule.since <= version:
                chosen = rule
        if chosen is None:
            return None
        behaviour = set(chosen.behaviour)
        if release in self.seccomp_annotations_copied:
            behaviour.add(SECCOMP_ANNOTATIONS_COPIED)
        if release in self.apparmor_field:
            behaviour.add(APPARMOR_FIELD)
        allowed = chosen.allowed | {value for value, first in chosen.allowed_from_release.items() if first <= release}
        return replace(chosen, allowed=allowed, behaviour=frozenset(behaviour))


def standards_from_data(data: Any, origin: str) -> Standards:
    """Build the records from validated data. Raises StandardsError on what the schema cannot say."""
    sources = {key: value["url"] for key, value in data["sources"].items()}

    def url(source: Mapping[str, str]) -> str:
        if source["source"] not in sources:
            raise StandardsError(f"{origin}: unknown source {source['source']!r}")
        base = sources[source["source"]]
        return f"{base}/{source['file']}" if "file" in source else base

    controls: dict[str, ControlFacts] = {}
    for entry in data["controls"]:
        level = Level[entry["level"].upper()]
        rules = tuple(ControlRule(
            control=entry["id"], level=level, since=parse_version(row["since"]),
            allowed=frozenset(row.get("allowed", ())), allowed_types=frozenset(row.get("allowed_types", ())),
            behaviour=frozenset(row.get("behaviour", ())), source_url=url(row["source"]),
            allowed_from_release={k: parse_version(v) for k, v in row.get("allowed_from_release", {}).items()})
            for row in entry["versions"])
        if list(rules) != sorted(rules, key=lambda rule: rule.since) or len({r.since for r in rules}) != len(rules):
            raise StandardsError(f"{origin}: control {entry['id']}: versions must be in increasing order")
        if entry["id"] in controls:
            raise StandardsError(f"{origin}: control {entry['id']} listed twice")
        controls[entry["id"]] = ControlFacts(entry["id"], level, entry["title"], tuple(entry.get("overrides", ())),
                                             rules)
    for facts in controls.values():
        for name in facts.overrides:
            if name not in controls or controls[name].level != Level.BASELINE or facts.level != Level.RESTRICTED:
                raise StandardsError(f"{origin}: control {facts.id}: only a restricted control may override a "
                                     f"baseline one ({name})")
    mapping = data["psp_mapping"]
    psp = PspMapping(
        baseline_capabilities=frozenset(mapping["baseline_capabilities"]),
        restricted_capabilities=frozenset(mapping["restricted_capabilities"]),
        baseline_forbidden_volumes=frozenset(mapping["baseline_forbidden_volumes"]),
        restricted_volumes=frozenset(mapping["restricted_volumes"]),
        selinux_types=frozenset(mapping["selinux_types"]),
        proc_mount_types=frozenset(mapping["proc_mount_types"]),
        profile_annotations=tuple((item["annotation"], Level[item["when_absent"].upper()])
                                  for item in mapping["profile_annotations"]),
        allowed_profiles=tuple(mapping["allowed_profiles"]),
        source_url=sources[mapping["source"]],
    )
    admission = data["admission"]

    def releases(entry: Mapping[str, Any]) -> Releases:
        return Releases(parse_version(entry["first"]), parse_version(entry["last"]) if "last" in entry else None)

    api_server = data["api_server"]
    return Standards(controls, psp, parse_version(admission["enabled_by_default_since"]),
                     parse_version(admission["psp_removed_in"]),
                     Level[admission["invalid_enforce_level"].upper()], str(data["read"]),
                     releases(api_server["seccomp_annotations_copied"]), releases(api_server["apparmor_field"]))


@cache
def load_standards() -> Standards:
    """The shipped standards (validated against the schema by the test-suite)."""
    from pluto_py.core.table import TableError, builtin_data_path
    from pluto_py.core.userfiles import UserFileError, parse_user_yaml, read_user_text

    try:
        path = builtin_data_path(DATA_FILE)
        data = parse_user_yaml(read_user_text(path, "Pod Security Standards data"), str(path))
    except (TableError, UserFileError) as exc:
        raise StandardsError(str(exc)) from None
    return standards_from_data(data, str(path))
