"""Command line: parses arguments, assembles the library's parts, maps results to exit codes.

Nothing here knows API facts or parses manifests; heavy modules are imported inside the
command that needs them so that `kdeprecate scan one.yaml` starts fast. (No ``from __future__
import annotations`` here: typer would evaluate every option's annotation string at start-up.)
"""

import contextlib
import copy
import os
import sys
from typing import Annotated

import typer

from pluto_py import __version__
from pluto_py.cli.common import EXIT_ERROR, EXIT_OK, PROG, OutputError, UsageError, error_line

app = typer.Typer(
    name=PROG,
    help="Find Kubernetes manifests that use deprecated or removed API versions, fix them, "
    "and plan upgrades within the version skew policy.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version_callback(value: bool) -> None:
    if value:
        print(f"{PROG} {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version_callback, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """kdeprecate: a static linter for Kubernetes upgrades."""


# Every subcommand lives in its own module (pluto_py/cli/<command>.py) and registers here, in the
# order `--help` lists them.
from pluto_py.cli import fix as cli_fix  # noqa: E402
from pluto_py.cli import list_versions as cli_list_versions  # noqa: E402
from pluto_py.cli import merge_reports as cli_merge  # noqa: E402
from pluto_py.cli import scan as cli_scan  # noqa: E402
from pluto_py.cli import skew as cli_skew  # noqa: E402

app.command("scan")(cli_scan.scan)
app.command("list-versions")(cli_list_versions.list_versions)
app.command("skew")(cli_skew.skew)
app.command("fix")(cli_fix.fix)
app.command("merge-reports")(cli_merge.merge_reports)


def _app_for(args: list[str]) -> typer.Typer:
    """``app`` with only the subcommand that ``args`` starts with, when it names one.

    typer builds the options of every registered command before it runs one (~15 ms for ours, on
    every pre-commit run); a run of one subcommand behaves the same with only that one registered.
    Anything else (no subcommand, --help, --version, a typo) gets the whole app.
    """
    if not args:
        return app
    chosen = [info for info in app.registered_commands
              if (info.name or getattr(info.callback, "__name__", "").lower().replace("_", "-")) == args[0]]
    if len(chosen) != 1:
        return app
    lean = copy.copy(app)
    lean.registered_commands = chosen
    return lean


def _guard_standard_streams() -> None:
    """A character stdout cannot encode (a lone surrogate that escaped core/escape.py) is written as an
    escape, never an exception that loses the report. A closed stdout (`>&-`) is held by /dev/null so
    that no file opened later becomes fd 1; writing to it is still an error (cli.common.emit)."""
    stdout = sys.stdout
    if stdout is None:
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        return
    reconfigure = getattr(stdout, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(ValueError, OSError):
            reconfigure(errors="backslashreplace")


def _silence_stdout() -> None:
    """Point fd 1 at /dev/null and drop what is buffered, so the interpreter's last flush cannot fail."""
    try:
        if sys.stdout is None or sys.stdout.fileno() != 1:
            return  # (a captured stream in tests: not the process's fd 1)
    except (OSError, ValueError):
        return
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: never a traceback for bad input or bad flags."""
    from pluto_py.cli import _typer_fast

    _typer_fast.install()  # plain str/Path options without importing pydantic (start-up time)
    _guard_standard_streams()
    try:
        _app_for(sys.argv[1:] if argv is None else argv)(args=argv, prog_name=PROG, standalone_mode=True)
    except UsageError as exc:
        error_line(str(exc))
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        sys.exit(130)
    except (OutputError, BrokenPipeError) as exc:
        # `kdeprecate scan | head -1`, `>&-`, `> /dev/full`: the report is cut short. A gate must not
        # pass on it (exit 2), and Python must not fail again flushing stdout at exit (a traceback).
        _silence_stdout()
        message = str(exc) if isinstance(exc, OutputError) else f"cannot write to standard output: {exc.strerror}"
        error_line(f"{message} (the output is incomplete)")
        sys.exit(EXIT_ERROR)
    except Exception as exc:  # a bug: say so in one line, keep the traceback for developers
        if os.environ.get("KDEPRECATE_DEBUG"):
            raise
        error_line(f"internal error: {exc.__class__.__name__}: {exc} (set KDEPRECATE_DEBUG=1 for details)")
        sys.exit(EXIT_ERROR)
