"""Checklist versions: store new versions from the checklist files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from ..checklists import Checklist, load_directory
from ..checklists.model import localize
from ..database import write_transaction
from ..extensions import db
from ..models import ChecklistVersion


@dataclass(frozen=True)
class SyncResult:
    key: str
    version: int
    content_hash: str
    created: bool


def sync_directory(directory: Path) -> list[SyncResult]:
    """Load every checklist file and store the versions not stored yet."""
    return sync_checklists(load_directory(directory))


def sync_checklists(checklists: list[Checklist]) -> list[SyncResult]:
    """Store a version row per checklist whose content hash is new; old versions stay."""
    results = []
    with write_transaction() as session:
        for checklist in checklists:
            existing = session.scalar(
                select(ChecklistVersion).where(
                    ChecklistVersion.content_hash == checklist.content_hash
                )
            )
            if existing:
                results.append(
                    SyncResult(checklist.key, existing.version, existing.content_hash, False)
                )
                continue
            latest = session.scalar(
                select(func.max(ChecklistVersion.version)).where(
                    ChecklistVersion.key == checklist.key
                )
            )
            row = ChecklistVersion(
                key=checklist.key,
                version=(latest or 0) + 1,
                content_hash=checklist.content_hash,
                title=localize(
                    checklist.title, checklist.default_language, checklist.default_language
                ),
                snapshot=dict(checklist.snapshot),
            )
            session.add(row)
            session.flush()
            results.append(SyncResult(checklist.key, row.version, row.content_hash, True))
    return results


def latest_versions() -> list[ChecklistVersion]:
    """The newest version of every checklist."""
    newest = (
        select(ChecklistVersion.key, func.max(ChecklistVersion.version).label("version"))
        .group_by(ChecklistVersion.key)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(ChecklistVersion)
            .join(
                newest,
                (ChecklistVersion.key == newest.c.key)
                & (ChecklistVersion.version == newest.c.version),
            )
            .order_by(ChecklistVersion.key)
        )
    )
