"""A gunicorn worker fills the analytics store before its first request."""

from __future__ import annotations

import logging
import threading
from datetime import date

import pytest
from sqlalchemy import event

from audit_app.analytics import checklist as checklists
from audit_app.analytics import rollups
from audit_app.analytics.report import Subject, build
from audit_app.analytics.selection import resolve
from audit_app.analytics.warm import DETAIL_KINDS, months_back, warm, warm_in_background
from audit_app.extensions import db
from audit_app.models import User, VisitStatus
from audit_app.services import review


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


@pytest.fixture
def paused_warm(app, monkeypatch):
    """Start the warm thread and hold it just before its first read of the network."""
    from audit_app.analytics import warm as warm_module

    app.config["ANALYTICS_WARM_MONTHS"] = 13
    with app.app_context():
        rollups.for_app().recheck_seconds = 3600.0  # only audited changes are seen at once
        rollups.for_app().clear()
    paused, go = threading.Event(), threading.Event()
    real = rollups._fingerprints

    def gated(*args, **kwargs):
        if threading.current_thread().name == "analytics-warm" and not paused.is_set():
            paused.set()
            go.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(rollups, "_fingerprints", gated)
    thread = warm_module.warm_in_background(app)
    assert paused.wait(30)
    yield go.set
    go.set()
    thread.join(30)
    with app.app_context():
        rollups.for_app().recheck_seconds = 0.0


def _approve(app, add_visit, visit_id: int) -> None:
    with app.app_context():
        review.approve(visit_id, db.session.get(User, add_visit.user("reviewer").id))
        db.session.remove()


def _network_n(app, make_user) -> int:
    admin_id = make_user("admin")
    with app.test_request_context():
        selection = resolve({"period": "2026-10"}, db.session.get(User, admin_id))
        return build(selection, Subject.network()).headline.current.n


@pytest.mark.parametrize("page_read_during_warm", [True, False])
def test_an_approval_during_the_warm_up_is_never_lost(
    app, network, add_visit, make_user, paused_warm, page_read_during_warm
):
    """The warm thread read the network before a visit was approved; what it stores later
    must not hide that approval (it is kept out, or checked again on the next read)."""
    pending = add_visit(network.ids["B"], date(2026, 10, 12), status=VisitStatus.SUBMITTED)
    before = _network_n(app, make_user) if page_read_during_warm else 9
    _approve(app, add_visit, pending)
    if page_read_during_warm:
        assert _network_n(app, make_user) == before + 1
    else:
        with app.test_request_context():
            rollups.for_app()._refresh()  # another page's request takes in the approval
    paused_warm()  # the warm thread stores what it read
    assert _network_n(app, make_user) == before + 1
