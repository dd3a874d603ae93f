"""Benchmark kdeprecate against a full libyaml parse and against reading the bytes.

    python -m pip install -e '.[test]'   # PyYAML (with libyaml) is a test dependency
    python benchmarks/run.py             # 4,000 files (~10 MB); --help for options

Everything is measured in the same run, on the same files, as the wall time of a child process
(what a user waits for; the median of --repeat runs, page cache warm):

* ``kdeprecate scan CORPUS --target 1.22 -o json``;
* a full parse of every document with PyYAML's C loader (``yaml.load_all(..., Loader=CSafeLoader)``,
  the straightforward approach), in one Python process;
* ``cat`` of every file (reading the bytes);
* peak memory (the child's ru_maxrss) of the scan at two corpus sizes;
* ``kdeprecate scan`` of one small file against ``python -c "import typer"`` (the CLI framework's floor).

The package is byte-compiled first (as ``pip install`` does; typer's bytecode is installed with it).

The corpus (benchmarks/corpus.py, fixed seed) is written to a temporary directory and removed.
Targets (issue 7): scan >= 4x faster than libyaml, <= 10x the time of cat, flat memory, one-file
scan <= 1.5x import typer. These machines are noisy: compare the ratios, and rerun when in doubt.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import CorpusInfo, generate

ROOT = Path(__file__).resolve().parent.parent
SMALL_FILE = ROOT / "fixtures" / "shop" / "pdb.yaml"

LIBYAML_SCRIPT = """
import sys, time, yaml
if not getattr(yaml, "__with_libyaml__", False):
    sys.exit("PyYAML was built without libyaml: the C loader is not available")
started = time.perf_counter()
documents = 0
for path in open(sys.argv[1], encoding="utf-8").read().splitlines():
    with open(path, "rb") as handle:
        documents += sum(1 for _ in yaml.load_all(handle.read(), Loader=yaml.CSafeLoader))
print(documents, time.perf_counter() - started)
"""


@dataclass(frozen=True)
class Run:
    seconds: float
    max_rss_kb: int
    stdout: str


def run_child(command: Sequence[str], *, ok: Sequence[int] = (0,)) -> Run:
    """Wall time and peak RSS of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    # communicate() has reaped the child; its rusage is in RUSAGE_CHILDREN only cumulatively, so
    # measure peak memory with a separate, uncollected run when asked (see peak_rss).
    if process.returncode not in ok:
        raise SystemExit(f"{' '.join(command[:4])}...: exit {process.returncode}\n{stderr[-2000:]}")
    return Run(seconds, 0, stdout)


