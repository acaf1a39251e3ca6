"""Fill a process's rollup store before it serves, so no manager waits for a cold worker.

A fresh gunicorn worker would otherwise read a year of the network's answers on its first
dashboard requests (seconds on a large network, docs/benchmarks.md). gunicorn.conf.py calls
warm() once per worker, after the app is loaded and before the first request.
"""

from __future__ import annotations

import logging
import time
from datetime import date

from ..extensions import db
from . import checklist as checklists
from .period import add_months
from .rollups import Kind, for_app, split_by_month

log = logging.getLogger(__name__)
KINDS = (Kind.LOCATIONS, Kind.ITEMS, Kind.SECTIONS, Kind.SLOTS)


def months_back(today: date, months: int) -> tuple[date, date]:
    """The first day `months - 1` months before today's month, and the last day of today's."""
    first = add_months(today.replace(day=1), -(months - 1))
    last = date.fromordinal(add_months(today, 1).toordinal() - 1)
    return first, last


def warm(months: int, today: date) -> int:
    """Fill every kind of chunk of the last `months` months for every checklist.

    Returns the number of chunks read; 0 when months is 0 or the store is off.
    """
    store = for_app()
    if months <= 0 or store.max_chunks <= 0:
        return 0
    ranges = split_by_month(*months_back(today, months))
    filled = 0
    for key, _title in checklists.keys():
        info = checklists.load(key)
        if info is None:
            continue
        for kind in KINDS:
            filled += len(store.get(kind, info.version_ids, ranges))
    return filled


def warm_quietly(app, today: date | None = None) -> None:
    """warm() with the app's ANALYTICS_WARM_MONTHS; a failure is logged, never raised.

    A worker whose database is briefly down still starts and serves (pages fill the
    store on demand then).
    """
    months = app.config.get("ANALYTICS_WARM_MONTHS", 0)
    started = time.perf_counter()
    try:
        with app.app_context():
            try:
                chunks = warm(months, today or date.today())
            finally:
                db.session.remove()
    except Exception:
        log.exception("analytics: warming the rollup store failed; pages will fill it")
        return
    if chunks:
        seconds = time.perf_counter() - started
        log.info("analytics: warmed %d chunks in %.1f s", chunks, seconds)
