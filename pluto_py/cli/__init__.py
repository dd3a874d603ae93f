"""Command line: parses arguments, assembles the library's parts, maps results to exit codes.

Nothing here knows API facts or parses manifests; heavy modules are imported inside the
command that needs them so that `kdeprecate scan one.yaml` starts fast. (No ``from __future__
import annotations`` here: typer would evaluate every option's annotation string at start-up.)
"""

import contextlib
import copy
import os
import sys
from typing import Annotated, NamedTuple

import typer

from pluto_py import __version__
from pluto_py.cli.common import EXIT_ERROR, EXIT_OK, PROG, OutputError, UsageError, error_line
from pluto_py.cli.completion import COMPLETE_VAR

app = typer.Typer(
    name=PROG,
    help="Find Kubernetes manifests that use deprecated or removed API versions, fix them, "
    "and plan upgrades within the version skew policy.",
    add_completion=False,  # `kdeprecate completion SHELL` prints the script instead (cli/completion.py)
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
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


class Command(NamedTuple):
    target: str  # "module:function"
    short_help: str  # the whole line `--help` lists: click would cut a longer first sentence with "..."


# Every subcommand lives in its own module (pluto_py/cli/<command>.py), named here in the order
# `--help` lists them. A run imports and registers only the module of the command it runs. A
# module's EPILOG, when it has one, ends its --help (scan's exit codes).
COMMANDS: dict[str, Command] = {
    "scan": Command("pluto_py.cli.scan:scan", "Find deprecated and removed API versions."),
    "list-versions": Command("pluto_py.cli.list_versions:list_versions", "List the API versions the table knows."),
    "skew": Command("pluto_py.cli.skew:skew", "Check the version skew policy; plan upgrades."),
    "fix": Command("pluto_py.cli.fix:fix", "Rewrite removed API versions to their replacements."),
    "merge-reports": Command("pluto_py.cli.merge_reports:merge_reports", "Merge the JSON reports of sharded scans."),
    "podsecurity": Command("pluto_py.cli.podsecurity:podsecurity",
                           "Check pod security across the upgrade (PSP to Pod Security)."),
    "bluegreen": Command("pluto_py.cli.bluegreen:bluegreen",
                         "Check that a new cluster (green) can take over from blue."),
    "preflight": Command("pluto_py.cli.preflight:preflight", "Find what breaks an in-place upgrade, in one worklist."),
    "version": Command("pluto_py.cli.version:version", "Print the version and the API table's coverage."),
    "completion": Command("pluto_py.cli.completion:completion", "Print a shell completion script."),
}


def _register(target: typer.Typer, names: list[str]) -> typer.Typer:
    import importlib

    for name in names:
        command = COMMANDS[name]
        module_name, _, function = command.target.partition(":")
        module = importlib.import_module(module_name)
        target.command(name, short_help=command.short_help, epilog=getattr(module, "EPILOG", None))(
            getattr(module, function))
    return target


def full_app() -> typer.Typer:
    """``app`` with every subcommand registered (for --help, no subcommand, a typo)."""
    if not app.registered_commands:
        _register(app, list(COMMANDS))
    return app


def _app_for(args: list[str]) -> typer.Typer:
    """``app`` with only the subcommand that ``args`` starts with, when it names one.

    typer builds the options of every registered command before it runs one (~15 ms for ours, on
    every pre-commit run), and each command's module is imported to register it; a run of one
    subcommand behaves the same with only that one registered. Anything else (no subcommand, --help,
    --version, a typo) gets the whole app.
    """
    if not args or args[0] not in COMMANDS:
        return full_app()
    lean = copy.copy(app)
    lean.registered_commands = []
    return _register(lean, [args[0]])


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
    from pluto_py.cli import _help, _typer_fast

    _typer_fast.install()  # plain str/Path options without importing pydantic (start-up time)
    _help.install()  # metavars, not Python types, in --help
    if COMPLETE_VAR in os.environ:  # the shell asks for completions (cli/completion.py)
        from pluto_py.cli.completion import enable_completion

        enable_completion()
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
