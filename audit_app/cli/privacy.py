"""flask privacy export|erase: a person's data on request."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..services.errors import Invalid, NotFound
from ..services.privacy import erase_personal_data, export_personal_data
from .common import fail

group = click.Group("privacy", help="Export or erase a person's personal data.")


@group.command("export")
@click.argument("email")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (default: print).",
)
@with_appcontext
def export_command(email: str, out: Path | None) -> None:
    """Export everything stored about a person as JSON."""
    try:
        document = json.dumps(export_personal_data(email), indent=2, ensure_ascii=False)
    except NotFound as exc:
        fail(exc.message)
    if out is None:
        click.echo(document)
    else:
        out.write_text(document, encoding="utf-8")
        click.echo(f"exported {email} to {out}")


@group.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def erase_command(email: str, yes: bool) -> None:
    """Erase a person's identity; their visits stay, anonymised."""
    if not yes:
        click.confirm(f"Erase {email} for good? Visits stay, anonymised.", abort=True)
    try:
        user = erase_personal_data(email)
    except (NotFound, Invalid) as exc:
        fail(exc.message)
    click.echo(f"erased {email}: now {user.email}, deactivated; visits kept without identity")
