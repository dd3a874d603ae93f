"""`kdeprecate list-versions`: the table, for people and for scripts."""

from pathlib import Path
from typing import Annotated

import typer

from pluto_py.cli.common import emit, fail_usage


def list_versions(
    output: Annotated[str, typer.Option(
        "--output", "-o", metavar='FORMAT', help="text, json, yaml, csv or markdown.")] = "text",
    extra_table: Annotated[list[Path] | None, typer.Option(
        "--extra-table", metavar='FILE',
        help="Include rows from these table files (our format, or Pluto's versions.yaml).")] = None,
    addons: Annotated[bool, typer.Option(
        "--addons", help="List the add-ons' Kubernetes support (data/addon_support.yaml) instead (-o text or "
        "json).")] = False,
) -> None:
    """List every API version the table knows, with when it was deprecated and removed."""
    from pluto_py.core.table import TableError, load_table
    from pluto_py.report.listing import render_listing

    if addons:
        from pluto_py.addons.support import AddonDataError, load_support
        from pluto_py.report.addon_listing import render_support

        try:
            listing = render_support(load_support(), output)
        except (AddonDataError, ValueError) as exc:
            fail_usage(str(exc))
        emit(listing)
        return
    try:
        table = load_table(extra_table or [], addons=True)  # shipped add-on tables too (data/addons)
        text = render_listing(table, output)
    except (TableError, ValueError) as exc:
        fail_usage(str(exc))
    emit(text)
