"""Photo retention: delete the files of old visits' photos, keep the rows marked as removed.

A photo expires when its visit is approved and started more than the retention period ago.
Visits still submitted or returned keep their photos: they are evidence under review. Files
are named by content hash, so one file can serve several photos: it is deleted only when no
photo that is not removed still uses it (a newer visit's, or an upload not yet linked to a
visit). Each batch marks its rows, deletes the files no longer used and writes an audit entry
in one write transaction that keeps other writers off the photos table, so an upload of the
same image cannot slip in between the check and the delete (and `store_photo` writes the
files again when they went missing before its row was stored). Running it again finds
nothing more to remove.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from ..database import write_transaction
from ..extensions import db
from ..models import Photo, Visit, VisitStatus, utcnow
from . import audit
from .photos import photo_path

BATCH = 500
REMOVED_MESSAGE = "photo removed under the retention policy"


@dataclass(frozen=True)
class RetentionResult:
    """What a cleanup removed (or, in a dry run, would remove)."""

    cutoff: datetime
    photos: int = 0  # rows marked removed
    visits: int = 0  # approved visits those photos belong to
    files: int = 0  # files deleted (photos and thumbnails)
    shared: int = 0  # images kept because a photo that is not removed still uses them
    dry_run: bool = False


def _expired(cutoff: datetime):
    """Photos not yet removed of approved visits that started before the cutoff."""
    return (
        select(Photo.id, Photo.sha256, Photo.visit_id)
        .join(Visit, Visit.id == Photo.visit_id)
        .where(
            Photo.removed_at.is_(None),
            Visit.status == VisitStatus.APPROVED,
            Visit.started_at < cutoff,
        )
        .order_by(Photo.id)
    )


def _chunks(values: Iterable, size: int = BATCH) -> Iterator[list]:
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _in_use(session: Session, hashes: set[str], besides: frozenset[int] = frozenset()) -> set[str]:
    """The hashes among these that a photo not removed (and not in `besides`) still uses."""
    used: set[str] = set()
    for chunk in _chunks(sorted(hashes)):
        rows = session.execute(
            select(Photo.id, Photo.sha256).where(
                Photo.sha256.in_(chunk), Photo.removed_at.is_(None)
            )
        )
        used.update(sha for photo_id, sha in rows if photo_id not in besides)
    return used


def _files(hashes: Iterable[str]) -> list:
    return [photo_path(sha, thumbnail=thumb) for sha in sorted(hashes) for thumb in (False, True)]


def _lock_photos(session: Session) -> None:
    """Keep other writers off the photos table until this transaction ends.

    SQLite's write transactions (BEGIN IMMEDIATE) already exclude each other; PostgreSQL
    needs the lock so an upload of an image being deleted waits until the delete is done.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE photos IN SHARE ROW EXCLUSIVE MODE"))


def remove_expired_photos(
    older_than_days: int, *, dry_run: bool = False, now: datetime | None = None
) -> RetentionResult:
    """Delete the files of photos of approved visits started more than N days ago."""
    if older_than_days < 1:
        raise ValueError("older_than_days must be at least 1")
    now = now or utcnow()
    cutoff = now - timedelta(days=older_than_days)
    if dry_run:
        return _dry_run(cutoff)
    photos = files = 0
    visit_ids: set[int] = set()
    kept_hashes: set[str] = set()
    deleted_hashes: set[str] = set()
    while True:
        with write_transaction() as session:
            _lock_photos(session)
            rows = session.execute(_expired(cutoff).limit(BATCH)).all()
            if not rows:
                break
            ids = [row.id for row in rows]
            hashes = {row.sha256 for row in rows}
            batch_visits = {row.visit_id for row in rows}
            session.execute(
                update(Photo)
                .where(Photo.id.in_(ids))
                .values(removed_at=now)
                .execution_options(synchronize_session=False)
            )
            kept = _in_use(session, hashes)
            deleted = 0
            # deleted before the commit: if the commit fails, the rows are still candidates
            # and the next run marks them (a missing file is skipped), so the two converge
            for path in _files(hashes - kept):
                if path.is_file():
                    path.unlink()
                    deleted += 1
            audit.record(
                "photo.retention_remove",
                details={
                    "older_than_days": older_than_days,
                    "cutoff": cutoff.isoformat(),
                    "photos": len(ids),
                    "visits": len(batch_visits),
                    "files_deleted": deleted,
                    "files_kept_shared": len(kept),
                },
                summary=(
                    f"{len(ids)} photo(s) of {len(batch_visits)} approved visit(s) started "
                    f"before {cutoff:%Y-%m-%d} removed under the retention policy"
                ),
            )
        photos += len(ids)
        files += deleted
        visit_ids |= batch_visits
        kept_hashes |= kept
        deleted_hashes |= hashes - kept
    db.session.remove()
    # an image kept in one batch may be deleted in a later one, once its last user expired
    return RetentionResult(cutoff, photos, len(visit_ids), files, len(kept_hashes - deleted_hashes))


def _dry_run(cutoff: datetime) -> RetentionResult:
    """Count what a cleanup would remove; change nothing."""
    session = db.session()
    rows = session.execute(_expired(cutoff)).all()
    hashes = {row.sha256 for row in rows}
    kept = _in_use(session, hashes, besides=frozenset(row.id for row in rows))
    files = sum(1 for path in _files(hashes - kept) if path.is_file())
    db.session.remove()
    return RetentionResult(
        cutoff,
        photos=len(rows),
        visits=len({row.visit_id for row in rows}),
        files=files,
        shared=len(kept),
        dry_run=True,
    )
