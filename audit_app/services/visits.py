"""Submitting visits: validate against the exact checklist version, score, store once."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import scoring
from ..checklists.answers import check_answers, first_marks, timed_from_events
from ..checklists.model import Checklist, ItemType
from ..database import write_transaction
from ..extensions import db
from ..models import (
    Answer,
    ChecklistVersion,
    Location,
    SectionScore,
    Visit,
    VisitEvent,
    VisitStatus,
    utcnow,
)
from .errors import Conflict, Invalid, NotFound

# Fields that describe the request, not the visit: they may differ between retries.
TRANSPORT_FIELDS = ("sent_at",)


def content_hash(payload: Mapping[str, Any]) -> str:
    """Hash a submission's content, ignoring order of answers/events and transport fields."""
    content = {k: v for k, v in payload.items() if k not in TRANSPORT_FIELDS}
    content["answers"] = sorted(content.get("answers", []), key=lambda a: str(a.get("item_id")))
    content["events"] = sorted(
        content.get("events", []), key=lambda e: (str(e.get("at")), str(e.get("kind")))
    )
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=_jsonable)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _jsonable(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"cannot hash {type(value).__name__}")


def submit_visit(payload: Mapping[str, Any], shopper_ref: str) -> tuple[Visit, bool]:
    """Store a submitted visit once; return (visit, created).

    The phone's client_uuid is the idempotency key: the same UUID with the same content
    returns the stored visit, with other content it is a Conflict. A concurrent duplicate
    loses on the unique constraint and is answered like a retry.
    """
    digest = content_hash(payload)
    existing = _find(shopper_ref, payload["client_uuid"])
    if existing is not None:
        return _replay(existing, digest), False

    version = db.session.scalar(
        select(ChecklistVersion).where(
            ChecklistVersion.content_hash == payload["checklist_version"]
        )
    )
    if version is None:
        raise Invalid(
            "unknown checklist version",
            {"checklist_version": f"unknown checklist version '{payload['checklist_version']}'"},
        )
    location = db.session.get(Location, payload["location_id"])
    if location is None or not location.active:
        raise Invalid(
            "unknown location",
            {"location_id": f"no active location with id {payload['location_id']}"},
        )
    checklist = version.checklist
    answers = fill_timed_answers(checklist, payload["answers"], payload.get("events", []))
    if errors := check_answers(checklist, answers):
        raise Invalid(f"{len(errors)} invalid field(s) in the visit", errors)
    result = scoring.score(
        checklist,
        {a["item_id"]: scoring.Answer(a.get("value"), bool(a.get("na"))) for a in answers},
    )

    visit = _build_visit(payload, shopper_ref, digest, version, checklist, answers, result)
    try:
        with write_transaction() as session:
            session.add(visit)
    except IntegrityError:
        # lost a race against the same submission: answer as the retry it is
        existing = _find(shopper_ref, payload["client_uuid"])
        if existing is None:
            raise
        return _replay(existing, digest), False
    return visit, True


def fill_timed_answers(
    checklist: Checklist, answers: list[Mapping[str, Any]], events: list[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Give timed items left empty the seconds between their two event marks."""
    marks = first_marks([(e["kind"], e["at"]) for e in events])
    given = {a.get("item_id") for a in answers}
    filled = []
    for answer in answers:
        answer = dict(answer)
        item = (
            checklist.item(answer.get("item_id"))
            if isinstance(answer.get("item_id"), str)
            else None
        )
        if (
            item is not None
            and item.type is ItemType.TIMED
            and answer.get("value") is None
            and not answer.get("na")
        ):
            answer["value"] = timed_from_events(item, marks)
        filled.append(answer)
    for _, item in checklist.items():
        if item.type is ItemType.TIMED and item.id not in given:
            seconds = timed_from_events(item, marks)
            if seconds is not None:
                filled.append({"item_id": item.id, "value": seconds, "na": False, "note": ""})
    return filled


def _find(shopper_ref: str, client_uuid: uuid.UUID) -> Visit | None:
    return db.session.scalar(
        select(Visit).where(Visit.shopper_ref == shopper_ref, Visit.client_uuid == client_uuid)
    )


def _replay(existing: Visit, digest: str) -> Visit:
    if existing.content_hash != digest:
        raise Conflict(
            f"visit {existing.client_uuid} was already received with different content; "
            "a visit cannot change after its first upload"
        )
    return existing


def _build_visit(payload, shopper_ref, digest, version, checklist, answers, result) -> Visit:
    checkin = payload.get("checkin") or {}
    sent_at = payload.get("sent_at")
    visit = Visit(
        client_uuid=payload["client_uuid"],
        shopper_ref=shopper_ref,
        location_id=payload["location_id"],
        checklist_version=version,
        started_at=payload["started_at"],
        ended_at=payload.get("ended_at"),
        submitted_at=payload.get("submitted_at"),
        received_at=utcnow(),
        status=VisitStatus.SUBMITTED,
        score=_round(result.percent),
        passed=result.passed,
        critical_failed=result.critical_failed,
        checkin_latitude=checkin.get("latitude"),
        checkin_longitude=checkin.get("longitude"),
        checkin_accuracy_m=checkin.get("accuracy_m"),
        device_clock_offset_s=(sent_at - utcnow()).total_seconds() if sent_at else None,
        content_hash=digest,
    )
    order = {item.id: index for index, (_, item) in enumerate(checklist.items())}
    by_id = {a["item_id"]: a for a in answers}
    for item_result in result.items:
        answer = by_id.get(item_result.item_id)
        if answer is None:
            continue
        visit.answers.append(
            Answer(
                position=order[item_result.item_id],
                section_id=item_result.section_id,
                item_id=item_result.item_id,
                value=answer.get("value"),
                na=bool(answer.get("na")),
                note=answer.get("note") or "",
                earned=item_result.earned,
                possible=item_result.possible,
                met=item_result.met,
                critical_failed=item_result.critical_failed,
            )
        )
    for position, section in enumerate(result.sections):
        visit.sections.append(
            SectionScore(
                position=position,
                section_id=section.section_id,
                weight=section.weight,
                earned=section.earned,
                possible=section.possible,
                percent=_round(section.percent),
                critical_failed=section.critical_failed,
            )
        )
    for event in payload.get("events", []):
        visit.events.append(VisitEvent(kind=event["kind"], at=event["at"]))
    return visit


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def get_visit(visit_id: int) -> Visit:
    """Return a visit with its answers, sections and events."""
    visit = db.session.scalar(
        select(Visit)
        .where(Visit.id == visit_id)
        .options(
            selectinload(Visit.answers),
            selectinload(Visit.sections),
            selectinload(Visit.events),
            selectinload(Visit.checklist_version),
        )
    )
    if visit is None:
        raise NotFound(f"no visit with id {visit_id}")
    return visit
