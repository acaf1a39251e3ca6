"""Stored checklist versions: an immutable JSON snapshot per content hash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..checklists import Checklist, from_snapshot
from ..extensions import db
from .types import UTCDateTime, utcnow


class ChecklistVersion(db.Model):
    __tablename__ = "checklist_versions"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def checklist(self) -> Checklist:
        """The frozen checklist of this version, built once per process (versions never change)."""
        built = _BUILT.get(self.content_hash)
        if built is None:
            built = _BUILT[self.content_hash] = from_snapshot(self.snapshot)
        return built


_BUILT: dict[str, Checklist] = {}
