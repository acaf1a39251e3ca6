"""Submitting visits: validate against the exact checklist version, score, store once."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import insert, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import object_session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from .. import scoring
from ..checklists.answers import check_answers, check_photos, first_marks, timed_from_events
from ..checklists.model import Checklist, ItemType
from ..database import write_transaction
from ..extensions import db
from ..models import (
    Answer,
    Assignment,
    AssignmentStatus,
    ChecklistVersion,
    Location,
    Photo,
    SectionScore,
    User,
    Visit,
    VisitEvent,
    VisitStatus,
    utcnow,
)
from . import audit, evidence, photos, scope
from .errors import Conflict, Invalid, NotFound

# Fields that describe the request, not the visit: they may differ between retries.
TRANSPORT_FIELDS = ("sent_at",)


@dataclass(frozen=True)
class Submission:
    """A checked, scored submission, ready to be stored."""

    payload: Mapping[str, Any]
    digest: str
    version: ChecklistVersion
    location: Location
    assignment: Assignment | None
    answers: list[dict[str, Any]]
    result: scoring.VisitScore
    # (item id, photo) for every photo the answers refer to, and (item id, other visit id)
    # for those whose image was already used in another visit
    photos: tuple[tuple[str, Photo], ...] = ()
    reused_photos: tuple[tuple[str, int], ...] = ()


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


def submit_visit(
    payload: Mapping[str, Any], shopper: User, *, require_photos: bool = True
) -> tuple[Visit, bool]:
    """Store a submitted visit once; return (visit, created).

    The phone's client_uuid is the idempotency key: the same UUID with the same content
    returns the stored visit; with other content it is a Conflict, unless a reviewer returned
    the visit, when it is the shopper's resubmission. A concurrent duplicate loses on the
    unique constraint and is answered like a retry. Photos the answers name must have been
    uploaded first; `require_photos=False` (generated demo data only) skips `photo: required`.
    """
    digest = content_hash(payload)
    existing = _find(shopper.id, payload["client_uuid"])
    if existing is not None and (
        existing.content_hash == digest or existing.status != VisitStatus.RETURNED
    ):
        return _replay(existing, digest), False

    submission = evaluate(
        payload, shopper, digest, resubmitting=existing, require_photos=require_photos
    )
    if existing is not None:
        return _resubmit(existing.id, submission, shopper), False
    visit = Visit(client_uuid=payload["client_uuid"], shopper_id=shopper.id)
    try:
        with write_transaction() as session:
            children = _fill(visit, submission)
            session.add(visit)
            session.flush()
            _insert_children(session, visit, *children)
            _link_photos(session, visit.id, submission.photos)
            if submission.assignment is not None:
                session.merge(submission.assignment).status = AssignmentStatus.COMPLETED
    except IntegrityError:
        # lost a race against the same submission: answer as the retry it is
        existing = _find(shopper.id, payload["client_uuid"])
        if existing is None:
            raise
        return _replay(existing, digest), False
    return visit, True


def evaluate(
    payload: Mapping[str, Any],
    shopper: User,
    digest: str,
    resubmitting: Visit | None = None,
    require_photos: bool = True,
) -> Submission:
    """Check a submission against its checklist version, location and assignment; score it."""
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
    assignment = _assignment_for(payload, shopper, version, resubmitting)
    checklist = version.checklist
    answers = fill_timed_answers(checklist, payload["answers"], payload.get("events", []))
    errors = check_answers(checklist, answers)
    photo_rules = check_photos(checklist, answers, require=require_photos)
    errors.update((k, v) for k, v in photo_rules.items() if k not in errors)
    linked, photo_errors = _uploaded_photos(answers, shopper, resubmitting)
    errors.update((k, v) for k, v in photo_errors.items() if k not in errors)
    if errors:
        raise Invalid(f"{len(errors)} invalid field(s) in the visit", errors)
    reused = photos.reused_elsewhere(
        [photo for _, photo in linked], resubmitting.id if resubmitting else None
    )
    by_photo = {photo.id: item_id for item_id, photo in linked}
    result = scoring.score(
        checklist,
        {a["item_id"]: scoring.Answer(a.get("value"), bool(a.get("na"))) for a in answers},
    )
    return Submission(
        payload,
        digest,
        version,
        location,
        assignment,
        answers,
        result,
        photos=tuple(linked),
        reused_photos=tuple((by_photo[photo.id], other) for photo, other in reused),
    )


def _uploaded_photos(
    answers: list[dict[str, Any]], shopper: User, resubmitting: Visit | None
) -> tuple[list[tuple[str, Photo]], dict[str, str]]:
    """The photos the answers name, each uploaded by this shopper and free for this visit."""
    wanted = {p for a in answers for p in a.get("photos") or []}
    found = photos.photos_by_uuid(shopper.id, wanted)
    own_visit = resubmitting.id if resubmitting is not None else None
    linked: list[tuple[str, Photo]] = []
    errors: dict[str, str] = {}
    seen: set[uuid.UUID] = set()
    for index, answer in enumerate(answers):
        for position, photo_uuid in enumerate(answer.get("photos") or []):
            path = f"answers[{index}].photos[{position}]"
            photo = found.get(photo_uuid)
            if photo_uuid in seen:
                errors[path] = f"photo {photo_uuid} is given for more than one answer"
                continue
            seen.add(photo_uuid)
            if photo is None:
                errors[path] = f"photo {photo_uuid} has not been uploaded (POST /api/v1/photos)"
            elif photo.visit_id is not None and photo.visit_id != own_visit:
                errors[path] = f"photo {photo_uuid} belongs to another visit"
            else:
                linked.append((answer["item_id"], photo))
    return linked, errors


def _link_photos(session, visit_id: int, linked: tuple[tuple[str, Photo], ...]) -> None:
    """Point the visit's photos at it (and release those a resubmission no longer names)."""
    session.execute(
        update(Photo).where(Photo.visit_id == visit_id).values(visit_id=None, item_id=None)
    )
    for item_id, photo in linked:
        claimed = session.execute(
            update(Photo)
            .where(Photo.id == photo.id, Photo.visit_id.is_(None))
            .values(visit_id=visit_id, item_id=item_id)
        )
        if claimed.rowcount != 1:  # another visit took it meanwhile: undo the whole visit
            raise Invalid(
                "a photo belongs to another visit",
                {"photos": f"photo {photo.client_uuid} belongs to another visit"},
            )


