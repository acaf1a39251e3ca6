"""Network-wide aggregates per month, kept in memory and checked against the database.

Every location page compares its location with the whole network, and every compare page
ranks the whole network: both need aggregates over all approved visits of a period (a
quarter of a 1,000-branch network is over a million answers). Those aggregates are the
same for every viewer and every location, so they are computed per *chunk* (a calendar
month, or the part of one month a custom range covers) with one GROUP BY per *kind*, and
kept here. Periods and trends add chunks up: moments and counts are additive.

Freshness, cheapest check first:

1. On every request, a fingerprint of the audited changes (the newest approval and
   correction in the audit log), the newest visit (id and arrival time, which tells a
   replaced database apart) and the location -> area map. Unchanged: every chunk is
   current.
   - New approvals are *added* to the chunks of their months: each kind keeps the newest
     review time it counts (its watermark), and the visits approved after it are
     aggregated (a handful of rows) and added, copy-on-write. A visit is never counted
     twice: the watermark is the maximum over exactly the rows counted.
   - A correction drops the chunks of the corrected visit's month (they are refilled).
   - A moved location, or a database that went back in time, drops everything.
2. At most every ANALYTICS_RECHECK_SECONDS (always when it is 0), each chunk in use is
   compared with a per-chunk fingerprint of its approved visits (count, newest id, newest
   receipt and review time); a difference refills it. This catches what the audit log does
   not show (bulk loads, manual SQL, an approval that committed late with an older time).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app, g
from sqlalchemy import ColumnElement, Integer, and_, case, cast, func, select

from ..extensions import db
from ..models import Answer, AuditEntry, Location, SectionScore, Visit
from . import sql

# audited actions that change what analytics count
APPROVE, CORRECT = "visit.approve", "answer.correct"

Range = tuple[date, date]
COMBINED_KEPT = 64
EMPTY_PRINT: tuple = (0, None, None, None)


class Kind:
    """What a chunk holds, each filled by one query."""

    # {"location": {location_id: Moments}, "area": {area_id: Moments}} of visit scores
    LOCATIONS = "locations"
    # {"area": {area_id: {item_id: Counts}}} of answers
    ITEMS = "items"
    # {"location": {location_id: {section_id: Moments}}, "area": {...}} of section percentages
    SECTIONS = "sections"
    # {"area": {area_id: {(weekend, daypart): Moments}}} of visit scores
    SLOTS = "slots"


@dataclass(frozen=True)
class Part:
    """One kind's aggregates of one chunk, and what they reflect."""

    data: dict
    fingerprint: tuple  # (count, newest id, newest receipt, newest review) when filled
    watermark: datetime | None  # the newest review time among the visits counted
    checked_at: float


@dataclass(frozen=True)
class Changes:
    """The cheap fingerprint: audited changes, newest visit, where each location belongs."""

    approve_id: int
    correct_id: int
    newest_visit: int
    newest_received: datetime | None  # identifies the newest visit beyond its id
    location_map: str


