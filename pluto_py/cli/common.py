"""What every subcommand shares: exit codes, one-line errors, version arguments."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NoReturn, TextIO

from pluto_py.core.versions import KubeVersion, VersionError, parse_version

if TYPE_CHECKING:
    from pluto_py.core.model import ScanError, ScanResult
    from pluto_py.report import ReportContext, Reporter

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

PROG = "kdeprecate"


class UsageError(Exception):
    """A bad flag or argument: reported in one line, exit 2."""


class OutputError(Exception):
    """Standard output could not be written (closed, its reader went away, a full disk): one line, exit 2.
    (Not an OSError: click would take a broken pipe for its own and exit 1 without a word.)"""


def emit(text: str | bytes) -> None:
    """Write ``text`` (a report, a diff; bytes: a fixed stream) to stdout and flush it. OutputError when
    stdout is closed or cannot take it: a report cut short must never look like a clean run."""
    stream = sys.stdout
    if stream is None:
        raise OutputError("cannot write to standard output: it is closed")
    try:
        if isinstance(text, bytes):
            stream.flush()
            stream.buffer.write(text)
            stream.buffer.flush()
        else:
            stream.write(text)
        stream.flush()
    except OSError as exc:
        raise OutputError(f"cannot write to standard output: {exc.strerror or exc}") from None


def error_line(message: str, stream: TextIO | None = None) -> None:
    """'kdeprecate: error: message' on stderr, control characters of inputs escaped (core/escape.py)."""
    from pluto_py.core.escape import printable

    target = stream or sys.stderr
    if target is not None:  # (None: stderr is closed; print would write to stdout instead)
        print(f"{PROG}: error: {printable(message)}", file=target)


def warning_line(message: str, stream: TextIO | None = None) -> None:
    """'kdeprecate: warning: message' on stderr, escaped as error_line."""
    from pluto_py.core.escape import printable

    target = stream or sys.stderr
    if target is not None:
        print(f"{PROG}: warning: {printable(message)}", file=target)


def info_line(message: str, stream: TextIO | None = None) -> None:
    """What --verbose adds: on stderr, so that reports on stdout stay machine-readable."""
    print(f"{PROG}: info: {message}", file=stream or sys.stderr)


def error_at(path: str, line: int | None, message: str, stream: TextIO | None = None) -> None:
    """'kdeprecate: error: path:line: message', the one form of an error about a place in an input."""
    error_line(f"{path}{'' if line is None else f':{line}'}: {message}", stream)


def report_errors(errors: Iterable[ScanError]) -> None:
    """One error_at line per input that could not be read or parsed."""
    for error in errors:
        error_at(error.path, error.line, error.message)


def check_fail_on(value: str, origin: str) -> str:
    """``value`` if it is a fail level (report.FAIL_LEVELS), else a usage error naming ``origin``."""
    from pluto_py.report import FAIL_LEVELS

    if value not in FAIL_LEVELS:
        fail_usage(f"{origin}: must be one of {', '.join(FAIL_LEVELS)}, not {value!r}")
    return value


def fail_usage(message: str) -> NoReturn:
    raise UsageError(message)


def parse_version_option(option: str, value: str) -> KubeVersion:
    try:
        return parse_version(value)
    except VersionError as exc:
        fail_usage(f"{option}: {exc}")


def parse_targets(values: list[str] | None, origin: str = "--target") -> tuple[KubeVersion | None,
                                                                            dict[str, KubeVersion]]:
    """--target VERSION and --target COMPONENT=VERSION (repeatable). ``origin`` names where the
    values came from in errors (the flag, KDEPRECATE_TARGET, the configuration file)."""
    k8s: KubeVersion | None = None
    components: dict[str, KubeVersion] = {}
    for value in values or []:
        name, sep, version = value.partition("=")
        if not sep:
            if k8s is not None:
                fail_usage(f"{origin}: a Kubernetes target given twice ({k8s} and {value})")
            k8s = parse_version_option(origin, value)
            continue
        name = name.strip()
        if not name:
            fail_usage(f"{origin} {value!r}: component name missing before '='")
        parsed = parse_version_option(f"{origin} {name}", version)
        if name in ("k8s", "kubernetes"):
            if k8s is not None:
                fail_usage(f"{origin}: a Kubernetes target given twice ({k8s} and {parsed})")
            k8s = parsed
        elif name in components:
            fail_usage(f"{origin}: a target given twice for {name}")
        else:
            components[name] = parsed
    return k8s, components


def use_color(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def report_context(reporter: Reporter, fail_on: str, *, color: bool, quiet: bool = False) -> ReportContext:
    """The ReportContext for ``reporter``: with the repository root when its paths are relative to it
    (SARIF, GitHub annotations, GitLab Code Quality: report/locations.py)."""
    from pluto_py import __version__
    from pluto_py.report import ReportContext, needs_source_root

    root = None
    if needs_source_root(reporter):
        from pluto_py.report.locations import find_source_root

        root = find_source_root()
    return ReportContext(tool_version=__version__, fail_on=fail_on, color=color, source_root=root, quiet=quiet)


STEP_SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def append_step_summary(result: ScanResult, context: ReportContext,
                        env: Mapping[str, str] | None = None) -> str | None:
    """In GitHub Actions, append the markdown report to the job summary ($GITHUB_STEP_SUMMARY).

    Returns a warning to print when the file cannot be written (the scan's result stands).
    """
    env = os.environ if env is None else env
    summary_file = env.get(STEP_SUMMARY_ENV, "")
    if env.get("GITHUB_ACTIONS", "").lower() != "true" or not summary_file:
        return None
    from pluto_py.report import get_reporter

    text = get_reporter("markdown").render(result, context._replace(color=False))
    try:
        with open(summary_file, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")
    except OSError as exc:
        return f"{STEP_SUMMARY_ENV} {summary_file}: cannot append the summary: {exc.strerror or exc}"
    return None
