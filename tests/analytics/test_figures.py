"""The calls into audit_app.stats: thresholds from config, ranks of subsets, potential."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_app.analytics import figures
from audit_app.analytics.moments import Counts, Moments
from audit_app.stats import Verdict, rank_locations


def m(n: int, mean: float, sd: float) -> Moments:
    total = n * mean
    return Moments(n, n, total, sd * sd * (n - 1) + total * total / n, None, None, 0, 0)


groups = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=30),
        st.floats(min_value=40, max_value=100),
        st.floats(min_value=0.5, max_value=20),
    ),
    min_size=1,
    max_size=12,
)


@given(groups)
def test_ranking_the_whole_network_matches_stats_rank_locations(rows):
    moments = {i: m(n, mean, sd) for i, (n, mean, sd) in enumerate(rows)}
    t = figures.Thresholds()
    shrunk = figures.shrunk_scores(moments)
    standings = figures.standings(moments, shrunk, list(moments), t)
    expected = rank_locations([moments[i].group() for i in moments], min_n=3)
    assert [standings[i].rank for i in moments] == expected


def test_a_subset_is_ranked_by_the_networks_shrunk_scores():
    moments = {1: m(10, 90, 5), 2: m(10, 80, 5), 3: m(10, 85, 5), 4: m(2, 99, 1)}
    t = figures.Thresholds()
    shrunk = figures.shrunk_scores(moments)
    subset = figures.standings(moments, shrunk, [2, 3, 4, 5], t)
    assert subset[3].rank == 1 and subset[2].rank == 2
    assert subset[4].rank is None  # two visits
    assert subset[5].rank is None and subset[5].shrunk is None  # no visits at all
    assert subset[2].of == 2


def test_thresholds_come_from_config():
    t = figures.Thresholds.from_config(
        {"CONSISTENCY_MET_AT": "0.9", "CONSISTENCY_MISSED_BELOW": 0.4, "MIN_VISITS_FOR_VERDICT": 5}
    )
    assert (t.met_at, t.missed_below, t.min_n) == (0.9, 0.4, 5)
    assert figures.compliance(Counts(n=4, met=4), t).verdict is Verdict.NOT_ENOUGH_VISITS
    assert figures.compliance(Counts(n=40, met=40), t).verdict is Verdict.CONSISTENTLY_MET


def test_potential_needs_enough_visits_and_a_share():
    t = figures.Thresholds()
    assert figures.potential(Counts(n=10, met=6), 0.08, t) == pytest.approx(3.2)
    assert figures.potential(Counts(n=2, met=0), 0.08, t) is None
    assert figures.potential(Counts(n=10, met=6), None, t) is None  # a retired standard
