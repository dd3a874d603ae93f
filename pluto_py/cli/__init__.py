"""Command line: parses arguments, assembles the library's parts, maps results to exit codes.

Nothing here knows API facts or parses manifests; heavy modules are imported inside the
command that needs them so that `kdeprecate scan one.yaml` starts fast. (No ``from __future__
import annotations`` here: typer would evaluate every option's annotation string at start-up.)
"""

import copy
import os
import sys
from typing import Annotated

import typer

from pluto_py import __version__
from pluto_py.cli.common import EXIT_ERROR, EXIT_OK, PROG, UsageError, error_line

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


# Every subcommand lives in its own module (pluto_py/cli/<command>.py), named here in the order
# `--help` lists them. A run imports and registers only the module of the command it runs.
COMMANDS: dict[str, str] = {
    "scan": "pluto_py.cli.scan:scan",
    "list-versions": "pluto_py.cli.list_versions:list_versions",
    "skew": "pluto_py.cli.skew:skew",
    "fix": "pluto_py.cli.fix:fix",
    "merge-reports": "pluto_py.cli.merge_reports:merge_reports",
    "podsecurity": "pluto_py.cli.podsecurity:podsecurity",
    "bluegreen": "pluto_py.cli.bluegreen:bluegreen",
    "preflight": "pluto_py.cli.preflight:preflight",
}


def _register(target: typer.Typer, names: list[str]) -> typer.Typer:
    import importlib

    for name in names:
        module_name, _, function = COMMANDS[name].partition(":")
        target.command(name)(getattr(importlib.import_module(module_name), function))
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


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: never a traceback for bad input or bad flags."""
    from pluto_py.cli import _typer_fast

    _typer_fast.install()  # plain str/Path options without importing pydantic (start-up time)
    try:
        _app_for(sys.argv[1:] if argv is None else argv)(args=argv, prog_name=PROG, standalone_mode=True)
    except UsageError as exc:
        error_line(str(exc))
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`kdeprecate scan | head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_OK)
    except Exception as exc:  # a bug: say so in one line, keep the traceback for developers
        if os.environ.get("KDEPRECATE_DEBUG"):
            raise
        error_line(f"internal error: {exc.__class__.__name__}: {exc} (set KDEPRECATE_DEBUG=1 for details)")
        sys.exit(EXIT_ERROR)
