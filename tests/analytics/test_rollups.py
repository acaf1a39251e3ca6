"""The in-memory store of network aggregates never serves figures the database disagrees with."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from audit_app.analytics import rollups
from audit_app.analytics.report import Subject, build
from audit_app.analytics.selection import resolve
from audit_app.extensions import db
from audit_app.models import Area, Location, User, Visit, VisitStatus
from audit_app.services import review


@pytest.fixture
def figures_of(app, network, make_user):
    admin_id = make_user("admin")

    def read(key: str = "A"):
        with app.test_request_context():
            admin = db.session.get(User, admin_id)
            selection = resolve({"period": "2026-10"}, admin)
            location = db.session.get(Location, network.ids[key])
            return build(selection, Subject.location(location))

    return read


@pytest.fixture
def slow_recheck(app):
    """Only audited changes are noticed at once (as in production between rechecks)."""
    with app.app_context():
        store = rollups.for_app()
        before, store.recheck_seconds = store.recheck_seconds, 3600.0
    yield store
    store.recheck_seconds = before


def test_an_approval_shows_at_once(app, figures_of, add_visit, network, slow_recheck):
    assert figures_of().headline.network.n == 9
    pending = add_visit(network.ids["B"], date(2026, 10, 12), status=VisitStatus.SUBMITTED)
    assert figures_of().headline.network.n == 9  # submitted visits do not count
    with app.app_context():
        review.approve(pending, db.session.get(User, add_visit.user("reviewer").id))
        db.session.remove()
    after = figures_of()
    assert after.headline.network.n == 10
    greeted = next(r for r in after.standards if r.info.id == "greeted")
    assert greeted.network.n == 10


def test_a_correction_shows_at_once(app, figures_of, add_visit, network, slow_recheck):
    before = figures_of("C")
    assert before.headline.current.mean == pytest.approx(79.49)
    with app.app_context():
        reviewer = add_visit.user("reviewer")
        review.correct_answer(network.visits["C"][0], reviewer, "greeted", True, False, "typo")
        db.session.remove()
    after = figures_of("C")
    assert after.headline.current.mean == pytest.approx((100 + 79.49 * 2) / 3)
    greeted = next(r for r in figures_of("A").standards if r.info.id == "greeted")
    assert (greeted.network.n, greeted.network.met) == (9, 6)


def test_a_location_moved_to_another_area_moves_its_figures(app, figures_of, network):
    with app.app_context():
        db.session.execute(
            update(Location)
            .where(Location.id == network.ids["B"])
            .values(area_id=network.ids["JKT"])
        )
        db.session.commit()
        db.session.remove()
    a = figures_of("A")
    assert a.headline.area.n == 4  # B no longer in KL
    with app.app_context():
        assert db.session.get(Area, network.ids["JKT"]).code == "JKT"


def test_changes_made_outside_the_services_are_found_by_the_recheck(app, figures_of, network):
    assert figures_of().headline.network.n == 9
    with app.app_context():  # no audit entry: only the per-month fingerprint can tell
        db.session.execute(
            update(Visit)
            .where(Visit.id == network.visits["A_pending"][0])
            .values(status=VisitStatus.APPROVED)
        )
        db.session.commit()
        db.session.remove()
    assert figures_of().headline.network.n == 10


def test_the_store_is_bounded(app, network, figures_of):
    figures_of()
    with app.app_context():
        store = rollups.for_app()
        before, store.max_chunks = store.max_chunks, 3
        try:
            figures_of()
            assert len(store._chunks) <= 3
        finally:
            store.max_chunks = before


def test_split_by_month():
    assert rollups.split_by_month(date(2026, 1, 15), date(2026, 3, 2)) == [
        (date(2026, 1, 15), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 2)),
    ]


def _fresh(app, read):
    """The same figures computed without the store."""
    app.config["ANALYTICS_CACHE_CHUNKS"] = 0
    store = app.extensions.pop("analytics_rollups", None)
    try:
        return read()
    finally:
        app.config["ANALYTICS_CACHE_CHUNKS"] = 512
        if store is not None:
            app.extensions["analytics_rollups"] = store


def test_approvals_are_added_to_the_stored_months_exactly_once(
    app, figures_of, add_visit, network, slow_recheck
):
    figures_of("A")  # fill October and the trend's months
    new = [
        add_visit(network.ids["A"], date(2026, 10, 15), 18, greeted=False),
        add_visit(network.ids["B"], date(2026, 9, 15), 11, rude=False),
    ]
    assert len(new) == 2
    twice = figures_of("A"), figures_of("A")  # the second read must not add them again
    fresh = _fresh(app, lambda: figures_of("A"))
    for cached in twice:
        assert cached.headline == fresh.headline
        assert [(s.counts, s.network, s.area) for s in cached.standards] == [
            (s.counts, s.network, s.area) for s in fresh.standards
        ]
        assert cached.sections == fresh.sections
        assert [(p.subject, p.network) for p in cached.trend] == [
            (p.subject, p.network) for p in fresh.trend
        ]
        assert [s.network for s in cached.dayparts] == [s.network for s in fresh.dayparts]
    assert twice[0].headline.current.n == 5 and twice[0].headline.network.n == 10
    assert twice[0].trend[-2].network.critical == 1  # B's September visit failed "rude"


def test_an_approval_recorded_late_with_an_older_time_is_found_by_the_recheck(
    app, figures_of, network, slow_recheck
):
    assert figures_of().headline.network.n == 9
    with app.app_context():  # approved without the service: no audit entry, an old time
        visit = db.session.get(Visit, network.visits["A_pending"][0])
        visit.status, visit.reviewed_at = VisitStatus.APPROVED, visit.received_at
        db.session.commit()
        db.session.remove()
    assert figures_of().headline.network.n == 9  # not seen until the recheck is due
    slow_recheck.recheck_seconds = 0
    assert figures_of().headline.network.n == 10
