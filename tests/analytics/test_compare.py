"""The comparison table: rows in scope, ranks among them, sorting with unknowns last, pages."""

from __future__ import annotations

import pytest

from audit_app.analytics import compare
from audit_app.analytics.selection import resolve
from audit_app.extensions import db
from audit_app.models import User


@pytest.fixture
def table(app, network, make_user):
    def make(role="admin", areas=(), **kwargs):
        user_id = make_user(role, areas=areas)
        with app.test_request_context():
            user = db.session.get(User, user_id)
            args = {"period": "2026-10", **kwargs.pop("args", {})}
            return compare.build(resolve(args, user), user, **kwargs)

    return make


def names(t):
    return [row.name for row in t.rows]


def test_rows_are_ranked_by_shrunk_score_and_small_samples_go_last(table):
    t = table()
    # A (4 visits, mean 93.2) above C (3 visits, 79.49); B has 2 visits: not ranked
    assert names(t) == ["Alpha", "Charlie", "Bravo"]
    assert [row.standing.rank for row in t.rows] == [1, 2, None]
    assert t.count == 3 and t.totals.n == 9 and t.network.n == 9


def test_sorting_by_any_column_in_both_directions(table):
    assert names(table(sort="score", direction="desc")) == ["Bravo", "Alpha", "Charlie"]
    assert names(table(sort="score", direction="asc")) == ["Charlie", "Alpha", "Bravo"]
    assert names(table(sort="location")) == ["Alpha", "Bravo", "Charlie"]
    assert names(table(sort="visits")) == ["Alpha", "Charlie", "Bravo"]
    # spread: C and B have none (identical scores: 0), A has some
    assert names(table(sort="spread"))[-1] == "Alpha"
    # rank: unranked rows last whichever the direction
    assert names(table(sort="rank", direction="desc")) == ["Charlie", "Alpha", "Bravo"]
    # an unknown column falls back to rank
    assert table(sort="password").sort == "rank"


def test_change_is_unknown_without_a_previous_period_and_sorts_last(table):
    t = table(sort="change", direction="asc")
    assert names(t)[0] == "Alpha"  # only A had September visits
    assert all(row.change.difference is None for row in t.rows[1:])


def test_area_manager_compares_only_their_area(table, network):
    t = table("area_manager", areas=("KL",))
    assert names(t) == ["Alpha", "Bravo"]
    assert t.totals.n == 6 and t.network.n == 9  # the network is still the benchmark
    assert t.rows[0].standing.of == 1  # ranked among the rows shown


def test_area_filter(table, network):
    t = table(args={"area": str(network.ids["JKT"])})
    assert names(t) == ["Charlie"]


def test_rows_carry_a_trend_line_and_section_means(table):
    row = next(r for r in table().rows if r.name == "Alpha")
    assert len(row.spark) == 12 and row.spark[-2] == 100.0
    assert row.sections["speed"].mean == pytest.approx(95.0)


def test_paging(table, make_location, monkeypatch):
    monkeypatch.setattr(compare, "PAGE_SIZE", 2)
    first, second = table(page=1), table(page=2)
    assert (first.pages, len(first.rows), len(second.rows)) == (2, 2, 1)
    assert names(first) + names(second) == ["Alpha", "Charlie", "Bravo"]
    assert table(page=99).page == 2
    everything = table(page=None)
    assert len(everything.rows) == 3