def peak_rss_kb(command: Sequence[str], *, ok: Sequence[int] = (0,)) -> int:
    """ru_maxrss of exactly this child (os.wait4 reports the child's own rusage)."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in ok:
        raise SystemExit(f"{' '.join(command[:4])}...: exit {process.returncode}")
    return int(usage.ru_maxrss)


def median_run(command: Sequence[str], repeat: int, *, ok: Sequence[int] = (0,)) -> tuple[float, Run]:
    runs = [run_child(command, ok=ok) for _ in range(repeat)]
    return statistics.median(r.seconds for r in runs), runs[-1]


def compile_bytecode() -> str:
    """Byte-compile pluto_py the way `pip install` does for an installed package.

    typer (the start-up floor) is installed with its bytecode; an editable checkout run with
    PYTHONDONTWRITEBYTECODE=1 (as on the development machines) would otherwise compile every
    module of ours on every run (~60 ms), which no installed kdeprecate does.
    """
    import compileall

    try:
        import pluto_py

        package = Path(pluto_py.__file__).resolve().parent
    except ImportError:
        package = ROOT / "pluto_py"
    if not compileall.compile_dir(str(package), quiet=1):
        raise SystemExit(f"cannot byte-compile {package}")
    return str(package)


def kdeprecate_command() -> list[str]:
    script = Path(sys.executable).parent / "kdeprecate"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pluto_py"]


def files_of(root: Path) -> list[str]:
    return sorted(str(p) for p in root.rglob("*.yaml"))


def cat_seconds(files: list[str], repeat: int) -> float:
    def once() -> float:
        started = time.perf_counter()
        for start in range(0, len(files), 2000):  # stay far below ARG_MAX
            subprocess.run(["cat", *files[start:start + 2000]], stdout=subprocess.DEVNULL, check=True)
        return time.perf_counter() - started

    return statistics.median(once() for _ in range(repeat))


def scan_command(root: Path) -> list[str]:
    return [*kdeprecate_command(), "scan", str(root), "--target", "1.22", "-o", "json", "--no-config"]


def measure(files: int, seed: int, repeat: int, startup_repeat: int, workdir: Path, compile_first: bool = True) -> int:
    corpus_dir = workdir / "corpus"
    info: CorpusInfo = generate(corpus_dir, files, seed)
    paths = files_of(corpus_dir)
    list_file = workdir / "files.txt"
    list_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
    megabytes = info.bytes / 1e6
    print(f"corpus: {info.files} files, {info.documents} documents ({info.deprecated} with a deprecated API), "
          f"{megabytes:.1f} MB, seed {seed}")
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; median of {repeat} runs, warm cache")
    if not compile_first:  # the test-suite: it writes nothing into the checkout
        print("bytecode: not written (--no-compile): every run compiles our modules\n")
    else:
        print(f"bytecode: {Path(compile_bytecode()).name} byte-compiled first, as pip install does\n")

    cat_seconds(paths, 1)  # warm the page cache
    cat = cat_seconds(paths, repeat)
    scan, scan_run = median_run(scan_command(corpus_dir), repeat, ok=(0, 1))
    report = json.loads(scan_run.stdout)
    documents = report["summary"]["documents"]
    if report["summary"]["errors"] or documents != info.documents:
        raise SystemExit(f"unexpected scan summary: {report['summary']}")
    libyaml, libyaml_run = median_run([sys.executable, "-c", LIBYAML_SCRIPT, str(list_file)], repeat)
    libyaml_documents, libyaml_parse = libyaml_run.stdout.split()
    if int(libyaml_documents) != documents:
        raise SystemExit(f"libyaml read {libyaml_documents} documents, kdeprecate {documents}")

    def row(name: str, seconds: float, extra: str = "") -> None:
        print(f"  {name:<44} {seconds:7.3f} s  {megabytes / seconds:7.1f} MB/s  "
              f"{documents / seconds:9.0f} docs/s  {extra}")

    print("time (wall, child process)")
    row("kdeprecate scan (-o json)", scan, f"{len(report['findings'])} findings")
    row("PyYAML CSafeLoader, full parse", libyaml, f"(parse alone {float(libyaml_parse):.3f} s)")
    row("cat (read the bytes)", cat)

    small = SMALL_FILE if SMALL_FILE.is_file() else Path(paths[0])
    one_file, _ = median_run([*kdeprecate_command(), "scan", str(small), "--target", "1.22", "--no-config"],
                             startup_repeat, ok=(0, 1))
    typer_floor, _ = median_run([sys.executable, "-c", "import typer"], startup_repeat)
    print(f"\nstart-up (median of {startup_repeat})")
    print(f"  kdeprecate scan {small.relative_to(ROOT) if small.is_relative_to(ROOT) else small}  {one_file:.3f} s")
    print(f"  python -c 'import typer'{'':<22}{typer_floor:.3f} s")

    print("\npeak memory of the scan (ru_maxrss)")
    small_dir = workdir / "corpus-quarter"
    quarter = generate(small_dir, max(files // 4, 1), seed)
    rss_small = peak_rss_kb(scan_command(small_dir), ok=(0, 1))
    rss_full = peak_rss_kb(scan_command(corpus_dir), ok=(0, 1))
    print(f"  {quarter.files:>6} files ({quarter.bytes / 1e6:5.1f} MB)  {rss_small / 1024:6.1f} MiB")
    print(f"  {info.files:>6} files ({megabytes:5.1f} MB)  {rss_full / 1024:6.1f} MiB")

    ratios = [
        ("libyaml full parse / scan", libyaml / scan, ">= 4", libyaml / scan >= 4),
        ("scan / cat", scan / cat, "<= 10", scan / cat <= 10),
        ("peak memory 4x corpus / 1x", rss_full / rss_small, "<= 1.25 (flat)", rss_full / rss_small <= 1.25),
        ("one-file scan / import typer", one_file / typer_floor, "<= 1.5", one_file / typer_floor <= 1.5),
    ]
    print("\nratios")
    for name, value, target, ok in ratios:
        print(f"  {name:<32} {value:6.2f}   target {target:<16} {'met' if ok else 'NOT MET'}")
    return 0 if all(ok for *_, ok in ratios) else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=4000, help="corpus size in files (default 4000, ~10 MB)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="runs per corpus measurement (median)")
    parser.add_argument("--startup-repeat", type=int, default=21, help="runs per start-up measurement (median)")
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    parser.add_argument("--no-compile", action="store_true",
                        help="do not byte-compile pluto_py first (writes nothing into the package; start-up is slower)")
    args = parser.parse_args()
    try:
        import yaml

        if not getattr(yaml, "__with_libyaml__", False):
            raise ImportError
    except ImportError:
        raise SystemExit("needs PyYAML with libyaml: python -m pip install -e '.[test]'") from None
    if not shutil.which("cat"):
        raise SystemExit("needs cat")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        sys.exit(measure(args.files, args.seed, args.repeat, args.startup_repeat, args.keep, not args.no_compile))
    with tempfile.TemporaryDirectory(prefix="kdeprecate-bench-") as workdir:
        sys.exit(measure(args.files, args.seed, args.repeat, args.startup_repeat, Path(workdir), not args.no_compile))


if __name__ == "__main__":
    main()
