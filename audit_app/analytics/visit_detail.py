"""One visit as a manager reads it: answers with texts, notes, photos, event marks, history.

The visit is read through services.visits.get_visit, so scope rules apply (a branch manager
sees only approved visits of their own location). Only admins and reviewers learn who the
shopper was and see evidence flags; everyone else sees "the shopper" in the history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..checklists.model import Item, ItemType, localize
from ..extensions import db
from ..models import AuditEntry, Photo, User, Visit
from ..redaction import identity_words, scrub
from ..services import scope
from ..services import visits as visit_service

ACTIONS = {
    "visit.approve": "approved the visit",
    "visit.return": "returned the visit to the shopper",
    "visit.resubmit": "resubmitted the visit",
    "answer.correct": "corrected an answer",
}


@dataclass(frozen=True)
class PhotoRef:
    id: int
    removed: bool  # deleted under the retention policy (flask photos cleanup)


@dataclass(frozen=True)
class AnswerLine:
    item_id: str
    text: str
    critical: bool
    answer: str
    earned: float | None
    possible: float | None
    met: bool | None
    critical_failed: bool
    note: str
    photos: list[PhotoRef] = field(default_factory=list)


@dataclass(frozen=True)
class SectionBlock:
    id: str
    title: str
    percent: float | None
    critical_failed: bool
    answers: list[AnswerLine]


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    who: str
    what: str
    detail: str


@dataclass(frozen=True)
class VisitDetail:
    visit: Visit
    local_start: datetime
    local_end: datetime | None
    shopper: str | None  # None: not for this viewer
    flags: list[dict[str, Any]] | None  # None: not for this viewer
    sections: list[SectionBlock]
    events: list[tuple[str, datetime]]  # local times
    history: list[HistoryLine]
    unplaced_photos: list[PhotoRef]  # photos not tied to an item

    @property
    def notes(self) -> list[AnswerLine]:
        return [a for s in self.sections for a in s.answers if a.note]


def _zone(name: str):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def show_answer(item: Item | None, value: Any, na: bool, language: str, default: str) -> str:
    """An answer in words: yes/no, the option's text, seconds, a scale value, the text."""
    if na:
        return "N/A"
    if value is None:
        return "—"
    if item is None:
        return str(value)
    match item.type:
        case ItemType.YES_NO:
            return "yes" if value is True else "no"
        case ItemType.CHOICE:
            option = item.option(value)
            return localize(option.text, language, default) if option else str(value)
        case ItemType.TIMED:
            return f"{value:g} s (limit {item.threshold_seconds:g} s)"
        case ItemType.SCALE:
            return f"{value:g} of {item.scale_min:g}–{item.scale_max:g}"
    return str(value)


def load(visit_id: int, user: User) -> VisitDetail:
    """A visit the user may see, ready to show; services.errors.NotFound otherwise."""
    visit = visit_service.get_visit(visit_id, user)
    checklist = visit.checklist_version.checklist
    language = default = checklist.default_language
    zone = _zone(visit.location.timezone)
    answers = {a.item_id: a for a in visit.answers}
    identity = scope.sees_shopper_identity(user)
    # managers read notes and free-text answers without the shopper's name or e-mail
    secrets = identity_words(visit.shopper.name, visit.shopper.email)

    def shown(text: str) -> str:
        return text if identity else scrub(text, secrets)

    scores = {s.section_id: s for s in visit.sections}
    photos: dict[str | None, list[PhotoRef]] = {}
    for photo in db.session.scalars(
        select(Photo).where(Photo.visit_id == visit.id).order_by(Photo.uploaded_at, Photo.id)
    ):
        ref = PhotoRef(photo.id, photo.removed_at is not None)
        photos.setdefault(photo.item_id, []).append(ref)
    sections = []
    for section in checklist.sections:
        lines = []
        for item in section.items:
            a = answers.get(item.id)
            answer = show_answer(item, a.value, a.na, language, default) if a else "—"
            if item.type is ItemType.TEXT:  # the shopper's own words
                answer = shown(answer)
            lines.append(
                AnswerLine(
                    item_id=item.id,
                    text=localize(item.text, language, default),
                    critical=item.critical,
                    answer=answer,
                    earned=a.earned if a and a.possible else None,
                    possible=a.possible if a and a.possible else None,
                    met=a.met if a else None,
                    critical_failed=bool(a and a.critical_failed),
                    note=shown(a.note) if a else "",
                    photos=photos.pop(item.id, []),
                )
            )
        score = scores.get(section.id)
        sections.append(
            SectionBlock(
                section.id,
                localize(section.title, language, default),
                score.percent if score else None,
                bool(score and score.critical_failed),
                lines,
            )
        )
    return VisitDetail(
        visit=visit,
        local_start=visit.started_at.astimezone(zone),
        local_end=visit.ended_at.astimezone(zone) if visit.ended_at else None,
        shopper=visit.shopper.name if identity else None,
        flags=list(visit.flags or []) if identity else None,
        sections=sections,
        events=[(e.kind, e.at.astimezone(zone)) for e in visit.events],
        history=_history(visit, identity),
        unplaced_photos=[p for ids in photos.values() for p in ids],
    )


def _history(visit: Visit, identity: bool) -> list[HistoryLine]:
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.target_type == Visit.__tablename__, AuditEntry.target_id == str(visit.id))
        .options(joinedload(AuditEntry.actor))
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    out = []
    for entry in entries:
        if entry.actor_id == visit.shopper_id and not identity:
            who = "The shopper"
        elif entry.actor is None:
            who = "System"
        else:
            who = entry.actor.name
        details = entry.details or {}
        if entry.action == "answer.correct":
            detail = entry.summary or details.get("item_id", "")
        elif entry.action == "visit.return":
            detail = details.get("comment", "")
        else:
            detail = ""
        out.append(HistoryLine(entry.at, who, ACTIONS.get(entry.action, entry.action), detail))
    return out
