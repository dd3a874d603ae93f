"""`kdeprecate list-versions --addons`: the add-on support data (pluto_py.addons), for people (text) and scripts
(json)."""

from __future__ import annotations

import json
from typing import Any

from pluto_py.addons.support import AddonSupport


def support_entries(support: AddonSupport) -> list[dict[str, Any]]:
    """One entry per add-on version range (or per add-on, for a rule or no matrix)."""
    entries: list[dict[str, Any]] = []
    for addon in support.addons:
        base = {"addon": addon.name, "title": addon.title, "images": list(addon.images)}
        if addon.matrix:
            entries.extend({**base, "versions": row.versions, "kubernetes": row.kubernetes, "rule": "matrix",
                            "source": row.source, "note": ""} for row in addon.matrix)
        else:
            rule = addon.rule or "none"
            entries.append({**base, "versions": "*", "kubernetes": None, "rule": rule, "source": addon.source,
                            "note": addon.no_matrix or addon.note})
    return entries


def render_support(support: AddonSupport, output: str) -> str:
    entries = support_entries(support)
    if output == "json":
        return json.dumps({"schema_version": 1, "read_on": support.read_on, "addons": entries}, indent=2) + "\n"
    if output != "text":
        raise ValueError(f"--output: list-versions supports text or json, not {output!r}")
    headers = ["ADD-ON", "VERSIONS", "KUBERNETES", "SOURCE"]
    rows = [[e["addon"], e["versions"], e["kubernetes"] or _rule_text(e["rule"]), e["source"]] for e in entries]
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in [headers, *rows]]
    return "\n".join([*lines, f"(sources read on {support.read_on})"]) + "\n"


def _rule_text(rule: str) -> str:
    return {"same-minor": "same minor as the cluster", "skew-policy": "version skew policy"}.get(
        rule, "no published matrix")
