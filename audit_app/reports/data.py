"""Gather what one location's report needs from the database (the impure half of the report)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from sqlalchemy import select

from ..analytics import checklist as checklists
from ..analytics import period as periods
from ..analytics.figures import Thresholds
from ..analytics.period import Granularity, PeriodError, PeriodKind
from ..analytics.report import Subject, build
from ..analytics.selection import Selection
from ..extensions import db
from ..models import Answer, ChecklistVersion, Location, Photo, User, Visit, VisitStatus
from ..redaction import identity_words
from ..services.photos import photo_path
from . import context as view
from .labels import language as pick_language


class ReportError(ValueError):
    """A report that cannot be made (bad period, no checklist); `field` names the cause."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def parse_period(text: str | None) -> periods.Period:
    """A month (2026-10) or a quarter (2026-Q4); ReportError otherwise."""
    if not text or not text.strip():
        raise ReportError("period", "give a period, e.g. 2026-10 or 2026-Q4")
    try:
        return periods.parse(text.strip())
    except PeriodError as exc:
        raise ReportError("period", str(exc)) from None


def _checklist_key(location_id: int) -> str:
    """The checklist of the location's newest approved visit, else the network's, else any."""
    for where in ((Visit.location_id == location_id,), ()):
        key = db.session.scalar(
            select(ChecklistVersion.key)
            .join(Visit, Visit.checklist_version_id == ChecklistVersion.id)
            .where(Visit.status == VisitStatus.APPROVED, *where)
            .order_by(Visit.started_at.desc())
            .limit(1)
        )
        if key:
            return key
    stored = checklists.keys()
    if not stored:
        raise ReportError("checklist", "no checklist is stored yet")
    return stored[0][0]


def selection_for(location_id: int, period: periods.Period) -> Selection:
    """The analytics selection of a location's report: its checklist, the period, 12 months."""
    info = checklists.load(_checklist_key(location_id))
    if info is None:  # pragma: no cover - the key was just read from the table
        raise ReportError("checklist", "no checklist is stored yet")
    quarterly = period.kind is PeriodKind.QUARTER
    return Selection(
        checklist=info,
        period=period,
        granularity=Granularity.QUARTER if quarterly else Granularity.MONTH,
        area_id=None,
        thresholds=Thresholds.from_config(current_app.config),
        latest=period.end,
    )


def _zone(name: str):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def visit_inputs(visits: list[Visit], zone) -> tuple[list[view.VisitInput], set[str]]:
    """The visit log's rows, and the shopper names and e-mails to scrub from comments."""
    ids = [v.id for v in visits]
    notes: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    photos: dict[int, list[str]] = {i: [] for i in ids}
    removed: dict[int, int] = {i: 0 for i in ids}
    redact: set[str] = set()
    if ids:
        for visit_id, item_id, note in db.session.execute(
            select(Answer.visit_id, Answer.item_id, Answer.note)
            .where(Answer.visit_id.in_(ids), Answer.note != "")
            .order_by(Answer.visit_id, Answer.position)
        ):
            notes[visit_id].append((item_id, note))
        for visit_id, sha, removed_at in db.session.execute(
            select(Photo.visit_id, Photo.sha256, Photo.removed_at)
            .where(Photo.visit_id.in_(ids))
            .order_by(Photo.visit_id, Photo.id)
        ):
            if removed_at is not None:  # deleted under the retention policy
                removed[visit_id] += 1
                continue
            thumb = photo_path(sha, thumbnail=True)
            if thumb.is_file():
                photos[visit_id].append(thumb.resolve().as_uri())
        shoppers = {v.shopper_id for v in visits}
        for name, email in db.session.execute(
            select(User.name, User.email).where(User.id.in_(shoppers))
        ):
            redact.update(identity_words(name, email))
    out = []
    for v in visits:
        started = v.started_at.astimezone(zone)
        out.append(
            view.VisitInput(
                local_date=v.local_date,
                local_time=started.strftime("%H:%M"),
                score=v.score,
                passed=v.passed,
                critical_failed=v.critical_failed,
                comments=tuple(notes[v.id]),
                photos=tuple(photos[v.id][:4]),
                photos_removed=removed[v.id],
            )
        )
    return out, redact


def context_for(
    location_id: int, period_key: str, lang: str | None = None, *, now: datetime | None = None
) -> view.ReportContext:
    """The view-model of a location's report for a period, in the location's language or `lang`."""
    location = db.session.get(Location, location_id)
    if location is None:
        raise ReportError("location", f"no location with id {location_id}")
    period = parse_period(period_key)
    selection = selection_for(location_id, period)
    report = build(selection, Subject.location(location))
    zone = _zone(location.timezone)
    visits, redact = visit_inputs(report.visits, zone)
    language = pick_language(lang, location.language)
    generated = (now or datetime.now(UTC)).astimezone(zone)
    return view.build(
        report,
        visits=visits,
        lang=language,
        generated_at=generated,
        redact=redact,
        organisation=current_app.config.get("REPORT_ORGANISATION", ""),
        visits_total=report.headline.current.visits,
    )
