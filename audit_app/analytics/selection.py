"""What a page or API call asks for: checklist, period, trend size and area, read and checked.

Pages and the API pass their query arguments here, so both accept the same values and
give the same messages. Defaults: the checklist of the newest approved visit, and the three
months up to the newest approved visit the user may see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Area, Location, User, Visit, VisitStatus
from ..services import scope
from . import checklist as checklists
from . import period as periods
from . import sql
from .checklist import ChecklistInfo
from .figures import Thresholds
from .period import Granularity, Period, PeriodError


class SelectionError(ValueError):
    """A query argument that cannot be used; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class OutOfScope(LookupError):
    """An area or location the user may not see: answered as "not found"."""


@dataclass(frozen=True)
class Selection:
    checklist: ChecklistInfo
    period: Period
    granularity: Granularity
    area_id: int | None
    thresholds: Thresholds
    latest: date  # newest approved visit the user may see (or today)

    def args(self, **overrides) -> dict[str, str]:
        """Query arguments that select this again (for links); an override of None drops one."""
        out = {
            "checklist": self.checklist.key,
            "period": self.period.key,
            "trend": self.granularity.value,
        }
        if self.area_id is not None:
            out["area"] = str(self.area_id)
        for key, value in overrides.items():
            if value is None:
                out.pop(key, None)  # None removes an argument
            else:
                out[key] = str(value)
        return out


def visible_areas(user: User) -> list[Area]:
    """Areas with at least one location the user may see."""
    return list(
        db.session.scalars(
            select(Area)
            .where(Area.id.in_(select(Location.area_id).where(scope.locations(user))))
            .order_by(Area.code)
        )
    )


def visible_location(user: User, location_id: int) -> Location:
    """A location the user may see, or OutOfScope."""
    location = db.session.scalar(
        select(Location).where(Location.id == location_id, scope.locations(user))
    )
    if location is None:
        raise OutOfScope(f"no location with id {location_id}")
    return location


def _checklist(key: str | None) -> ChecklistInfo:
    if key:
        info = checklists.load(key)
        if info is None:
            known = ", ".join(k for k, _ in checklists.keys()) or "none stored"
            raise SelectionError("checklist", f"unknown checklist '{key}' (known: {known})")
        return info
    newest = db.session.scalar(
        select(Visit.checklist_version_id)
        .where(Visit.status == VisitStatus.APPROVED)
        .order_by(Visit.id.desc())
        .limit(1)
    )
    if newest is not None:
        from ..models import ChecklistVersion

        key = db.session.scalar(select(ChecklistVersion.key).where(ChecklistVersion.id == newest))
    else:
        stored = checklists.keys()
        key = stored[0][0] if stored else None
    info = checklists.load(key) if key else None
    if info is None:
        raise SelectionError("checklist", "no checklist is stored yet")
    return info


def _int(args: Mapping[str, str], name: str) -> int | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise SelectionError(name, f"'{value}' is not a number") from None


def resolve(args: Mapping[str, str], user: User) -> Selection:
    """Read checklist, period (or from/to), trend and area; raise SelectionError or OutOfScope."""
    info = _checklist((args.get("checklist") or "").strip() or None)
    area_id = _int(args, "area")
    if area_id is not None and area_id not in {a.id for a in visible_areas(user)}:
        raise OutOfScope(f"no area with id {area_id}")
    where = None if area_id is None else sql.in_areas([area_id])
    if where is None and user.role not in ("admin", "reviewer"):
        where = Visit.location_id.in_(select(Location.id).where(scope.locations(user)))
    latest = sql.latest_local_date(info.version_ids, where) or datetime.now(UTC).date()
    period = _period(args, latest)
    trend = (args.get("trend") or "").strip()
    if trend:
        try:
            granularity = Granularity(trend)
        except ValueError:
            raise SelectionError("trend", "must be month or quarter") from None
    else:
        quarterly = period.kind is periods.PeriodKind.QUARTER
        granularity = Granularity.QUARTER if quarterly else Granularity.MONTH
    return Selection(
        checklist=info,
        period=period,
        granularity=granularity,
        area_id=area_id,
        thresholds=Thresholds.from_config(current_app.config),
        latest=latest,
    )


def _period(args: Mapping[str, str], latest) -> Period:
    start, end = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    try:
        if start or end:
            if not (start and end):
                missing = "to" if start else "from"
                raise SelectionError(missing, "give both dates of a custom range")
            return periods.custom(periods.parse_date(start, "from"), periods.parse_date(end, "to"))
        text = (args.get("period") or "").strip()
        return periods.parse(text) if text else periods.last_months(latest)
    except PeriodError as exc:
        raise SelectionError("period", str(exc)) from None
