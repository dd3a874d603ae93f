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


# Every subcommand lives in its own module (pluto_py/cli/<command>.py) and registers here, in the
# order `--help` lists them. short_help is the whole line `--help` shows (click would cut a longer
# first sentence with "..."); scan's epilog lists the exit codes.
from pluto_py.cli import bluegreen as cli_bluegreen  # noqa: E402
from pluto_py.cli import completion as cli_completion  # noqa: E402
from pluto_py.cli import fix as cli_fix  # noqa: E402
from pluto_py.cli import list_versions as cli_list_versions  # noqa: E402
from pluto_py.cli import merge_reports as cli_merge  # noqa: E402
from pluto_py.cli import podsecurity as cli_podsecurity  # noqa: E402
from pluto_py.cli import scan as cli_scan  # noqa: E402
from pluto_py.cli import skew as cli_skew  # noqa: E402
from pluto_py.cli import version as cli_version  # noqa: E402

app.command("scan", short_help="Find deprecated and removed API versions.", epilog=cli_scan.EXIT_CODES)(
    cli_scan.scan)
app.command("list-versions", short_help="List the API versions the table knows.")(cli_list_versions.list_versions)
app.command("skew", short_help="Check the version skew policy; plan upgrades.")(cli_skew.skew)
app.command("fix", short_help="Rewrite removed API versions to their replacements.")(cli_fix.fix)
app.command("merge-reports", short_help="Merge the JSON reports of sharded scans.")(cli_merge.merge_reports)
app.command("podsecurity", short_help="Check pod security across the upgrade (PSP to Pod Security).")(
    cli_podsecurity.podsecurity)
app.command("bluegreen", short_help="Check that a new cluster (green) can take over from blue.")(
    cli_bluegreen.bluegreen)
app.command("version", short_help="Print the version and the API table's coverage.")(cli_version.version)
app.command("completion", short_help="Print a shell completion script.")(cli_completion.completion)


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


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: never a traceback for bad input or bad flags."""
    from pluto_py.cli import _help, _typer_fast

    _typer_fast.install()  # plain str/Path options without importing pydantic (start-up time)
    _help.install()  # metavars, not Python types, in --help
    if COMPLETE_VAR in os.environ:  # the shell asks for completions (cli/completion.py)
        from pluto_py.cli.completion import enable_completion

        enable_completion()
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
