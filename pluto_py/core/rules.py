"""Every rule code kdeprecate reports, in one registry: finding statuses and notice codes.

Each rule has a stable code (what users suppress, filter and search for), a default level, a short
text, a help text and an anchor in docs/rules.md. Reporters read it all from here (SARIF's rules
array and helpUri, GitHub annotation titles, JUnit failure types, text and markdown codes), so a
code that is not registered is a bug: ``rule()`` raises, and tests/test_rules.py checks that every
code the sources emit is registered and documented.

Adding a code (a new notice, a check of another command): one ``Rule(...)`` line in ``RULES`` below,
and its section in docs/rules.md (``## <code>``).
"""

from __future__ import annotations

from typing import NamedTuple

from pluto_py.core.model import STATUS_DEPRECATED, STATUS_REMOVED

RULES_DOC = "docs/rules.md"
RULES_DOC_URL = "https://github.com/kdeprecate/kdeprecate/blob/main/docs/rules.md"

LEVEL_ERROR = "error"
LEVEL_WARNING = "warning"
LEVEL_NOTE = "note"


class UnknownRuleError(KeyError):
    """A code that is not in RULES: a bug (every code kdeprecate emits must be registered)."""


class Rule(NamedTuple):
    code: str
    level: str  # default level: error, warning or note (SARIF's defaultConfiguration)
    short: str  # one sentence: what happened
    help: str  # what it means and what to do

    @property
    def anchor(self) -> str:
        """Its section in docs/rules.md (`## <code>`)."""
        return self.code

    @property
    def help_uri(self) -> str:
        return f"{RULES_DOC_URL}#{self.anchor}"

    @property
    def name(self) -> str:
        """PascalCase, as SARIF names rules: RemovedApi."""
        return "".join(part.capitalize() for part in self.code.split("-"))


_RULES: tuple[Rule, ...] = (
    Rule("removed-api", LEVEL_ERROR,
         "An object uses an API version that the target release no longer serves.",
         "The API server of the target release rejects this apiVersion: applying the manifest fails, and a Helm "
         "release that contains it cannot be upgraded. Move the object to the replacement apiVersion (while the "
         "current cluster still serves both, when the replacement is available there) and apply the field changes "
         "the migration needs; `kdeprecate fix` rewrites many of them. Suppress a deliberate use with "
         "`# kdeprecate: ignore[removed] reason` on or above the apiVersion line."),
    Rule("deprecated-api", LEVEL_WARNING,
         "An object uses an API version that is deprecated at the target release.",
         "The API version still works at the target release but is scheduled for removal; the API server answers "
         "each request with a deprecation warning. Migrate before the release that removes it. Suppress with "
         "`# kdeprecate: ignore[deprecated] reason` on or above the apiVersion line."),
    Rule("unused-suppression", LEVEL_WARNING,
         "A kdeprecate suppression comment silences nothing.",
         "No finding at the scanned target(s) is on the line this `# kdeprecate: ignore` comment applies to (or in "
         "the file, for `ignore-file`). Remove the stale comment so that it cannot hide a future finding."),
    Rule("invalid-suppression", LEVEL_WARNING,
         "A kdeprecate comment cannot be understood.",
         "Use `# kdeprecate: ignore`, `# kdeprecate: ignore[removed]`, `# kdeprecate: ignore[deprecated]` or "
         "`# kdeprecate: ignore-file` (on a line of its own), optionally followed by a reason."),
    Rule("chart-template", LEVEL_NOTE,
         "A Helm chart template was scanned through its chart.",
         "Templates are Go templates, not YAML: kdeprecate renders the chart they belong to instead of parsing "
         "the template file alone."),
    Rule("not-a-manifest", LEVEL_NOTE,
         "A file that is not a Kubernetes manifest and not plain YAML or JSON was skipped.",
         "The file has no top-level apiVersion and kind, and it does not parse as YAML or JSON (JSON with "
         "comments such as tsconfig.json or .vscode/settings.json, Jinja or Ansible YAML, a Go template outside "
         "a chart): it cannot hold a Kubernetes object, so it is not an error and does not fail the scan. A file "
         "that does look like a manifest and does not parse is still an error."),
    Rule("manifest-template", LEVEL_NOTE,
         "A templated manifest (Go or Jinja syntax) was read statically.",
         "The file looks like a manifest but holds template syntax, so it is not YAML: kdeprecate reads the "
         "apiVersion and kind it writes literally, as it reads a chart without Helm. Findings get source "
         "`template` (`fix` does not rewrite templates), and those inside if/with/range blocks are marked "
         "`conditional`. apiVersions computed by the template are not seen: scan the rendered output for them."),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}

# The rule of a finding, by its status.
FINDING_RULES: dict[str, str] = {STATUS_REMOVED: "removed-api", STATUS_DEPRECATED: "deprecated-api"}


def rule(code: str) -> Rule:
    """The registered rule of ``code``. Raises UnknownRuleError."""
    try:
        return RULES[code]
    except KeyError:
        raise UnknownRuleError(f"rule code {code!r} is not registered in pluto_py/core/rules.py") from None


def finding_rule(status: str) -> Rule:
    """The rule of a finding of ``status`` (removed, deprecated). Raises UnknownRuleError."""
    try:
        return RULES[FINDING_RULES[status]]
    except KeyError:
        raise UnknownRuleError(f"finding status {status!r} has no rule in pluto_py/core/rules.py") from None
