"""Waivers (accepted risks in the configuration) and baselines (checks a previous report already had).

`.kdeprecate.yaml`:

    preflight:
      waivers:
        - id: pod-without-controller
          object: Pod/batch/*            # kind/namespace/name (kind/name when cluster-scoped), or a glob
          owner: team-batch
          reason: one-off migration pods, deleted before the node rollout
          expires: 2027-01-31            # the last day it applies

A waiver silences the checks it matches until it expires. An expired waiver silences nothing and
is itself a finding (``waiver-expired``); a waiver on ``api-removed`` silences nothing either
(``waiver-not-allowed``): the target's API server rejects the object whatever anyone accepted.
A waiver that matches nothing is noted (``waiver-unused``) so that stale ones get cleaned up.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from pluto_py.preflight.checks.api_versions import API_REMOVED
from pluto_py.preflight.model import INFO, WARNING, Check, ObjectRef, Rule, Waiver

WAIVER_EXPIRED = "waiver-expired"
WAIVER_NOT_ALLOWED = "waiver-not-allowed"
WAIVER_UNUSED = "waiver-unused"
UNWAIVABLE = frozenset({API_REMOVED})


class WaiverError(ValueError):
    """A waiver or baseline that cannot be used; the message names the file."""


def waivers_from_config(section: Any, origin: str) -> list[Waiver]:
    """Waivers from the (schema-validated) ``preflight`` section of a configuration file."""
    if not isinstance(section, Mapping):
        return []
    found: list[Waiver] = []
    for index, raw in enumerate(section.get("waivers") or []):
        where = f"{origin}: preflight/waivers/{index}"
        raw_expires = raw["expires"]
        if isinstance(raw_expires, date):  # an unquoted YAML date
            expires = date(raw_expires.year, raw_expires.month, raw_expires.day).isoformat()
        else:
            expires = str(raw_expires)
            try:
                date.fromisoformat(expires)
            except ValueError:
                raise WaiverError(f"{where}: expires: {expires!r} is not a date (YYYY-MM-DD)") from None
        found.append(Waiver(str(raw["id"]), str(raw["object"]), str(raw["owner"]), str(raw["reason"]), expires,
                            where))
    return found


def _matches(waiver: Waiver, check: Check) -> bool:
    return fnmatchcase(check.id, waiver.id) and fnmatchcase(check.object.ref, waiver.object)


def _waiver_check(rule_id: str, severity: str, waiver: Waiver, message: str, fix: str) -> Check:
    path, _, _ = waiver.origin.partition(": ")
    return Check(id=rule_id, severity=severity, object=ObjectRef("Waiver", f"{waiver.id} {waiver.object}", path=path),
                 message=message, fix=fix,
                 evidence={"waiver": waiver.origin, "owner": waiver.owner, "reason": waiver.reason,
                           "expires": waiver.expires},
                 key=("expires",))


def apply_waivers(checks: Sequence[Check], waivers: Iterable[Waiver], today: date) -> tuple[list[Check], list[Check]]:
    """(checks with their waivers, checks about the waivers themselves)."""
    result = list(checks)
    about: list[Check] = []
    for waiver in waivers:
        matching = [i for i, check in enumerate(result) if _matches(waiver, check)]
        if date.fromisoformat(waiver.expires) < today:
            about.append(_waiver_check(
                WAIVER_EXPIRED, WARNING, waiver,
                f"waiver for {waiver.id} on {waiver.object} (owner {waiver.owner}) expired on {waiver.expires}; "
                f"it silences nothing now ({len(matching)} check(s) match it)",
                f"fix what it waived, or ask {waiver.owner} to renew it with a new date and reason"))
            continue
        refused = [i for i in matching if result[i].id in UNWAIVABLE]
        if refused:
            about.append(_waiver_check(
                WAIVER_NOT_ALLOWED, WARNING, waiver,
                f"waiver for {waiver.id} on {waiver.object} cannot silence api-removed: the target's API server "
                "rejects the object, whatever was accepted",
                "migrate the object (kdeprecate fix) and remove the waiver"))
        applied = [i for i in matching if result[i].id not in UNWAIVABLE]
        for i in applied:
            if result[i].waived_by is None:
                result[i] = result[i].with_waiver(waiver)
        if not matching:
            about.append(_waiver_check(
                WAIVER_UNUSED, INFO, waiver,
                f"waiver for {waiver.id} on {waiver.object} (owner {waiver.owner}) matches no check",
                "remove it from the configuration if what it waived is gone"))
    return result, about


def load_baseline(path: Path) -> frozenset[str]:
    """The check fingerprints of a previous `kdeprecate preflight -o json` report."""
    from pluto_py.core.userfiles import UserFileError, read_user_text

    try:
        text = read_user_text(path, "baseline report")
    except UserFileError as exc:
        raise WaiverError(str(exc)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WaiverError(f"{path}: baseline is not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(data, dict) or data.get("schema_version") != 1 or not isinstance(data.get("checks"), list):
        raise WaiverError(f"{path}: not a preflight report (expected `kdeprecate preflight -o json` output with "
                          "schema_version 1 and a checks list)")
    fingerprints: set[str] = set()
    for index, check in enumerate(data["checks"]):
        fingerprint = check.get("fingerprint") if isinstance(check, dict) else None
        if not isinstance(fingerprint, str) or not fingerprint:
            raise WaiverError(f"{path}: checks[{index}] has no fingerprint")
        fingerprints.add(fingerprint)
    return frozenset(fingerprints)


RULES = (
    Rule(WAIVER_EXPIRED, WARNING),
    Rule(WAIVER_NOT_ALLOWED, WARNING),
    Rule(WAIVER_UNUSED, INFO),
)
