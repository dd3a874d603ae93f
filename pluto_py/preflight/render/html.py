"""`-o html`: one self-contained page for change tickets: summary, verdict, worklist with filters,
and a per-namespace view.

No external resource and no network: inline CSS and a small inline script (filters by severity,
namespace and check id), and a Content-Security-Policy that forbids loading anything. Every text
from the inputs is escaped; source URLs are shown as text, not links.
"""

from __future__ import annotations

from html import escape

from pluto_py.preflight.model import SEVERITIES, Check
from pluto_py.preflight.render.text import headline
from pluto_py.preflight.run import PreflightReport, group_by_owner
from pluto_py.report.escape import printable

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1b1f24}
h1{font-size:1.4rem}.verdict{padding:.2rem .6rem;border-radius:.3rem;color:#fff}
.blocked{background:#b42318}.risky{background:#b54708}.ready{background:#067647}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #d0d5dd;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f2f4f7}.sev-blocker{color:#b42318;font-weight:600}
.sev-warning{color:#b54708}.sev-info{color:#475467}code{font-size:.9em}.filters label{margin-right:1rem}
.ev{color:#475467;font-size:.85em}dl{margin:0}
"""
SCRIPT = """
(function(){
  var ids=['f-severity','f-namespace','f-check'];
  function apply(){
    var v={};ids.forEach(function(i){v[i]=document.getElementById(i).value;});
    document.querySelectorAll('tr.check').forEach(function(row){
      var ok=(!v['f-severity']||row.dataset.severity===v['f-severity'])&&
             (!v['f-namespace']||row.dataset.namespace===v['f-namespace'])&&
             (!v['f-check']||row.dataset.check===v['f-check']);
      row.style.display=ok?'':'none';
    });
  }
  ids.forEach(function(i){document.getElementById(i).addEventListener('change',apply);});
})();
"""


def _e(text: object) -> str:
    return escape(printable("" if text is None else str(text)), quote=True)


def _options(element_id: str, label: str, values: list[str], shown: dict[str, str] | None = None) -> str:
    options = "".join(f'<option value="{_e(v)}">{_e((shown or {}).get(v, v))}</option>' for v in values)
    return (f'<label>{_e(label)} <select id="{element_id}"><option value="">all</option>{options}</select>'
            "</label>")


def _row(check: Check) -> str:
    evidence = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in check.evidence.items() if v is not None)
    where = f"<br><span class=ev>{_e(check.object.path)}:{_e(check.object.line)}</span>" if check.object.path else ""
    marks = []
    if check.waived_by is not None:
        marks.append(f"waived by {_e(check.waived_by.owner)} until {_e(check.waived_by.expires)}: "
                     f"{_e(check.waived_by.reason)}")
    if check.in_baseline:
        marks.append("in baseline")
    mark = f"<br><em>{'; '.join(marks)}</em>" if marks else ""
    return (f'<tr class="check" data-severity="{_e(check.severity)}" data-namespace="{_e(check.object.owner)}" '
            f'data-check="{_e(check.id)}"><td class="sev-{_e(check.severity)}">{_e(check.severity)}</td>'
            f"<td><code>{_e(check.id)}</code></td><td><code>{_e(check.object.ref)}</code>{where}</td>"
            f"<td>{_e(check.message)}{mark}</td><td>{_e(check.fix)}</td>"
            f'<td><details><summary>evidence</summary><dl class="ev">{evidence}</dl></details></td></tr>')


def _table(checks: list[Check]) -> str:
    head = "<tr><th>Severity</th><th>Check</th><th>Object</th><th>What</th><th>Fix</th><th>Evidence</th></tr>"
    return f"<table>{head}{''.join(_row(c) for c in checks)}</table>"


def render(report: PreflightReport, tool_version: str, fail_on: str) -> str:
    summary = report.summary()
    checks = list(report.checks)
    namespaces = sorted({c.object.owner for c in checks})
    ids = list(dict.fromkeys(c.id for c in checks))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>{_e(headline(report))}</title><style>{STYLE}</style></head><body>",
        f'<h1>Upgrade preflight <span class="verdict {_e(report.verdict)}">{_e(report.verdict.upper())}</span></h1>',
        f"<p>{_e(headline(report))}</p>",
        "<table><tr><th>Target</th><th>From</th><th>Blockers</th><th>Warnings</th><th>Info</th><th>Waived</th>"
        "<th>Objects</th><th>Input errors</th></tr>"
        f"<tr><td>{_e(report.target)}</td><td>{_e(report.from_version or 'not given')}</td>"
        f"<td>{summary['blockers']}</td><td>{summary['warnings']}</td><td>{summary['info']}</td>"
        f"<td>{summary['waived']}</td><td>{summary['objects']}</td><td>{summary['errors']}</td></tr></table>",
    ]
    if report.errors:
        parts.append("<h2>Not read (the preflight is incomplete)</h2><ul>")
        parts += [f"<li><code>{_e(e.path)}{':' + _e(e.line) if e.line else ''}</code>: {_e(e.message)}</li>"
                  for e in report.errors]
        parts.append("</ul>")
    parts += [
        "<h2>Worklist</h2>",
        '<div class="filters">',
        _options("f-severity", "Severity", [s for s in SEVERITIES if any(c.severity == s for c in checks)]),
        _options("f-namespace", "Namespace", namespaces, {"": "(cluster-scoped)"}),
        _options("f-check", "Check", ids),
        "</div>",
        _table(checks) if checks else "<p>Nothing to fix before this upgrade.</p>",
        "<h2>By namespace</h2>",
    ]
    for owner, group in group_by_owner(checks).items():
        title = f"Namespace {owner}" if owner else "Cluster-scoped"
        parts.append(f'<section><h3>{_e(title)} ({len(group)})</h3>{_table(group)}</section>')
    parts += [f"<p class=ev>kdeprecate {_e(tool_version)}; fails on {_e(fail_on)}.</p>",
              f"<script>{SCRIPT}</script></body></html>"]
    return "\n".join(parts) + "\n"
