"""The comparison of locations: one row per location in the user's scope, sortable and paged.

Each row holds the period's score moments, the rank among the rows (by scores shrunk over
the whole network), the change from the previous period, a trend line and the section
means for the heatmap. Sorting puts figures that do not exist (no visits) last, whichever
the direction.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sqlalchemy import select

from ..extensions import db
from ..models import Area, Location, User
from ..services import scope
from ..stats import MeanChange
from . import figures
from .checklist import SectionInfo
from .moments import Moments
from .network import Ranges, per_bucket_locations, total
from .period import Bucket, trend_buckets
from .selection import Selection

PAGE_SIZE = 50


@dataclass(frozen=True)
class CompareRow:
    location_id: int
    code: str
    name: str
    area_id: int
    area_code: str
    area_name: str
    active: bool
    moments: Moments
    previous: Moments
    standing: figures.Standing
    # the change from the previous period with its Welch interval: rows returned only (a t
    # quantile per row is too slow for a thousand rows nobody sees)
    change: MeanChange | None = None
    spark: list[float | None] = field(default_factory=list)  # mean per trend point
    sections: dict[str, Moments] = field(default_factory=dict)  # page rows only

    @property
    def mean(self) -> float | None:
        return self.moments.mean

    @property
    def sd(self) -> float | None:
        return self.moments.sd

    @property
    def difference(self) -> float | None:
        """Mean score minus the previous period's (what the change column sorts by)."""
        now, before = self.moments.mean, self.previous.mean
        return None if now is None or before is None else now - before


# sort keys: each returns a value where larger means "better" or "more", None when unknown
SORTS: dict[str, Callable[[CompareRow], object]] = {
    "rank": lambda r: r.standing.rank,
    "location": lambda r: r.name.lower(),
    "code": lambda r: r.code.lower(),
    "area": lambda r: (r.area_name.lower(), r.name.lower()),
    "visits": lambda r: r.moments.visits,
    "score": lambda r: r.moments.mean,
    "spread": lambda r: r.moments.sd,
    "pass_rate": lambda r: r.moments.pass_rate,
    "critical": lambda r: r.moments.critical,
    "change": lambda r: r.difference,
}
# the direction a column sorts in on the first click
NATURAL = {
    "rank": "asc",
    "location": "asc",
    "code": "asc",
    "area": "asc",
    "spread": "asc",
    "critical": "desc",
}


def default_direction(sort: str) -> str:
    return NATURAL.get(sort, "desc")


@dataclass(frozen=True)
class Table:
    selection: Selection
    rows: list[CompareRow]  # this page
    count: int  # every row
    page: int
    pages: int
    sort: str
    direction: str
    sections: list[SectionInfo]
    buckets: list[Bucket]
    totals: Moments  # every row together
    network: Moments

    @property
    def first_index(self) -> int:
        return (self.page - 1) * PAGE_SIZE


@dataclass(frozen=True)
class Member:
    id: int
    code: str
    name: str
    area_id: int
    active: bool
    area_code: str
    area_name: str


def members(user: User, area_id: int | None, with_visits: set[int]) -> list[Member]:
    """Locations of the comparison: visible, in the area, active or visited in the period."""
    query = (
        select(
            Location.id,
            Location.code,
            Location.name,
            Location.area_id,
            Location.active,
            Area.code,
            Area.name,
        )
        .join(Area, Area.id == Location.area_id)
        .where(scope.locations(user))
    )
    if area_id is not None:
        query = query.where(Location.area_id == area_id)
    rows = db.session.execute(query.order_by(Location.code))
    # an inactive location stays in the table while its visits are in the period
    return [Member(*row) for row in rows if row.active or row.id in with_visits]


