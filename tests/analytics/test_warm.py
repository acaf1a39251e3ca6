"""A gunicorn worker fills the analytics store before its first request."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import event

from audit_app.analytics import checklist as checklists
from audit_app.analytics import rollups
from audit_app.analytics.warm import KINDS, months_back, warm, warm_quietly
from audit_app.extensions import db


def test_months_back_covers_whole_calendar_months():
    assert months_back(date(2026, 11, 23), 13) == (date(2025, 11, 1), date(2026, 11, 30))
    assert months_back(date(2026, 3, 31), 1) == (date(2026, 3, 1), date(2026, 3, 31))


def test_warm_fills_every_kind_so_pages_read_no_network_answers(app, network):
    with app.app_context():
        store = rollups.for_app()
        store.clear()
        assert warm(13, date(2026, 11, 23)) == 13 * len(KINDS)
        months = {key[1] for key in store._chunks}
        assert date(2026, 10, 1) in months and date(2025, 11, 1) in months
        assert all(set(parts) == set(KINDS) for parts in store._chunks.values())
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
        assert warm(0, date(2026, 11, 23)) == 0
        assert not store._chunks


def test_a_failing_database_does_not_stop_the_worker(app, caplog, monkeypatch):
    def broken(*_):
        raise RuntimeError("database is down")

    monkeypatch.setattr("audit_app.analytics.warm.warm", broken)
    app.config["ANALYTICS_WARM_MONTHS"] = 3
    with caplog.at_level(logging.ERROR):
        warm_quietly(app)
    assert "warming the rollup store failed" in caplog.text
