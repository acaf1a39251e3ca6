"""Visits, their answers and their event marks, with the scores the server computed."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import User
from .checklist import ChecklistVersion
from .org import Location
from .types import UTCDateTime, utcnow


class VisitStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class Visit(db.Model):
    __tablename__ = "visits"
    __table_args__ = (
        # the phone's UUID is the idempotency key, unique per shopper
        UniqueConstraint("shopper_id", "client_uuid"),
        Index("ix_visits_location_started", "location_id", "started_at"),
        Index("ix_visits_status_started", "status", "started_at"),
        Index("ix_visits_location_local_date", "location_id", "local_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[uuid.UUID] = mapped_column(Uuid)
    shopper_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    checklist_version_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_versions.id"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the start in the location's time zone, kept so analytics can group by local day,
    # weekday and hour in plain SQL on every database
    local_date: Mapped[date] = mapped_column(Date)
    local_weekday: Mapped[int] = mapped_column(SmallInteger)  # Monday = 0
    local_hour: Mapped[int] = mapped_column(SmallInteger)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # on the phone
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # by the server
    status: Mapped[str] = mapped_column(String(16), default=VisitStatus.SUBMITTED)
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    critical_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    checkin_latitude: Mapped[float | None] = mapped_column(Float)
    checkin_longitude: Mapped[float | None] = mapped_column(Float)
    checkin_accuracy_m: Mapped[float | None] = mapped_column(Float)
    device_clock_offset_s: Mapped[float | None] = mapped_column(Float)
    # sha256 of the submitted content: the same UUID with other content is a conflict
    content_hash: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(default=1)  # +1 per resubmission after a return
    # evidence for the reviewer: [{"code": ..., "message": ...}]; they inform, never reject
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    review_comment: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    location: Mapped[Location] = relationship()
    shopper: Mapped[User] = relationship(foreign_keys=[shopper_id])
    checklist_version: Mapped[ChecklistVersion] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="Answer.position"
    )
    events: Mapped[list[VisitEvent]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitEvent.at"
    )
    sections: Mapped[list[SectionScore]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="SectionScore.position"
    )


class SectionScore(db.Model):
    """A visit's score in one section: a row so analytics can aggregate sections in SQL."""

    __tablename__ = "section_scores"
    __table_args__ = (UniqueConstraint("visit_id", "section_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    section_id: Mapped[str] = mapped_column(String(64), index=True)
    weight: Mapped[float] = mapped_column(Float)
    earned: Mapped[float] = mapped_column(Float)
    possible: Mapped[float] = mapped_column(Float)
    percent: Mapped[float | None] = mapped_column(Float)  # None: nothing possible
    critical_failed: Mapped[bool] = mapped_column(Boolean, default=False)

    visit: Mapped[Visit] = relationship(back_populates="sections")


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("visit_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)  # checklist order
    section_id: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[str] = mapped_column(String(64), index=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    na: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    earned: Mapped[float] = mapped_column(Float, default=0.0)
    possible: Mapped[float] = mapped_column(Float, default=0.0)
    met: Mapped[bool | None] = mapped_column(Boolean)  # None: not scored
    critical_failed: Mapped[bool] = mapped_column(Boolean, default=False)

    visit: Mapped[Visit] = relationship(back_populates="answers")


class VisitEvent(db.Model):
    __tablename__ = "visit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    visit: Mapped[Visit] = relationship(back_populates="events")