def _assignment_for(
    payload, shopper: User, version: ChecklistVersion, resubmitting: Visit | None
) -> Assignment | None:
    """The open assignment this visit fulfils; required unless the shopper may go ad hoc."""
    if resubmitting is not None:
        return resubmitting.assignment_id and db.session.get(Assignment, resubmitting.assignment_id)
    wanted = payload.get("assignment_id")
    if wanted is not None:
        assignment = db.session.get(Assignment, wanted)
        problem = None
        if assignment is None or assignment.shopper_id != shopper.id:
            problem = f"no assignment {wanted} for you"
        elif assignment.status != AssignmentStatus.OPEN:
            problem = f"assignment {wanted} is {assignment.status}, not open"
        elif assignment.location_id != payload["location_id"]:
            problem = f"assignment {wanted} is for another location"
        elif assignment.checklist_key != version.key:
            problem = f"assignment {wanted} uses checklist '{assignment.checklist_key}'"
        if problem:
            raise Invalid("the assignment does not match", {"assignment_id": problem})
        return assignment
    candidates = db.session.scalars(
        select(Assignment)
        .where(
            Assignment.shopper_id == shopper.id,
            Assignment.status == AssignmentStatus.OPEN,
            Assignment.location_id == payload["location_id"],
            Assignment.checklist_key == version.key,
        )
        .order_by(Assignment.window_start)
    ).all()
    started = payload["started_at"]
    fitting = [a for a in candidates if a.window_start <= started <= a.window_end]
    if fitting or candidates:
        return (fitting or candidates)[0]
    if shopper.allow_adhoc:
        return None
    raise Invalid(
        "no open assignment",
        {
            "assignment_id": "you have no open assignment for this location and checklist, "
            "and ad-hoc visits are not enabled for your account"
        },
    )