class Rollups:
    """The chunk store of one process; thread-safe, bounded (least recently used goes)."""

    def __init__(self, max_chunks: int, recheck_seconds: float) -> None:
        self.max_chunks = max_chunks
        self.recheck_seconds = recheck_seconds
        # (versions, start, end) -> {kind: Part}
        self._chunks: OrderedDict[tuple, dict[str, Part]] = OrderedDict()
        # sums over several chunks, with the data objects they were made from
        self._combined: OrderedDict[tuple, tuple[list[Any], Any]] = OrderedDict()
        self._changes: Changes | None = None
        # bumped whenever stored parts are changed or dropped for audited changes: a fill
        # that ran across a bump may hold figures older than the store's (see get)
        self._generation = 0
        self._lock = threading.Lock()  # guards the dictionaries
        self._apply = threading.Lock()  # one thread at a time adds approvals

    # ---- public ---------------------------------------------------------------------------

    def get(self, kind: str, version_ids: Sequence[int], ranges: Sequence[Range]) -> list[Any]:
        """The kind's data for each range (each within one calendar month), in order.

        The data are shared between requests: read them, never change them.
        """
        versions = tuple(sorted(version_ids))
        if self.max_chunks <= 0:
            return [data for data, _ in _fill(kind, versions, list(ranges))]
        self._refresh()
        keys = list(dict.fromkeys((versions, start, end) for start, end in ranges))
        self._check(kind, versions, keys)
        found: dict[tuple, Any] = {}
        with self._lock:
            for key in keys:
                part = self._chunks.get(key, {}).get(kind)
                if part is not None:
                    found[key] = part.data
                    self._chunks.move_to_end(key)
        missing = [key for key in keys if key not in found]
        if missing:
            spans = [(k[1], k[2]) for k in missing]
            with self._lock:
                generation = self._generation
            # fingerprint first: a change in between only makes a later check refill
            prints = _fingerprints(versions, spans)
            filled = _fill(kind, versions, spans)
            now = time.monotonic()
            with self._lock:
                # another thread took in approvals or corrections while this one read: what
                # it read may predate them, so keep a part stored meanwhile, and have this
                # one checked against the database on the next read
                raced = self._generation != generation
                for key, fingerprint, (data, mark) in zip(missing, prints, filled, strict=True):
                    found[key] = data
                    parts = self._chunks.setdefault(key, {})
                    self._chunks.move_to_end(key)
                    if raced and kind in parts:
                        continue
                    checked = -math.inf if raced else now
                    parts[kind] = Part(data, fingerprint, mark, checked)
        with self._lock:
            while len(self._chunks) > self.max_chunks:
                self._chunks.popitem(last=False)
        return [found[(versions, start, end)] for start, end in ranges]

    def combined(
        self,
        kind: str,
        version_ids: Sequence[int],
        ranges: Sequence[Range],
        combine: Callable[[list[Any]], Any],
    ) -> Any:
        """combine(chunks) of get(), remembered while the very same chunk data back it.

        Adding a thousand locations' moments over three months is the slowest part of a
        warm compare page. Chunk data are replaced, never changed, so identity is enough.
        """
        chunks = self.get(kind, version_ids, ranges)
        key = (kind, tuple(sorted(version_ids)), tuple(ranges))
        with self._lock:
            memo = self._combined.get(key)
        if memo is not None and len(memo[0]) == len(chunks):
            if all(a is b for a, b in zip(memo[0], chunks, strict=True)):
                return memo[1]
        value = combine(chunks)
        if self.max_chunks > 0:
            with self._lock:
                self._combined[key] = (chunks, value)
                self._combined.move_to_end(key)
                while len(self._combined) > COMBINED_KEPT:
                    self._combined.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget everything (after editing the database by hand, for example)."""
        with self._lock:
            self._generation += 1
            self._chunks.clear()
            self._combined.clear()
            self._changes = None

    def forget_months(self, months: set[tuple[int, int]]) -> None:
        """Drop the chunks of some (year, month)s: they are refilled when next asked for."""
        with self._lock:
            self._generation += 1
            for key in [k for k in self._chunks if (k[1].year, k[1].month) in months]:
                del self._chunks[key]

    # ---- freshness ------------------------------------------------------------------------

    def _refresh(self) -> None:
        """Take in the audited changes since the last request (once per request)."""
        if g.get("_analytics_refreshed"):
            return
        g._analytics_refreshed = True
        changes = _changes()
        with self._lock:
            before = self._changes
        if before == changes:
            return
        if before is None:
            with self._lock:
                self._changes = changes
            return
        with self._lock:
            self._generation += 1  # fills running now may predate these changes
        if (
            changes.location_map != before.location_map
            or changes.approve_id < before.approve_id
            or changes.correct_id < before.correct_id
            or changes.newest_visit < before.newest_visit
            or _received(before.newest_visit) != before.newest_received
        ):
            # moved locations, or a database that went back in time or was replaced
            # (a restored backup, an emptied test database): nothing stored is known good
            self.clear()
        else:
            if changes.correct_id > before.correct_id:
                self.forget_months(_months_of(CORRECT, before.correct_id, changes.correct_id))
            if changes.approve_id > before.approve_id:
                self.add_approvals(_months_of(APPROVE, before.approve_id, changes.approve_id))
        with self._lock:
            self._changes = changes

    def add_approvals(self, months: set[tuple[int, int]]) -> None:
        """Add to the stored chunks of these months the visits approved after their watermark.

        One query per chunk finds the visits reviewed after the oldest watermark among its
        kinds; each kind then aggregates exactly its own new visits, by id.
        """
        with self._apply:
            with self._lock:
                todo: dict[tuple, list[tuple[str, Part]]] = {}
                for key, parts in self._chunks.items():
                    if (key[1].year, key[1].month) in months:
                        todo[key] = list(parts.items())
            for key, parts in todo.items():
                versions, span = key[0], (key[1], key[2])
                marks = [part.watermark for _, part in parts]
                floor = None if None in marks else min(marks)
                scan = sql.Scan(versions, span[0], span[1], _reviewed_after(floor))
                rows = db.session.execute(
                    select(Visit.id, Visit.received_at, Visit.reviewed_at).where(*scan.conditions())
                ).all()
                for kind, part in parts:
                    mine = [
                        r
                        for r in rows
                        if r.reviewed_at is not None
                        and (part.watermark is None or r.reviewed_at > part.watermark)
                    ]
                    if mine:
                        self._add_visits(key, kind, part, mine)

    def _add_visits(self, key: tuple, kind: str, part: Part, rows: list) -> None:
        """Replace a part by itself plus the aggregates of some newly approved visits."""
        versions, span = key[0], (key[1], key[2])
        delta, mark = _fill(kind, versions, [span], Visit.id.in_([r.id for r in rows]))[0]
        fingerprint = (
            len(rows),
            max(r.id for r in rows),
            max(r.received_at for r in rows),
            max(r.reviewed_at for r in rows),
        )
        updated = Part(
            data=_merged(part.data, delta),
            fingerprint=_added_print(part.fingerprint, fingerprint),
            watermark=max(filter(None, (part.watermark, mark)), default=None),
            checked_at=part.checked_at,
        )
        with self._lock:
            parts = self._chunks.get(key)
            if parts is not None and parts.get(kind) is part:
                parts[kind] = updated

    def _check(self, kind: str, versions: tuple[int, ...], keys: list[tuple]) -> None:
        """Compare parts not checked for recheck_seconds with their visits' fingerprint."""
        now = time.monotonic()
        with self._lock:
            due = [
                key
                for key in keys
                if kind in self._chunks.get(key, {})
                and now - self._chunks[key][kind].checked_at >= self.recheck_seconds
            ]
        if not due:
            return
        prints = _fingerprints(versions, [(k[1], k[2]) for k in due])
        with self._lock:
            for key, fingerprint in zip(due, prints, strict=True):
                parts = self._chunks.get(key, {})
                part = parts.get(kind)
                if part is None:
                    continue
                if part.fingerprint == fingerprint:
                    parts[kind] = Part(part.data, part.fingerprint, part.watermark, now)
                else:
                    del parts[kind]


