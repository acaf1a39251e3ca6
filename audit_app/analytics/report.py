"""Every consistency figure of one subject (a location, some areas or the network) in a period.

PRODUCT.md "Consistency" defines the figures. The network's side of every comparison comes
from the rollup store (network.py); a location's own answers, time slots and visits are
read directly (they are few and indexed by location). The result is a plain view-model
shared by the dashboard, the JSON API and the PDF report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select

from ..extensions import db
from ..models import Area, Location, Role, User, Visit
from ..stats import Comparison, Compliance, Interval, MeanChange, Summary, Verdict
from . import figures, sql
from .checklist import ChecklistInfo, StandardInfo
from .moments import Counts, Moments
from .network import Ranges, per_bucket_locations, total, totals
from .period import Bucket, Period, trend_buckets
from .selection import Selection, visible_areas

FOCUS_SIZE = 5
VISIT_LIST_LIMIT = 200
WEEKPARTS = ((0, "Weekdays"), (1, "Weekends"))
DAYPARTS = (
    (0, "Morning (before 12:00)"),
    (1, "Afternoon (12:00–17:00)"),
    (2, "Evening (from 17:00)"),
)


class SubjectKind(StrEnum):
    NETWORK = "network"
    AREAS = "areas"
    LOCATION = "location"


@dataclass(frozen=True)
class Subject:
    """What a report is about. A location carries its area; areas list their ids."""

    kind: SubjectKind
    name: str
    area_ids: tuple[int, ...] = ()
    location_id: int | None = None
    code: str = ""
    area_name: str = ""

    @classmethod
    def network(cls) -> Subject:
        return cls(SubjectKind.NETWORK, "Whole network")

    @classmethod
    def areas(cls, areas: Sequence[Area], name: str | None = None) -> Subject:
        label = name or ", ".join(f"{a.name}" for a in areas)
        return cls(SubjectKind.AREAS, label, tuple(a.id for a in areas))

    @classmethod
    def location(cls, location: Location) -> Subject:
        return cls(
            SubjectKind.LOCATION,
            location.name,
            (location.area_id,),
            location.id,
            location.code,
            location.area.name,
        )


def overview_subject(selection: Selection, user: User) -> tuple[list[Area], Subject]:
    """The overview's areas and subject: the area asked for, else the whole network for
    admins and reviewers, else the user's own areas."""
    areas = visible_areas(user)
    if selection.area_id is not None:
        shown = [a for a in areas if a.id == selection.area_id]
        return shown, Subject.areas(shown)
    if user.role in (Role.ADMIN, Role.REVIEWER):
        return areas, Subject.network()
    return areas, Subject.areas(areas, name="Your areas")


@dataclass(frozen=True)
class Headline:
    current: Moments
    previous: Moments
    change: MeanChange
    pass_interval: Interval | None
    network: Moments
    area: Moments | None  # a location's area

    @property
    def summary(self) -> Summary:
        return self.current.summary()


@dataclass(frozen=True)
class StandardRow:
    info: StandardInfo
    counts: Counts
    compliance: Compliance
    network: Counts  # the whole network, subject included
    vs_network: Comparison | None  # against the rest of the network; None for the network
    area: Counts | None  # a location's area, the location included
    vs_area: Comparison | None  # a location against the rest of its area
    potential: float | None  # score points to gain (gap x weight)

    @property
    def network_rate(self) -> float | None:
        return self.network.rate

    @property
    def area_rate(self) -> float | None:
        return self.area.rate if self.area is not None else None


@dataclass(frozen=True)
class Breakdown:
    """A section or a dimension: the subject's figure next to the network's."""

    key: str
    label: str
    subject: Moments | Counts
    network: Moments | Counts

    @property
    def value(self) -> float | None:
        return _value(self.subject)

    @property
    def network_value(self) -> float | None:
        return _value(self.network)

    @property
    def n(self) -> int:
        return self.subject.n


def _value(x: Moments | Counts) -> float | None:
    return x.mean if isinstance(x, Moments) else x.percent


@dataclass(frozen=True)
class TrendPoint:
    bucket: Bucket
    subject: Moments
    network: Moments
    change: MeanChange | None  # from the point before (None for the first)


@dataclass(frozen=True)
class Slot:
    """A time slot (weekends, evenings, ...) against the other slots of its kind."""

    key: int
    label: str
    subject: Moments
    network: Moments
    versus_rest: MeanChange


