"""Benchmark `kdeprecate scan --audit-log` against parsing every line with json.loads.

    python benchmarks/audit_log.py                 # a 100 MB log (quick)
    python benchmarks/audit_log.py --size-mb 1024  # the 1 GB case of docs/performance.md

A log of audit.k8s.io/v1 events (benchmarks/audit_corpus.py, fixed seed: kubelets, leases, controllers,
Prometheus, Argo CD, kubectl; Metadata and Request levels; every stage) is written to a temporary
directory, with ``--deprecated`` (default 1 %) of the requests calling APIs removed in 1.25. In the
same run, page cache warm, each is timed ``--repeat`` times (the best run: these machines are
shared, and other work only ever adds time):

* ``kdeprecate scan --audit-log LOG --target 1.25`` in this process, through the scan pipeline (the
  ``audit-log`` source, pluto_py/sources/audit.py, and the judge: what the command spends beyond its
  start-up);
* the straightforward reader: every line through ``json.loads`` (nothing else);

and the peak memory of the CLI on the log (child's ru_maxrss) at two sizes, to show it stays flat.
Target (issue 14): the reader >= 5x faster than json.loads of every line. The log is removed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.audit_corpus import generate  # noqa: E402

TARGET_RATIO = 5.0


def _best_time(work: Callable[[], object], repeat: int) -> tuple[float, object]:
    times = []
    result: object = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def _json_every_line(path: str) -> int:
    parsed = 0
    with open(path, "rb") as log:
        for line in log:
            json.loads(line)
            parsed += 1
    return parsed


def _peak_rss_mib(path: str) -> float:
    """Peak memory (MiB) of `kdeprecate scan --audit-log PATH` in a child process."""
    code = ("import resource, sys\nfrom pluto_py.cli import main\n"
            "try:\n    main(['scan', '--audit-log', sys.argv[1], '--target', '1.25', '-o', 'json'])\n"
            "except SystemExit:\n    pass\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, check=False,
                          cwd=ROOT, env=dict(os.environ, NO_COLOR="1"))
    return int(done.stdout.strip().splitlines()[-1]) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=100.0, help="log size in MB (default 100; 1024 for 1 GB)")
    parser.add_argument("--deprecated", type=float, default=0.01, help="share of requests to deprecated APIs")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each reader (the best counts)")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory comparison")
    args = parser.parse_args(argv)

    from pluto_py.core.table import load_table
    from pluto_py.core.versions import parse_version
    from pluto_py.pipeline.judge import Targets
    from pluto_py.pipeline.run import ScanRequest, run_scan
    from pluto_py.sources.audit import AuditLogSettings

    table = load_table()
    targets = Targets(parse_version("1.25"))
    with tempfile.TemporaryDirectory(prefix="kdeprecate-audit-bench-") as tmp:
        log = os.path.join(tmp, "audit.log")
        info = generate(log, int(args.size_mb * 1_000_000), args.deprecated)
        print(f"log: {info['bytes'] / 1e6:,.0f} MB, {info['lines']:,} lines, {info['requests']:,} requests, "
              f"{info['deprecated_requests']:,} to deprecated APIs ({args.deprecated:.1%})")
        request = ScanRequest(paths=[], targets=targets, settings={"audit-log": AuditLogSettings((log,))})
        ours, run = _best_time(lambda: run_scan(request, table).result, args.repeat)
        naive, parsed = _best_time(lambda: _json_every_line(log), args.repeat)
        counted = sum(f.usage.count or 0 for f in run.findings if f.usage)  # type: ignore[attr-defined]
        assert counted == info["deprecated_requests"], (counted, info)
        assert parsed == info["lines"]
        ratio = naive / ours
        print(f"{'kdeprecate audit-log reader':<34} {ours:8.2f} s  ({info['bytes'] / 1e6 / ours:,.0f} MB/s)")
        print(f"{'json.loads of every line':<34} {naive:8.2f} s  ({info['bytes'] / 1e6 / naive:,.0f} MB/s)")
        print(f"{'json.loads / kdeprecate':<34} {ratio:8.2f}x  (target >= {TARGET_RATIO:g}x)")
        failed = ratio < TARGET_RATIO
        if not args.no_memory:
            small = os.path.join(tmp, "small.log")
            generate(small, int(args.size_mb * 1_000_000 / 4), args.deprecated)
            big_rss, small_rss = _peak_rss_mib(log), _peak_rss_mib(small)
            print(f"{'peak memory, log / (log / 4)':<34} {big_rss / small_rss:8.2f}  "
                  f"({big_rss:.0f} MiB vs {small_rss:.0f} MiB)")
    print(f"own peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