_made = threading.Lock()


def for_app() -> Rollups:
    """The app's chunk store, made on first use (once, even when threads race to it)."""
    store = current_app.extensions.get("analytics_rollups")
    if store is None:
        with _made:
            store = current_app.extensions.get("analytics_rollups")
            if store is None:
                store = Rollups(
                    current_app.config.get("ANALYTICS_CACHE_CHUNKS", 512),
                    current_app.config.get("ANALYTICS_RECHECK_SECONDS", 60),
                )
                current_app.extensions["analytics_rollups"] = store
    return store


def split_by_month(start: date, end: date) -> list[Range]:
    """Cut an inclusive date range at month boundaries: the chunks that cover it."""
    from .period import add_months

    out = []
    cursor = start
    while cursor <= end:
        month_end = min(end, date.fromordinal(add_months(cursor, 1).toordinal() - 1))
        out.append((cursor, month_end))
        cursor = date.fromordinal(month_end.toordinal() + 1)
    return out


# ---- merging ---------------------------------------------------------------------------------


def _merged(base: dict, delta: dict) -> dict:
    """A new structure: base with delta added leaf by leaf (base is not changed)."""
    out = dict(base)
    for key, value in delta.items():
        if isinstance(value, dict):
            out[key] = _merged(base.get(key, {}), value)
        else:
            out[key] = out[key] + value if key in out else value
    return out