@dataclass(frozen=True)
class Report:
    subject: Subject
    selection: Selection
    previous_period: Period
    headline: Headline
    network_standing: figures.Standing | None
    area_standing: figures.Standing | None
    standards: list[StandardRow]
    focus: list[StandardRow]
    sections: list[Breakdown]
    dimensions: list[Breakdown]
    trend: list[TrendPoint]
    weekparts: list[Slot]
    dayparts: list[Slot]
    grid: dict[tuple[int, int], Moments]  # (weekend, daypart) -> subject moments
    visits: list[Visit] = field(default_factory=list)

    @property
    def checklist(self) -> ChecklistInfo:
        return self.selection.checklist

    @property
    def period(self) -> Period:
        return self.selection.period

    @property
    def enough(self) -> bool:
        """Whether the subject has enough visits in the period for verdicts and ranks."""
        return self.headline.current.n >= self.selection.thresholds.min_n

    @property
    def verdicts(self) -> Counter:
        return Counter(row.compliance.verdict for row in self.standards)

    def verdict_count(self, verdict: str) -> int:
        return self.verdicts.get(Verdict(verdict), 0)


def build(selection: Selection, subject: Subject, *, with_visits: bool = True) -> Report:
    """Compute every figure of a subject in the selected period."""
    info, t, period = selection.checklist, selection.thresholds, selection.period
    previous = period.previous()
    current_ranges = Ranges.of(info.version_ids, period.start, period.end)
    loc_now, area_now = current_ranges.locations()
    loc_before, area_before = Ranges.of(info.version_ids, previous.start, previous.end).locations()

    def pick(by_location: dict, by_area: dict, zero):
        if subject.kind is SubjectKind.LOCATION:
            return by_location.get(subject.location_id, zero)
        if subject.kind is SubjectKind.AREAS:
            return total((by_area.get(a, zero) for a in subject.area_ids), zero)
        return total(by_area.values(), zero)

    now, before = pick(loc_now, area_now, Moments()), pick(loc_before, area_before, Moments())
    network_now = total(area_now.values(), Moments())
    is_location = subject.kind is SubjectKind.LOCATION
    headline = Headline(
        current=now,
        previous=before,
        change=figures.change(now, before, t),
        pass_interval=figures.pass_interval(now),
        network=network_now,
        area=area_now.get(subject.area_ids[0], Moments()) if is_location else None,
    )
    network_standing = area_standing = None
    if is_location:
        network_standing, area_standing = _standings(subject, loc_now, t)

    standards = _standards(selection, subject, current_ranges)
    ranked = sorted(
        (row for row in standards if row.potential),
        key=lambda row: (-row.potential, row.info.position),
    )
    return Report(
        subject=subject,
        selection=selection,
        previous_period=previous,
        headline=headline,
        network_standing=network_standing,
        area_standing=area_standing,
        standards=standards,
        focus=ranked[:FOCUS_SIZE],
        sections=_sections(info, subject, current_ranges),
        dimensions=_dimensions(info, standards),
        trend=_trend(selection, subject),
        **_slots(selection, subject, current_ranges),
        visits=_visits(selection, subject) if is_location and with_visits else [],
    )


def _standings(subject: Subject, moments: dict[int, Moments], t: figures.Thresholds):
    """The location's rank in the network and in its area, by network-wide shrunk scores."""
    shrunk = figures.shrunk_scores(moments)
    network = figures.standings(moments, shrunk, set(moments) | {subject.location_id}, t)
    in_area = set(
        db.session.scalars(select(Location.id).where(Location.area_id == subject.area_ids[0]))
    )
    area = figures.standings(moments, shrunk, in_area | {subject.location_id}, t)
    return network[subject.location_id], area[subject.location_id]


def _location_scan(selection: Selection, subject: Subject) -> sql.Scan:
    period = selection.period
    return sql.Scan(
        selection.checklist.version_ids,
        period.start,
        period.end,
        sql.at_location(subject.location_id),
    )


def _subject_counts(selection: Selection, subject: Subject, by_area) -> dict[str, Counts]:
    if subject.kind is SubjectKind.LOCATION:
        rows = sql.standard_counts(_location_scan(selection, subject), {"s": None})
        return {item: groups["s"] for item, groups in rows.items()}
    if subject.kind is SubjectKind.AREAS:
        return totals((by_area.get(a, {}) for a in subject.area_ids), Counts())
    return totals(by_area.values(), Counts())


