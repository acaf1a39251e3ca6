"""SQL aggregation over approved visits: one GROUP BY per figure, typed rows back.

Every query scans the approved visits of one checklist key in a range of local dates and
aggregates in the database; Python only receives one row per group (a location, a
month, a standard, a section). Named *groups* are conditional aggregates in the same
scan: {"subject": visits of one location, "network": all visits} gives both figures with
one pass over the rows. Conditions refer to `visits.location_id` only, so no query
needs a join with `locations`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal_column, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Answer, Location, SectionScore, Visit, VisitStatus
from .moments import Counts, Moments
from .period import Bucket

# a group's condition; None means every scanned visit
Condition = ColumnElement[bool] | None

MORNING_ENDS, EVENING_STARTS = 12, 17  # local hours
WEEKEND_DAYS = (5, 6)  # Saturday, Sunday (Monday = 0)


@dataclass(frozen=True, slots=True)
class Scan:
    """Which visits a query reads: approved, of these checklist versions, in these dates."""

    version_ids: tuple[int, ...]
    start: date
    end: date
    # an extra restriction (e.g. the locations on one page); None reads the whole network
    where: Condition = None

    def conditions(self) -> list[ColumnElement[bool]]:
        out = [
            Visit.status == VisitStatus.APPROVED,
            Visit.checklist_version_id.in_(self.version_ids),
            Visit.local_date >= self.start,
            Visit.local_date <= self.end,
        ]
        if self.where is not None:
            out.append(self.where)
        return out


def at_location(location_id: int) -> ColumnElement[bool]:
    return Visit.location_id == location_id


def in_areas(area_ids: Sequence[int]) -> ColumnElement[bool]:
    return Visit.location_id.in_(select(Location.id).where(Location.area_id.in_(area_ids)))


def in_locations(location_ids: Sequence[int]) -> ColumnElement[bool]:
    return Visit.location_id.in_(location_ids)


def _when(condition: Condition, value: Any) -> Any:
    return value if condition is None else case((condition, value))


def _flag(condition: Condition, flag: ColumnElement[bool]) -> Any:
    test = flag if condition is None else and_(condition, flag)
    return func.sum(case((test, 1), else_=0))


def moments_columns(condition: Condition) -> list[Any]:
    """Columns of visit-score Moments for the rows matching a condition (None: every row)."""
    score = _when(condition, Visit.score)
    return [
        func.count() if condition is None else func.count(case((condition, 1))),
        func.count(score),
        func.sum(score),
        func.sum(score * score),
        func.min(score),
        func.max(score),
        _flag(condition, Visit.passed.is_(True)),
        _flag(condition, Visit.critical_failed.is_(True)),
    ]


def section_columns(condition: Condition) -> list[Any]:
    """Columns of section-percentage Moments (sections neither pass nor fail: passes is 0)."""
    percent = _when(condition, SectionScore.percent)
    return [
        func.count() if condition is None else func.count(case((condition, 1))),
        func.count(percent),
        func.sum(percent),
        func.sum(percent * percent),
        func.min(percent),
        func.max(percent),
        literal_column("0"),
        _flag(condition, SectionScore.critical_failed.is_(True)),
    ]


def moments_from(values: Sequence[Any]) -> Moments:
    """Moments from the values of moments_columns or section_columns."""
    visits, n, total, total_sq, low, high, passes, critical = values
    return Moments(
        int(visits or 0),
        int(n or 0),
        float(total or 0.0),
        float(total_sq or 0.0),
        None if low is None else float(low),
        None if high is None else float(high),
        int(passes or 0),
        int(critical or 0),
    )


def counts_columns(condition: Condition) -> list[Any]:
    """Columns of a standard's Counts: scored answers, met answers, points earned, possible."""
    return [
        func.count(_when(condition, Answer.met)),
        _flag(condition, Answer.met.is_(True)),
        func.sum(_when(condition, Answer.earned)),
        func.sum(_when(condition, Answer.possible)),
    ]


def counts_from(values: Sequence[Any]) -> Counts:
    n, met, earned, possible = values
    return Counts(int(n or 0), int(met or 0), float(earned or 0.0), float(possible or 0.0))