def _added_print(a: tuple, b: tuple) -> tuple:
    """The fingerprint of two disjoint sets of visits together."""

    def newest(x, y):
        return y if x is None else x if y is None else max(x, y)

    return (a[0] + b[0], *(newest(x, y) for x, y in zip(a[1:], b[1:], strict=True)))


# ---- queries --------------------------------------------------------------------------------


def _max_audit_id(action: str) -> int:
    return (
        db.session.scalar(select(func.max(AuditEntry.id)).where(AuditEntry.action == action)) or 0
    )


def _changes() -> Changes:
    rows = db.session.execute(select(Location.id, Location.area_id).order_by(Location.id)).all()
    location_map = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
    newest = db.session.scalar(select(func.max(Visit.id))) or 0
    return Changes(
        approve_id=_max_audit_id(APPROVE),
        correct_id=_max_audit_id(CORRECT),
        newest_visit=newest,
        newest_received=_received(newest),
        location_map=location_map,
    )


def _received(visit_id: int) -> datetime | None:
    """When a visit arrived (None when there is no such visit)."""
    if not visit_id:
        return None
    return db.session.scalar(select(Visit.received_at).where(Visit.id == visit_id))


def _months_of(action: str, after_id: int, upto_id: int) -> set[tuple[int, int]]:
    """(year, month) of the visits an audited action touched between two audit ids."""
    target = select(cast(AuditEntry.target_id, Integer)).where(
        AuditEntry.action == action,
        AuditEntry.target_type == Visit.__tablename__,
        AuditEntry.id > after_id,
        AuditEntry.id <= upto_id,
    )
    days = db.session.scalars(select(Visit.local_date).where(Visit.id.in_(target)).distinct())
    return {(day.year, day.month) for day in days}


def _reviewed_after(watermark: datetime | None) -> ColumnElement[bool]:
    if watermark is None:
        return Visit.reviewed_at.is_not(None)
    return Visit.reviewed_at > watermark


def _chunk_index(ranges: Sequence[Range]) -> Any:
    return case(
        *[
            (and_(Visit.local_date >= start, Visit.local_date <= end), index)
            for index, (start, end) in enumerate(ranges)
        ],
        else_=-1,
    ).label("chunk")


def _runs(ranges: Sequence[Range]) -> list[list[int]]:
    """Indexes of the ranges grouped into runs of adjacent dates (one scan per run)."""
    order = sorted(range(len(ranges)), key=lambda i: ranges[i][0])
    runs: list[list[int]] = []
    for index in order:
        if runs and ranges[runs[-1][-1]][1].toordinal() + 1 >= ranges[index][0].toordinal():
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def _per_run(
    version_ids: tuple[int, ...],
    ranges: Sequence[Range],
    where: ColumnElement[bool] | None,
    query_for: Callable[[Any, sql.Scan], Any],
    collect: Callable[[dict, Any], None],
) -> list[dict]:
    """Run a grouped query per run of adjacent ranges; rows start with the chunk index."""
    out: list[dict] = [{} for _ in ranges]
    for run in _runs(ranges):
        run_ranges = [ranges[i] for i in run]
        chunk = _chunk_index(run_ranges)
        scan = sql.Scan(version_ids, run_ranges[0][0], max(r[1] for r in run_ranges), where)
        for row in db.session.execute(query_for(chunk, scan)):
            if row[0] >= 0:
                collect(out[run[row[0]]], row)
    return out


def _fingerprints(
    version_ids: tuple[int, ...], ranges: Sequence[Range], where: ColumnElement[bool] | None = None
) -> list[tuple]:
    """(count, newest id, newest receipt, newest review) of the approved visits per range."""

    def query(chunk, scan):
        return (
            select(
                chunk,
                func.count(),
                func.max(Visit.id),
                func.max(Visit.received_at),
                func.max(Visit.reviewed_at),
            )
            .where(*scan.conditions())
            .group_by(chunk)
        )

    def collect(target: dict, row) -> None:
        target["print"] = tuple(row[1:])

    found = _per_run(version_ids, ranges, where, query, collect)
    return [entry.get("print", EMPTY_PRINT) for entry in found]