def _standards(selection: Selection, subject: Subject, ranges: Ranges) -> list[StandardRow]:
    t, info = selection.thresholds, selection.checklist
    by_area = ranges.items()
    network = totals(by_area.values(), Counts())
    mine = _subject_counts(selection, subject, by_area)
    is_location = subject.kind is SubjectKind.LOCATION
    area = by_area.get(subject.area_ids[0], {}) if is_location else {}
    rows = []
    for standard in info.standards:
        counts = mine.get(standard.id, Counts())
        in_network = network.get(standard.id, Counts())
        if standard.retired and not in_network.n:
            continue  # an older version's item that nobody answered in this period
        in_area = area.get(standard.id, Counts()) if is_location else None
        rows.append(
            StandardRow(
                info=standard,
                counts=counts,
                compliance=figures.compliance(counts, t),
                network=in_network,
                vs_network=(
                    figures.versus(counts, in_network - counts, t)
                    if subject.kind is not SubjectKind.NETWORK
                    else None
                ),
                area=in_area,
                vs_area=figures.versus(counts, in_area - counts, t) if in_area else None,
                potential=figures.potential(counts, standard.share, t),
            )
        )
    return rows


def _sections(info: ChecklistInfo, subject: Subject, ranges: Ranges) -> list[Breakdown]:
    wanted = [subject.location_id] if subject.kind is SubjectKind.LOCATION else []
    by_location, by_area = ranges.sections(wanted)
    network = totals(by_area.values(), Moments())
    if subject.kind is SubjectKind.LOCATION:
        mine = by_location.get(subject.location_id, {})
    elif subject.kind is SubjectKind.AREAS:
        mine = totals((by_area.get(a, {}) for a in subject.area_ids), Moments())
    else:
        mine = network
    return [
        Breakdown(s.id, s.title, mine.get(s.id, Moments()), network.get(s.id, Moments()))
        for s in info.sections
        if s.current or s.id in network
    ]


def _dimensions(info: ChecklistInfo, standards: list[StandardRow]) -> list[Breakdown]:
    """Per service-quality dimension: the share of points earned on its standards."""
    out = []
    for dimension in info.dimensions:
        rows = [r for r in standards if r.info.dimension == dimension]
        out.append(
            Breakdown(
                dimension,
                dimension.capitalize(),
                total((r.counts for r in rows), Counts()),
                total((r.network for r in rows), Counts()),
            )
        )
    return out


def _trend(selection: Selection, subject: Subject) -> list[TrendPoint]:
    """The subject and the network per month or quarter, with the change between points."""
    buckets = trend_buckets(selection.period, selection.granularity)
    data = per_bucket_locations(
        selection.checklist.version_ids, [(b.start, b.end) for b in buckets]
    )
    points: list[TrendPoint] = []
    for bucket, (by_location, by_area) in zip(buckets, data, strict=True):
        if subject.kind is SubjectKind.LOCATION:
            mine = by_location.get(subject.location_id, Moments())
        elif subject.kind is SubjectKind.AREAS:
            mine = total((by_area.get(a, Moments()) for a in subject.area_ids), Moments())
        else:
            mine = total(by_area.values(), Moments())
        change = figures.change(mine, points[-1].subject, selection.thresholds) if points else None
        points.append(TrendPoint(bucket, mine, total(by_area.values(), Moments()), change))
    return points


def _slots(selection: Selection, subject: Subject, ranges: Ranges) -> dict:
    """Weekdays against weekends and morning / afternoon / evening, in local time."""
    by_area = ranges.slots()
    network = totals(by_area.values(), Moments())
    if subject.kind is SubjectKind.LOCATION:
        weekend, daypart = sql.weekend().label("weekend"), sql.daypart().label("daypart")
        rows = sql.visit_moments(
            _location_scan(selection, subject), {"s": None}, by=(weekend, daypart)
        )
        mine = {(int(w), int(d)): groups["s"] for (w, d), groups in rows.items()}
    elif subject.kind is SubjectKind.AREAS:
        mine = totals((by_area.get(a, {}) for a in subject.area_ids), Moments())
    else:
        mine = network
    t = selection.thresholds

    def split(parts, position: int) -> list[Slot]:
        def part(source, key):
            return total((m for slot, m in source.items() if slot[position] == key), Moments())

        everything = total(mine.values(), Moments())
        out = []
        for key, label in parts:
            slot = part(mine, key)
            out.append(
                Slot(
                    key, label, slot, part(network, key), figures.change(slot, everything - slot, t)
                )
            )
        return out

    return {"weekparts": split(WEEKPARTS, 0), "dayparts": split(DAYPARTS, 1), "grid": mine}


def _visits(selection: Selection, subject: Subject) -> list[Visit]:
    return sql.visit_rows(_location_scan(selection, subject), limit=VISIT_LIST_LIMIT)
