"""The body of `kdeprecate bluegreen` (the typer function in pluto_py/cli_bluegreen.py only passes its
options here): checks the options, assesses, prints the report and the input errors, returns the exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from pluto_py.cli_common import error_line, fail_usage, parse_version_option, use_color

STDIN = "-"


def run(blue_paths: Sequence[str], *, blue_context: str | None, green_paths: Sequence[str],
        green_version: str | None, green_context: str | None, green_api_resources: Sequence[str],
        output: str | None, output_file: str | None) -> int:
    """Run the command; UsageError (via fail_usage) for bad options. Returns the exit code."""
    from pluto_py import __version__
    from pluto_py.bluegreen import ReadinessRequest, assess
    from pluto_py.bluegreen.report import clean, get_renderer
    from pluto_py.bluegreen.report.text import summary_line

    if not blue_paths and blue_context is None:
        fail_usage("nothing describes blue: give BLUE_PATH... (dumps, manifests, charts) or --blue-context")
    if not (green_paths or green_version or green_context or green_api_resources):
        fail_usage("nothing describes green: give --green-version, --green-context, --green-api-resources "
                   "or --green (they combine)")
    readers = [name for name, paths in (("BLUE_PATH", blue_paths), ("--green", green_paths),
                                        ("--green-api-resources", green_api_resources)) if STDIN in paths]
    if len(readers) > 1 or any(list(paths).count(STDIN) > 1 for paths in (blue_paths, green_paths)):
        fail_usage(f"only one input can read stdin ('-'), not {' and '.join(readers) or 'two'}")
    in_actions = os.environ.get("GITHUB_ACTIONS", "").lower() == "true"
    try:
        renderer = get_renderer(output or ("github" if in_actions else "text"))
    except ValueError as exc:
        fail_usage(f"--output: {exc}")
    request = ReadinessRequest(
        blue_paths=tuple(blue_paths), blue_context=blue_context, green_paths=tuple(green_paths),
        green_version=parse_version_option("--green-version", green_version) if green_version else None,
        green_context=green_context, green_api_resources=tuple(green_api_resources))
    readiness = assess(request)

    for error in readiness.errors:
        where = error.path if error.line is None else f"{error.path}:{error.line}"
        error_line(clean(f"{where}: {error.message}"))
    color = use_color(sys.stdout)
    if output_file:
        from pluto_py.report import write_atomically

        try:
            write_atomically(output_file, renderer(readiness, __version__, False))
        except OSError as exc:
            fail_usage(f"--output-file {output_file}: cannot write: {exc.strerror or exc}")
        sys.stdout.write(summary_line(readiness) + "\n")
    else:
        sys.stdout.write(renderer(readiness, __version__, color))
    sys.stdout.flush()
    return readiness.exit_code
