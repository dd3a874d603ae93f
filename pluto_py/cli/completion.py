"""`kdeprecate completion SHELL`: the shell completion script, as `kubectl completion` and `helm completion` print it.

Load it in the shell's start-up file, e.g. ``source <(kdeprecate completion bash)`` in ~/.bashrc.
Completion itself runs through typer/click: the script calls kdeprecate with
``_KDEPRECATE_COMPLETE=complete_<shell>``, which typer answers at start-up. (typer's own
``--install-completion`` is not offered: it edits start-up files and adds two options to every help.)
"""

from typing import Annotated

import typer

SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
COMPLETE_VAR = "_KDEPRECATE_COMPLETE"


def completion(
    shell: Annotated[str, typer.Argument(metavar="SHELL", help="bash, zsh, fish or powershell.")],
) -> None:
    """Print the shell completion script for bash, zsh, fish or powershell."""
    import sys

    from pluto_py.cli.common import PROG, fail_usage

    if shell not in SHELLS:
        fail_usage(f"completion: unknown shell {shell!r} (choose from bash, zsh, fish, powershell)")
    try:
        from typer._completion_shared import get_completion_script
    except ImportError:  # typer moved it
        fail_usage("completion: this typer version does not provide completion scripts")
    sys.stdout.write(get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=shell).rstrip("\n")
                     + "\n")


def enable_completion() -> None:
    """Register typer's completion classes (typer does it only for apps with add_completion=True)."""
    try:
        from typer._completion_classes import completion_init
    except ImportError:  # typer moved it: completion answers nothing, the command still runs
        return
    completion_init()
