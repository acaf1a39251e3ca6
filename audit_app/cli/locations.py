"""flask locations import FILE.csv."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..services.errors import Invalid
from ..services.locations import import_locations, parse_locations_csv
from .common import fail, fail_invalid

group = click.Group("locations", help="Manage locations.")


@group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path) -> None:
    """Create or update locations from a CSV file (all rows or none)."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{file}: cannot read the file: {exc}")
    try:
        result = import_locations(parse_locations_csv(text))
    except Invalid as exc:
        fail_invalid(str(file), exc)
    click.echo(
        f"{file}: {result.created} created, {result.updated} updated, "
        f"{result.areas_created} new area(s)"
    )
