"""`kdeprecate version`: the version, as `--version` prints it, and what the API table covers."""

import sys


def version() -> None:
    """Print kdeprecate's version and the API table it ships (its date and newest release)."""
    from pluto_py import __version__
    from pluto_py.cli.common import PROG, fail_usage
    from pluto_py.core.table import TableError, load_builtin_table

    try:
        table = load_builtin_table()
    except TableError as exc:
        fail_usage(str(exc))
    sys.stdout.write(f"{PROG} {__version__}\n"
                     f"API table: {len(table)} rows, Kubernetes up to {table.newest}"
                     + (f", reviewed {table.data_version}" if table.data_version else "") + "\n")
