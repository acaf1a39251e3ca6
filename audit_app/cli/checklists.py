"""flask checklists validate|sync."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..checklists import ChecklistError, load_directory, load_file
from ..services.checklists import sync_checklists
from .common import fail

group = click.Group("checklists", help="Validate and store checklist versions.")


def _load(files: tuple[str, ...]):
    if files:
        loaded, errors = [], []
        for name in files:
            try:
                loaded.append(load_file(Path(name), display_name=name))
            except ChecklistError as exc:
                errors.extend(exc.lines())
        if errors:
            fail(errors)
        return loaded
    directory = Path(current_app.config["CHECKLISTS_DIR"])
    try:
        return load_directory(directory)
    except ChecklistError as exc:
        fail(exc.lines())


@group.command("validate")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@with_appcontext
def validate_command(files: tuple[str, ...]) -> None:
    """Validate checklist files (default: every file in checklists/)."""
    for checklist in _load(files):
        items = sum(len(s.items) for s in checklist.sections)
        click.echo(
            f"ok  {checklist.key}  {len(checklist.sections)} sections, {items} items, "
            f"version {checklist.content_hash[:12]}"
        )


@group.command("sync")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@with_appcontext
def sync_command(files: tuple[str, ...]) -> None:
    """Store a new version for every checklist whose content changed."""
    for result in sync_checklists(_load(files)):
        state = "new" if result.created else "unchanged"
        click.echo(f"{state:9}  {result.key} v{result.version}  {result.content_hash[:12]}")