def _fill(
    kind: str,
    version_ids: tuple[int, ...],
    ranges: Sequence[Range],
    where: ColumnElement[bool] | None = None,
) -> list[tuple[dict, datetime | None]]:
    """(data, watermark) of a kind for each range: the aggregates and the newest review time."""
    query_for, collect, empty = _FILLERS[kind]
    marked = []

    def collect_marked(target: dict, row) -> None:
        if "data" not in target:
            target["data"], target["mark"] = empty(), None
        collect(target["data"], row)
        mark = row[-1]
        if mark is not None and (target["mark"] is None or mark > target["mark"]):
            target["mark"] = mark

    for entry in _per_run(version_ids, ranges, where, query_for, collect_marked):
        marked.append((entry.get("data") or empty(), entry.get("mark")))
    return marked


def _add(target: dict, key, value) -> None:
    target[key] = target[key] + value if key in target else value


def _locations_query(chunk, scan):
    return (
        select(
            chunk,
            Location.area_id,
            Visit.location_id,
            *sql.moments_columns(None),
            func.max(Visit.reviewed_at),
        )
        .join(Location, Location.id == Visit.location_id)
        .where(*scan.conditions())
        .group_by(chunk, Location.area_id, Visit.location_id)
    )


def _locations_collect(target: dict, row) -> None:
    moments = sql.moments_from(row[3:11])
    target["location"][row[2]] = moments
    _add(target["area"], row[1], moments)


def _items_query(chunk, scan):
    return (
        select(
            chunk,
            Location.area_id,
            Answer.item_id,
            *sql.counts_columns(None),
            func.max(Visit.reviewed_at),
        )
        .select_from(Answer)
        .join(Visit, Visit.id == Answer.visit_id)
        .join(Location, Location.id == Visit.location_id)
        .where(*scan.conditions())
        .group_by(chunk, Location.area_id, Answer.item_id)
    )


def _items_collect(target: dict, row) -> None:
    target["area"].setdefault(row[1], {})[row[2]] = sql.counts_from(row[3:7])


def _sections_query(chunk, scan):
    return (
        select(
            chunk,
            Location.area_id,
            Visit.location_id,
            SectionScore.section_id,
            *sql.section_columns(None),
            func.max(Visit.reviewed_at),
        )
        .select_from(SectionScore)
        .join(Visit, Visit.id == SectionScore.visit_id)
        .join(Location, Location.id == Visit.location_id)
        .where(*scan.conditions())
        .group_by(chunk, Location.area_id, Visit.location_id, SectionScore.section_id)
    )


def _sections_collect(target: dict, row) -> None:
    moments = sql.moments_from(row[4:12])
    target["location"].setdefault(row[2], {})[row[3]] = moments
    _add(target["area"].setdefault(row[1], {}), row[3], moments)


WEEKEND, DAYPART = sql.weekend().label("weekend"), sql.daypart().label("daypart")


def _slots_query(chunk, scan):
    return (
        select(
            chunk,
            Location.area_id,
            WEEKEND,
            DAYPART,
            *sql.moments_columns(None),
            func.max(Visit.reviewed_at),
        )
        .join(Location, Location.id == Visit.location_id)
        .where(*scan.conditions())
        .group_by(chunk, Location.area_id, WEEKEND, DAYPART)
    )


def _slots_collect(target: dict, row) -> None:
    slot = (int(row[2]), int(row[3]))
    target["area"].setdefault(row[1], {})[slot] = sql.moments_from(row[4:12])


def _by_location_and_area() -> dict:
    return {"location": {}, "area": {}}


def _by_area() -> dict:
    return {"area": {}}


_FILLERS: dict[str, tuple[Callable, Callable, Callable[[], dict]]] = {
    Kind.LOCATIONS: (_locations_query, _locations_collect, _by_location_and_area),
    Kind.ITEMS: (_items_query, _items_collect, _by_area),
    Kind.SECTIONS: (_sections_query, _sections_collect, _by_location_and_area),
    Kind.SLOTS: (_slots_query, _slots_collect, _by_area),
}
