"""Run one kdeprecate scan and push its `-o prometheus` report to a Pushgateway.

Usage: python3 scan_and_push.py scan --cluster [kdeprecate scan arguments...]

The chart's CronJob runs this in the kdeprecate image (Python standard library only). The report
goes to the Pushgateway at $PUSHGATEWAY_URL with PUT, which replaces the previous report of the
same grouping key (job=$PUSHGATEWAY_JOB, cluster=$PUSHGATEWAY_CLUSTER): objects that were fixed
disappear from the metrics. The scan's own text report goes to the log.

Exit code: 0 when the scan was complete, whatever it found (findings are data, not a failed Job);
kdeprecate's 2 when the scan was incomplete or could not run (the report, if any, is still pushed:
kdeprecate_scan_errors says so); 3 when the push failed.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
TIMEOUT_SECONDS = 30
MAX_REPORT_BYTES = 16 * 1024 * 1024
EXIT_PUSH_FAILED = 3
_PLAIN = re.compile(r"[A-Za-z0-9_.:-]+")


def grouping_path(job: str, labels: dict[str, str]) -> str:
    """/metrics/job/<job>[/<label>/<value>...]; values that are not plain are sent base64url (``@base64``)."""
    parts = ["metrics"]
    for name, value in [("job", job), *sorted(labels.items())]:
        if _PLAIN.fullmatch(value):
            parts += [name, value]
        else:  # '/' and friends cannot go in a path segment; an empty value is '=' in base64
            parts += [f"{name}@base64", base64.urlsafe_b64encode(value.encode("utf-8")).decode("ascii") or "="]
    return "/" + "/".join(parts)


def _host(parsed: urllib.parse.SplitResult) -> str:
    """host[:port] of a URL, without credentials."""
    host = parsed.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return host if parsed.port is None else f"{host}:{parsed.port}"


def push_request(base_url: str, job: str, labels: dict[str, str], body: bytes) -> urllib.request.Request:
    """A PUT of ``body`` to the Pushgateway; credentials in the URL become a Basic authorization header."""
    parsed = urllib.parse.urlsplit(base_url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValueError("PUSHGATEWAY_URL must be an http:// or https:// URL")
    url = urllib.parse.urlunsplit((parsed.scheme, _host(parsed), parsed.path.rstrip("/") + grouping_path(job, labels),
                                   "", ""))
    headers = {"Content-Type": CONTENT_TYPE}
    if parsed.username is not None:
        user = urllib.parse.unquote(parsed.username)
        password = urllib.parse.unquote(parsed.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    return urllib.request.Request(url, data=body, headers=headers, method="PUT")


def shown(url: str) -> str:
    """The URL without credentials, for the log."""
    try:
        parsed = urllib.parse.urlsplit(url)
        return urllib.parse.urlunsplit((parsed.scheme, _host(parsed), parsed.path, "", ""))
    except ValueError:  # e.g. a port that is not a number
        return "(unparsable URL)"


def push(base_url: str, job: str, labels: dict[str, str], body: bytes) -> str | None:
    """Push the report; None on success, else one line saying why not."""
    try:
        request = push_request(base_url, job, labels, body)
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(4096)
    except ValueError as exc:
        return str(exc)
    except urllib.error.HTTPError as exc:
        detail = "".join(c if c.isprintable() else " " for c in exc.read(300).decode("utf-8", "replace")).strip()
        return f"Pushgateway {shown(base_url)} answered {exc.code}" + (f": {detail}" if detail else "")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"cannot reach Pushgateway {shown(base_url)}: {reason}"
    return None


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="kdeprecate-") as directory:
        report = os.path.join(directory, "kdeprecate.prom")
        command = ["kdeprecate", *argv, "-o", "prometheus", "--output-file", report]
        try:
            code = subprocess.run(command, check=False).returncode
        except OSError as exc:
            print(f"scan_and_push: cannot run kdeprecate: {exc.strerror or exc}", file=sys.stderr)
            return 2
        status = 0 if code in (0, 1) else code
        try:
            with open(report, "rb") as handle:
                body = handle.read(MAX_REPORT_BYTES + 1)
        except FileNotFoundError:
            return status  # kdeprecate could not start the scan and said why
        if len(body) > MAX_REPORT_BYTES:
            print(f"scan_and_push: report larger than {MAX_REPORT_BYTES} bytes, not pushed", file=sys.stderr)
            return EXIT_PUSH_FAILED
    url = os.environ.get("PUSHGATEWAY_URL", "").strip()
    if not url:
        return status
    job = os.environ.get("PUSHGATEWAY_JOB", "") or "kdeprecate"
    cluster = os.environ.get("PUSHGATEWAY_CLUSTER", "")
    failure = push(url, job, {"cluster": cluster} if cluster else {}, body)
    if failure is not None:
        print(f"scan_and_push: {failure}", file=sys.stderr)
        return EXIT_PUSH_FAILED
    print(f"scan_and_push: pushed {len(body)} bytes to {shown(url)} (job={job}"
          + (f", cluster={cluster})" if cluster else ")"))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
