"""flask db backup|restore: the database and the stored files, in one archive."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..services.backup import BackupError, create_backup, restore_backup
from .common import fail


def files_dir() -> Path:
    return Path(current_app.config.get("PHOTO_DIR") or Path(current_app.instance_path) / "photos")


@click.command("backup")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Archive to write (default: instance/backups/audit-<time>.tar.gz).",
)
@with_appcontext
def backup_command(out: Path | None) -> None:
    """Back up the database and stored photos while the app keeps running."""
    if out is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        out = Path(current_app.instance_path) / "backups" / f"audit-{stamp}.tar.gz"
    try:
        info = create_backup(out, files_dir())
    except BackupError as exc:
        fail(str(exc))
    rows = sum(info.counts.values())
    click.echo(
        f"backup written to {info.path}: {rows} rows in {len(info.counts)} tables, "
        f"{info.files} files"
    )


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(archive: Path, yes: bool) -> None:
    """Replace the database and photos with a backup (stop the app servers first)."""
    if not yes:
        click.confirm("This replaces ALL current data with the backup. Continue?", abort=True)
    try:
        info = restore_backup(archive, files_dir())
    except BackupError as exc:
        fail(str(exc))
    click.echo(
        f"restored {archive}: {sum(info.counts.values())} rows, {info.files} files; "
        "row counts match the backup"
    )


def init_app(app) -> None:
    """Add the commands to Flask-Migrate's `flask db` group."""
    from flask_migrate.cli import db as db_group

    if "backup" not in db_group.commands:
        db_group.add_command(backup_command)
        db_group.add_command(restore_command)