def _grouped(
    query: Select, keys: Sequence[Any], groups: Mapping[str, Condition], width: int, build
) -> dict[tuple, dict[str, Any]]:
    """Run a query whose columns are the keys then `width` columns per group."""
    out: dict[tuple, dict[str, Any]] = {}
    for row in db.session.execute(query):
        key = tuple(row[: len(keys)])
        values = row[len(keys) :]
        out[key] = {
            name: build(values[i * width : (i + 1) * width]) for i, name in enumerate(groups)
        }
    return out


def visit_moments(
    scan: Scan, groups: Mapping[str, Condition], by: Sequence[Any] = ()
) -> dict[tuple, dict[str, Moments]]:
    """Score moments of visits per key of `by` (an empty key when `by` is empty), per group."""
    columns = [c for condition in groups.values() for c in moments_columns(condition)]
    query = select(*by, *columns).where(*scan.conditions())
    if by:
        query = query.group_by(*by)
    return _grouped(query, by, groups, 8, moments_from)


def section_moments(scan: Scan, groups: Mapping[str, Condition]) -> dict[str, dict[str, Moments]]:
    """Moments of section percentages per section id, per group."""
    columns = [c for condition in groups.values() for c in section_columns(condition)]
    query = (
        select(SectionScore.section_id, *columns)
        .select_from(SectionScore)
        .join(Visit, Visit.id == SectionScore.visit_id)
        .where(*scan.conditions())
        .group_by(SectionScore.section_id)
    )
    rows = _grouped(query, [SectionScore.section_id], groups, 8, moments_from)
    return {key[0]: value for key, value in rows.items()}


def standard_counts(scan: Scan, groups: Mapping[str, Condition]) -> dict[str, dict[str, Counts]]:
    """Per standard (item id): how often it was scored and met, and its points, per group."""
    columns = [c for condition in groups.values() for c in counts_columns(condition)]
    query = (
        select(Answer.item_id, *columns)
        .select_from(Answer)
        .join(Visit, Visit.id == Answer.visit_id)
        .where(*scan.conditions())
        .group_by(Answer.item_id)
    )
    rows = _grouped(query, [Answer.item_id], groups, 4, counts_from)
    return {key[0]: value for key, value in rows.items()}


def bucket_of(buckets: Sequence[Bucket]) -> Any:
    """The index of the trend bucket a visit falls in (the scan limits dates to the buckets)."""
    return case(
        *[(Visit.local_date <= bucket.end, index) for index, bucket in enumerate(buckets)],
        else_=len(buckets),
    )


def current_or_previous(current_start: date) -> Any:
    """1 for visits in the current period, 0 for the previous one."""
    return case((Visit.local_date >= current_start, 1), else_=0)


def weekend() -> Any:
    """1 for Saturday and Sunday, local time."""
    return case((Visit.local_weekday.in_(WEEKEND_DAYS), 1), else_=0)


def daypart() -> Any:
    """0 morning (before 12:00), 1 afternoon (12-17), 2 evening (from 17:00), local time."""
    return case(
        (Visit.local_hour < MORNING_ENDS, 0), (Visit.local_hour < EVENING_STARTS, 1), else_=2
    )


def visit_rows(scan: Scan, *, limit: int, offset: int = 0) -> list[Visit]:
    """The scanned visits, newest first, with their location."""
    return list(
        db.session.scalars(
            select(Visit)
            .where(*scan.conditions())
            .options(joinedload(Visit.location))
            .order_by(Visit.started_at.desc(), Visit.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def latest_local_date(version_ids: Sequence[int], where: Condition = None) -> date | None:
    """The most recent local date of an approved visit of these versions.

    Found through the (status, started_at) index: the newest start, then the largest local
    date among visits that started within two days of it (time zones differ by under a day).
    """
    conditions = [
        Visit.status == VisitStatus.APPROVED,
        Visit.checklist_version_id.in_(version_ids),
    ]
    if where is not None:
        conditions.append(where)
    newest = db.session.scalar(
        select(Visit.started_at).where(*conditions).order_by(Visit.started_at.desc()).limit(1)
    )
    if newest is None:
        return None
    return db.session.scalar(
        select(func.max(Visit.local_date)).where(
            *conditions, Visit.started_at >= newest - timedelta(days=2)
        )
    )
