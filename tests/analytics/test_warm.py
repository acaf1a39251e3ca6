"""A gunicorn worker fills the analytics store before its first request."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import event

from audit_app.analytics import checklist as checklists
from audit_app.analytics import rollups
from audit_app.analytics.warm import DETAIL_KINDS, months_back, warm, warm_in_background
from audit_app.extensions import db


def test_months_back_covers_whole_calendar_months():
    assert months_back(date(2026, 11, 23), 13) == (date(2025, 11, 1), date(2026, 11, 30))
    assert months_back(date(2026, 3, 31), 1) == (date(2026, 3, 1), date(2026, 3, 31))


def test_warm_fills_every_kind_so_pages_read_no_network_answers(app, network):
    with app.app_context():
        store = rollups.for_app()
        store.clear()
        # the network's newest approved visit is on 1 November 2026 (Jakarta)
        assert warm(13) == 13 + 6 * len(DETAIL_KINDS)
        months = {key[1]: set(parts) for key, parts in store._chunks.items()}
        assert min(months) == date(2025, 11, 1) and max(months) == date(2026, 11, 1)
        assert months[date(2026, 5, 1)] == {rollups.Kind.LOCATIONS}
        assert months[date(2026, 6, 1)] == {rollups.Kind.LOCATIONS, *DETAIL_KINDS}
        statements = []
        listen = lambda *a: statements.append(a[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            (key, _), *_ = checklists.keys()
            october = [(date(2026, 10, 1), date(2026, 10, 31))]
            data = store.get(rollups.Kind.ITEMS, checklists.load(key).version_ids, october)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        assert not any("answers" in sql for sql in statements), statements
        assert data[0]["area"], "October's approved answers are in the warmed chunk"


def test_nothing_is_read_when_warming_is_off(app, network):
    with app.app_context():
        store = rollups.for_app()
        store.clear()
        assert warm(0) == 0
        assert not store._chunks


def test_the_worker_warms_in_the_background_and_survives_a_failing_database(
    app, network, caplog, monkeypatch
):
    app.config["ANALYTICS_WARM_MONTHS"] = 3
    with app.app_context():
        rollups.for_app().clear()
    warm_in_background(app).join(timeout=30)
    with app.app_context():
        parts = rollups.for_app()._chunks.values()
        assert len(parts) == 3 and all(len(p) == 4 for p in parts)  # 3 months, every kind

    def broken(*_):
        raise RuntimeError("database is down")

    monkeypatch.setattr("audit_app.analytics.warm.warm", broken)
    with caplog.at_level(logging.ERROR):
        warm_in_background(app).join(timeout=30)
    assert "warming the rollup store failed" in caplog.text
