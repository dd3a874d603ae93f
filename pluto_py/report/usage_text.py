"""Text for usage findings (audit logs, API server metrics): grouped by client, user and user agent,
since a client is what a team finds and fixes. User names and agents come from the logs: any control
character in them is shown escaped, never sent to the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from pluto_py.core.model import STATUS_REMOVED, Finding
from pluto_py.report import ReportContext, fails
from pluto_py.report.common import advice, plural

_RED, _YELLOW, _BOLD, _RESET = "\033[31m", "\033[33m", "\033[1m", "\033[0m"


def printable(text: str) -> str:
    """``text`` with control and other non-printable characters escaped (``\\x1b``, ``\\u2028``)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def _client(finding: Finding) -> tuple[str, str]:
    usage = finding.usage
    assert usage is not None
    return (usage.user or "", usage.user_agent or "")


def _heading(user: str, agent: str, findings: Sequence[Finding]) -> str:
    if not user and not agent and all(f.usage is not None and f.usage.count is None for f in findings):
        return "API server metrics (calls since the server started; the callers are not recorded):"
    who = printable(user) if user else "<no user>"
    return f"client {who}" + (f" (user agent {printable(agent)})" if agent else "") + ":"


def _line(finding: Finding, context: ReportContext) -> str:
    usage = finding.usage
    assert usage is not None
    status = finding.status
    if context.color:
        colour = _RED if status == STATUS_REMOVED or fails(status, context.fail_on) else _YELLOW
        status = f"{colour}{status}{_RESET}"
    what = f"{finding.api_version} {usage.resource}"
    if usage.subresource:
        what += f" ({printable(usage.subresource)})"
    what += f" [{finding.kind}]"
    if usage.count is not None:
        calls = plural(usage.count, "request")
        if usage.verbs:
            calls += f" ({printable(', '.join(usage.verbs))})"
        if usage.first_seen and usage.last_seen:
            calls += f" {usage.first_seen} .. {usage.last_seen}"
    else:
        calls = "requested"
    where = printable(finding.path) if finding.line is None else f"{printable(finding.path)}:{finding.line}"
    return f"  {where}: {status}: {what}: {calls}: {advice(finding)}"


def usage_blocks(findings: Sequence[Finding], context: ReportContext) -> list[str]:
    """One block per client, clients calling removed APIs and calling most often first."""
    clients: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        clients.setdefault(_client(finding), []).append(finding)

    def weight(item: tuple[tuple[str, str], list[Finding]]) -> tuple[int, int, str, str]:
        (user, agent), entries = item
        removed = sum(f.status == STATUS_REMOVED for f in entries)
        calls = sum(f.usage.count or 0 for f in entries if f.usage is not None)
        return (-removed, -calls, user, agent)

    blocks = []
    for (user, agent), entries in sorted(clients.items(), key=weight):
        entries.sort(key=lambda f: (f.status != STATUS_REMOVED, f.api_version, f.usage.resource if f.usage else ""))
        heading = _heading(user, agent, entries)
        if context.color:
            heading = f"{_BOLD}{heading}{_RESET}"
        blocks.append("\n".join([heading, *(_line(f, context) for f in entries)]))
    return blocks
