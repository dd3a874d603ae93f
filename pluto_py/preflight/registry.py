"""The registry of preflight rules: one explicit, ordered list.

The order is the worklist's order within a severity (what to fix first). A module may define
several rules from one pass over the inputs: its first rule carries the runner, the others have
``run=None``. Add-on and Pod Security checks come from those parts of kdeprecate through
pluto_py.preflight.sources_of_checks; waiver rules are produced when waivers apply. Every id is a
code of the rule registry (pluto_py/core/rules.py), which holds its texts.
"""

from __future__ import annotations

from pluto_py.preflight import sources_of_checks, waivers
from pluto_py.preflight.checks import api_versions, eol, flags, node_runtime, pdb, pods, skew, webhooks
from pluto_py.preflight.model import Rule

RULES: tuple[Rule, ...] = (
    *api_versions.RULES,
    *skew.RULES,
    *node_runtime.RULES,
    *flags.RULES,
    *webhooks.RULES,
    *sources_of_checks.RULES,
    *pdb.RULES,
    *pods.RULES,
    *eol.RULES,
    *waivers.RULES,
)

RULE_ORDER = {rule.id: index for index, rule in enumerate(RULES)}


def rule_of(rule_id: str) -> Rule | None:
    return next((r for r in RULES if r.id == rule_id), None)
