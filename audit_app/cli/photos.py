"""flask photos cleanup: delete old visits' photos under the retention policy."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..services.retention import remove_expired_photos
from .common import fail

group = click.Group("photos", help="Visit photos stored on the server.")


def _days(_ctx, _param, value: int | None) -> int | None:
    if value is not None and value < 1:
        raise click.BadParameter(f"must be a number of days, at least 1 (got {value})")
    return value


@group.command("cleanup")
@click.option(
    "--older-than",
    "older_than",
    type=int,
    default=None,
    callback=_days,
    metavar="DAYS",
    help="Retention period in days, at least 1 (default: PHOTO_RETENTION_DAYS).",
)
@click.option("--dry-run", is_flag=True, help="Only count what would be removed.")
@with_appcontext
def cleanup_command(older_than: int | None, dry_run: bool) -> None:
    """Delete the photos of approved visits that started more than DAYS days ago.

    A visit's age is counted from when it started (started_at). Only approved visits
    lose their photos: visits still submitted or returned keep them, as evidence under
    review, until they are approved. The photo and thumbnail files are deleted; each
    photo's row stays, marked, so its visit shows "photo removed under the retention
    policy". A file that a photo not removed still uses (the same image in a newer visit)
    is kept until that photo expires too. Every batch removed is written to the audit log.
    Running it again removes nothing more: schedule it daily (cron, systemd timer).
    With neither --older-than nor PHOTO_RETENTION_DAYS set, photos are kept forever.
    """
    days = older_than
    if days is None:
        days = current_app.config.get("PHOTO_RETENTION_DAYS") or 0
        if days < 0:
            fail(f"PHOTO_RETENTION_DAYS: {days} is negative; use 0 to keep photos forever")
        if days == 0:
            click.echo(
                "photos: no retention period (PHOTO_RETENTION_DAYS is 0 or unset): photos are "
                "kept; give --older-than DAYS to remove older ones"
            )
            return
    try:
        result = remove_expired_photos(days, dry_run=dry_run)
    except OSError as exc:
        fail(
            f"could not delete a photo file: {exc}. The photos of that batch stay unmarked "
            "(files deleted before the error are gone; their pages show the photo as "
            "missing); fix the cause and run the command again: it finishes the batch"
        )
    verb = "would remove" if dry_run else "removed"
    files = "would delete" if dry_run else "deleted"
    click.echo(
        f"photos: {'dry run: ' if dry_run else ''}{verb} {result.photos} photo(s) of "
        f"{result.visits} approved visit(s) started before {result.cutoff:%Y-%m-%d %H:%M} UTC "
        f"(older than {days} days); {files} {result.files} file(s)"
        + (f"; kept {result.shared} image(s) still used by other photos" if result.shared else "")
    )