def fill_timed_answers(
    checklist: Checklist, answers: list[Mapping[str, Any]], events: list[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Give timed items left empty the seconds between their two event marks."""
    marks = first_marks([(e["kind"], e["at"]) for e in events])
    given = {a.get("item_id") for a in answers}
    filled = []
    for answer in answers:
        answer = dict(answer)
        item_id = answer.get("item_id")
        item = checklist.item(item_id) if isinstance(item_id, str) else None
        empty = answer.get("value") is None and not answer.get("na")
        if item is not None and item.type is ItemType.TIMED and empty:
            answer["value"] = timed_from_events(item, marks)
        filled.append(answer)
    for _, item in checklist.items():
        if item.type is ItemType.TIMED and item.id not in given:
            seconds = timed_from_events(item, marks)
            if seconds is not None:
                filled.append({"item_id": item.id, "value": seconds, "na": False, "note": ""})
    return filled


def _find(shopper_id: int, client_uuid: uuid.UUID) -> Visit | None:
    return db.session.scalar(
        select(Visit).where(Visit.shopper_id == shopper_id, Visit.client_uuid == client_uuid)
    )


def _replay(existing: Visit, digest: str) -> Visit:
    if existing.content_hash != digest:
        raise Conflict(
            f"visit {existing.client_uuid} was already received with different content; "
            "a visit cannot change after its first upload unless a reviewer returns it"
        )
    return existing


def _resubmit(visit_id: int, submission: Submission, shopper: User) -> Visit:
    """Replace a returned visit's content with the shopper's corrected version."""
    with write_transaction() as session:
        visit = session.get(Visit, visit_id)
        if visit is None or visit.status != VisitStatus.RETURNED:
            raise Conflict("the visit is no longer waiting for a resubmission")
        old_score = visit.score
        answers, sections, events = _fill(visit, submission)
        _replace_children(visit, answers, sections, events)
        _link_photos(session, visit.id, submission.photos)
        visit.revision += 1
        audit.record(
            "visit.resubmit",
            shopper,
            visit,
            {"revision": visit.revision, "score": [old_score, visit.score]},
        )
    return visit


def _fill(
    visit: Visit, sub: Submission
) -> tuple[list[Answer], list[SectionScore], list[VisitEvent]]:
    """Set a visit's content, scores and flags; return its child rows (not yet stored)."""
    payload, result = sub.payload, sub.result
    checkin = payload.get("checkin") or {}
    sent_at = payload.get("sent_at")
    offset = (sent_at - utcnow()).total_seconds() if sent_at else None
    cfg = current_app.config
    visit.location_id = sub.location.id
    visit.checklist_version = sub.version
    visit.assignment_id = sub.assignment.id if sub.assignment else None
    visit.started_at = payload["started_at"]
    local = payload["started_at"].astimezone(ZoneInfo(sub.location.timezone))
    visit.local_date, visit.local_weekday, visit.local_hour = (
        local.date(),
        local.weekday(),
        local.hour,
    )
    visit.ended_at = payload.get("ended_at")
    visit.submitted_at = payload.get("submitted_at")
    visit.received_at = utcnow()
    visit.status = VisitStatus.SUBMITTED
    visit.checkin_latitude = checkin.get("latitude")
    visit.checkin_longitude = checkin.get("longitude")
    visit.checkin_accuracy_m = checkin.get("accuracy_m")
    visit.device_clock_offset_s = offset
    visit.content_hash = sub.digest
    visit.flags = evidence.flags_for(
        checkin=checkin or None,
        branch=(sub.location.latitude, sub.location.longitude),
        clock_offset_s=offset,
        started_at=payload["started_at"],
        window=(sub.assignment.window_start, sub.assignment.window_end) if sub.assignment else None,
        max_distance_m=cfg["FLAG_DISTANCE_M"],
        max_skew_s=cfg["FLAG_CLOCK_SKEW_S"],
        reused_photos=sub.reused_photos,
    )
    answers, sections = score_rows(sub.version.checklist, sub.answers, result)
    _set_totals(visit, result)
    events = [VisitEvent(kind=e["kind"], at=e["at"]) for e in payload.get("events", [])]
    return answers, sections, events


def _insert_children(session, visit: Visit, answers, sections, events) -> None:
    """Store a new visit's rows with one executemany per table (no per-row round trip).

    The in-memory rows become the visit's loaded collections, so answering the request
    needs no second read.
    """
    for model, rows, name in (
        (Answer, answers, "answers"),
        (SectionScore, sections, "sections"),
        (VisitEvent, events, "events"),
    ):
        if rows:
            keys = [a.key for a in inspect(model).column_attrs if a.key not in ("id", "visit_id")]
            session.execute(
                insert(model),
                [{"visit_id": visit.id, **{k: getattr(row, k) for k in keys}} for row in rows],
            )
        set_committed_value(visit, name, rows)


def _replace_children(visit: Visit, answers, sections, events=None) -> None:
    """Swap a stored visit's rows for new ones (resubmission, correction)."""
    visit.answers.clear()
    visit.sections.clear()
    if events is not None:
        visit.events.clear()
    session = object_session(visit)
    if session is not None:
        session.flush()  # delete the old rows before inserting new ones with the same keys
    visit.answers.extend(answers)
    visit.sections.extend(sections)
    if events is not None:
        visit.events.extend(events)


def set_scores(
    visit: Visit, checklist: Checklist, answers: list[Mapping[str, Any]], result: scoring.VisitScore
) -> None:
    """Rebuild a stored visit's answer and section rows and totals from new scores."""
    answer_rows, section_rows = score_rows(checklist, answers, result)
    _replace_children(visit, answer_rows, section_rows)
    _set_totals(visit, result)


def score_rows(
    checklist: Checklist, answers: list[Mapping[str, Any]], result: scoring.VisitScore
) -> tuple[list[Answer], list[SectionScore]]:
    """Build (not store) the answer and section rows of a scored visit."""
    order = {item.id: index for index, (_, item) in enumerate(checklist.items())}
    by_id = {a["item_id"]: a for a in answers}
    answer_rows = [
        Answer(
            position=order[r.item_id],
            section_id=r.section_id,
            item_id=r.item_id,
            value=by_id[r.item_id].get("value"),
            na=bool(by_id[r.item_id].get("na")),
            note=by_id[r.item_id].get("note") or "",
            earned=r.earned,
            possible=r.possible,
            met=r.met,
            critical_failed=r.critical_failed,
        )
        for r in result.items
        if r.item_id in by_id
    ]
    section_rows = [
        SectionScore(
            position=position,
            section_id=section.section_id,
            weight=section.weight,
            earned=section.earned,
            possible=section.possible,
            percent=_round(section.percent),
            critical_failed=section.critical_failed,
        )
        for position, section in enumerate(result.sections)
    ]
    return answer_rows, section_rows


def _set_totals(visit: Visit, result: scoring.VisitScore) -> None:
    visit.score = _round(result.percent)
    visit.passed = result.passed
    visit.critical_failed = result.critical_failed


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def get_visit(visit_id: int, user: User) -> Visit:
    """Return a visit the user may see, with its answers, sections and events.

    A visit outside the user's scope is "not found", so ids reveal nothing.
    """
    visit = db.session.scalar(
        select(Visit)
        .where(Visit.id == visit_id, scope.visits(user))
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


def list_visits(
    user: User,
    *,
    status: str | None = None,
    location_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Visit]:
    """Visits the user may see, newest first."""
    query = select(Visit).where(scope.visits(user))
    if status:
        query = query.where(Visit.status == status)
    if location_id:
        query = query.where(Visit.location_id == location_id)
    return list(
        db.session.scalars(
            query.order_by(Visit.started_at.desc(), Visit.id.desc())
            .limit(limit)
            .offset(offset)
            .options(selectinload(Visit.checklist_version), selectinload(Visit.location))
        )
    )
