"""Fill a process's rollup store in the background, so managers rarely meet a cold worker.

A fresh gunicorn worker would otherwise read a year of the network's answers on its first
dashboard requests (seconds on a large network, docs/benchmarks.md). gunicorn.conf.py
starts warm_in_background() once per worker: the worker serves at once, and the store
fills while it does (the store is thread-safe; a page that needs a month before the warm
thread reached it reads that month itself).

What is read mirrors the default pages: the trend's months of per-location scores, and the
default period (the last 3 months up to the newest approved visit) with the period before
it for the per-standard, per-section and time-of-day figures.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, date, datetime

from ..extensions import db
from . import checklist as checklists
from . import sql
from .period import add_months
from .rollups import Kind, for_app, split_by_month

log = logging.getLogger(__name__)
DETAIL_MONTHS = 6  # the default 3-month period and the one before it
DETAIL_KINDS = (Kind.ITEMS, Kind.SECTIONS, Kind.SLOTS)


def months_back(latest: date, months: int) -> tuple[date, date]:
    """The first day `months - 1` months before latest's month, and the last day of it."""
    first = add_months(latest.replace(day=1), -(months - 1))
    last = date.fromordinal(add_months(latest, 1).toordinal() - 1)
    return first, last


def warm(months: int) -> int:
    """Fill the store for every checklist, up to its newest approved visit's month.

    Per-location scores for `months` months, the other kinds for up to DETAIL_MONTHS.
    Returns the number of chunks read; 0 when months is 0 or the store is off.
    """
    store = for_app()
    if months <= 0 or store.max_chunks <= 0:
        return 0
    filled = 0
    for key, _title in checklists.keys():
        info = checklists.load(key)
        if info is None:
            continue
        latest = sql.latest_local_date(info.version_ids) or datetime.now(UTC).date()
        plan = [(Kind.LOCATIONS, months)] + [(k, min(months, DETAIL_MONTHS)) for k in DETAIL_KINDS]
        for kind, count in plan:
            ranges = split_by_month(*months_back(latest, count))
            filled += len(store.get(kind, info.version_ids, ranges))
            db.session.rollback()  # end the read: the next kind reads the database as it is now
    return filled


def warm_quietly(app) -> int:
    """warm() with the app's ANALYTICS_WARM_MONTHS; a failure is logged, never raised.

    A worker whose database is briefly down still serves (pages fill the store on demand).
    """
    months = app.config.get("ANALYTICS_WARM_MONTHS", 0)
    started = time.perf_counter()
    try:
        with app.app_context():
            try:
                chunks = warm(months)
            finally:
                db.session.remove()
    except Exception:
        log.exception("analytics: warming the rollup store failed; pages will fill it")
        return 0
    if chunks:
        seconds = time.perf_counter() - started
        log.info("analytics: warmed %d chunks in %.1f s", chunks, seconds)
    return chunks


def warm_in_background(app) -> threading.Thread:
    """Start warm_quietly(app) on a daemon thread; return the thread."""
    thread = threading.Thread(target=warm_quietly, args=(app,), name="analytics-warm", daemon=True)
    thread.start()
    return thread
