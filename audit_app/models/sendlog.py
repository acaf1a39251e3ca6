"""The send log: one row per attempt to send a location's report to a recipient."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .org import Location
from .types import UTCDateTime, utcnow


class SendStatus(StrEnum):
    SENT = "sent"
    FAILED = "failed"


class SendLog(db.Model):
    """A report e-mailed (or refused) for one location, period and recipient."""

    __tablename__ = "send_log"
    __table_args__ = (Index("ix_send_log_location_period", "location_id", "period", "recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(16), default="")  # attachment | link
    message_id: Mapped[str] = mapped_column(String(255), default="")
    error: Mapped[str] = mapped_column(Text, default="")

    location: Mapped[Location] = relationship()
