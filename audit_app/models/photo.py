"""Photos taken during visits: one row per upload, the file stored by its content hash."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, SmallInteger, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class Photo(db.Model):
    """A photo a shopper uploaded; linked to a visit and item when the visit is submitted."""

    __tablename__ = "photos"
    __table_args__ = (
        # the phone's photo UUID is the upload's idempotency key, unique per shopper
        UniqueConstraint("shopper_id", "client_uuid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[uuid.UUID] = mapped_column(Uuid)
    shopper_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # sha256 of the bytes the phone sent: the same UUID with other bytes is a conflict
    upload_sha256: Mapped[str] = mapped_column(String(64), index=True)
    # sha256 of the stored, re-encoded JPEG (no EXIF): also its file name
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    original_format: Mapped[str] = mapped_column(String(8))  # JPEG, PNG or WEBP as uploaded
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    thumb_width: Mapped[int] = mapped_column(SmallInteger)
    thumb_height: Mapped[int] = mapped_column(SmallInteger)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # set when a submitted visit refers to the photo by its UUID
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("visits.id", ondelete="SET NULL"), index=True
    )
    item_id: Mapped[str | None] = mapped_column(String(64))
    # set when the retention policy deleted the files (flask photos cleanup); the row stays
    # so the visit shows "photo removed under the retention policy", not a broken image
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