def build(
    selection: Selection,
    user: User,
    *,
    sort: str = "rank",
    direction: str | None = None,
    page: int | None = 1,
    details: bool = True,
    changes: bool = True,
) -> Table:
    """Compare the user's locations; `page=None` returns every row (for exports).

    `changes` adds the change from the previous period to the rows returned, `details` their
    trend line and section means.
    """
    if sort not in SORTS:
        sort = "rank"
    direction = direction if direction in ("asc", "desc") else default_direction(sort)
    info, t, period = selection.checklist, selection.thresholds, selection.period
    previous = period.previous()
    ranges = Ranges.of(info.version_ids, period.start, period.end)
    now, now_by_area = ranges.locations()
    before, _ = Ranges.of(info.version_ids, previous.start, previous.end).locations()
    locations = members(user, selection.area_id, set(now))
    shrunk = figures.shrunk_scores(now)
    standing = figures.standings(now, shrunk, [loc.id for loc in locations], t)
    rows = [
        CompareRow(
            location_id=loc.id,
            code=loc.code,
            name=loc.name,
            area_id=loc.area_id,
            area_code=loc.area_code,
            area_name=loc.area_name,
            active=loc.active,
            moments=now.get(loc.id, Moments()),
            previous=before.get(loc.id, Moments()),
            standing=standing[loc.id],
        )
        for loc in locations
    ]
    ordered = sort_rows(rows, sort, direction)
    count = len(ordered)
    if page is None:
        page, pages, shown = 1, 1, ordered
    else:
        pages = max(1, math.ceil(count / PAGE_SIZE))
        page = min(max(1, page), pages)
        shown = ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    if changes:
        shown = [replace(r, change=figures.change(r.moments, r.previous, t)) for r in shown]
    buckets = trend_buckets(period, selection.granularity)
    if details:
        shown = _with_details(selection, ranges, shown, buckets)
    return Table(
        selection=selection,
        rows=shown,
        count=count,
        page=page,
        pages=pages,
        sort=sort,
        direction=direction,
        sections=[s for s in info.sections if s.current],
        buckets=buckets,
        totals=total((row.moments for row in rows), Moments()),
        network=total(now_by_area.values(), Moments()),
    )


def sort_rows(rows: list[CompareRow], sort: str, direction: str) -> list[CompareRow]:
    """Sort by a column; rows without the figure go last in both directions, then by name."""
    key = SORTS[sort]
    known = [row for row in rows if key(row) is not None]
    unknown = [row for row in rows if key(row) is None]
    known.sort(key=lambda row: row.name.lower())
    known.sort(key=key, reverse=direction == "desc")
    unknown.sort(key=lambda row: (-(row.moments.mean or -1), row.name.lower()))
    return known + unknown


def _with_details(
    selection: Selection, ranges: Ranges, rows: list[CompareRow], buckets: list[Bucket]
) -> list[CompareRow]:
    """Add the trend line and the section means to the rows that are shown."""
    ids = [row.location_id for row in rows]
    by_location, _ = ranges.sections(ids)
    points = per_bucket_locations(
        selection.checklist.version_ids, [(b.start, b.end) for b in buckets]
    )
    return [
        replace(
            row,
            spark=[by_loc.get(row.location_id, Moments()).mean for by_loc, _ in points],
            sections=by_location.get(row.location_id, {}),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class AreaRow:
    area: Area
    moments: Moments
    previous: Moments
    change: MeanChange
    locations: int  # visible locations in the area


def areas(selection: Selection, user: User, area_list: list[Area]) -> list[AreaRow]:
    """One row per area the user may see: the period's figures and the change."""
    info, t, period = selection.checklist, selection.thresholds, selection.period
    previous = period.previous()
    _, now = Ranges.of(info.version_ids, period.start, period.end).locations()
    _, before = Ranges.of(info.version_ids, previous.start, previous.end).locations()
    counts: dict[int, int] = {}
    for area_id in db.session.scalars(
        select(Location.area_id).where(scope.locations(user), Location.active.is_(True))
    ):
        counts[area_id] = counts.get(area_id, 0) + 1
    return [
        AreaRow(
            area=area,
            moments=now.get(area.id, Moments()),
            previous=before.get(area.id, Moments()),
            change=figures.change(now.get(area.id, Moments()), before.get(area.id, Moments()), t),
            locations=counts.get(area.id, 0),
        )
        for area in area_list
    ]
