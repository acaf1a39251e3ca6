"""Aggregates from SQL: spread from sums of squares, adding and subtracting groups."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_app.analytics.moments import Counts, Moments
from audit_app.stats import summarize

scores = st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), max_size=40)


def moments_of(values, passes=0, critical=0) -> Moments:
    return Moments(
        visits=len(values),
        n=len(values),
        total=sum(values),
        total_sq=sum(v * v for v in values),
        low=min(values) if values else None,
        high=max(values) if values else None,
        passes=passes,
        critical=critical,
    )


@given(scores)
def test_summary_from_sums_matches_stats_summarize(values):
    got, expected = moments_of(values).summary(), summarize(values)
    assert got.n == expected.n
    assert got.min == expected.min and got.max == expected.max
    if values:
        assert got.mean == pytest.approx(expected.mean, abs=1e-9)
    if len(values) >= 2:
        assert got.sd == pytest.approx(expected.sd, abs=1e-5)
    else:
        assert got.sd is None


@given(scores, scores)
def test_moments_add_up_and_subtract(a, b):
    both = moments_of(a) + moments_of(b)
    assert both.summary().n == len(a) + len(b)
    assert both.low == (min(a + b) if a + b else None)
    rest = both - moments_of(a)
    assert rest.n == len(b) and rest.total == pytest.approx(sum(b), abs=1e-6)
    assert rest.low is None  # extremes cannot be subtracted


def test_identical_scores_have_zero_spread_not_a_negative_one():
    m = moments_of([83.33] * 1000)
    assert m.variance == 0.0 and m.sd == 0.0


def test_pass_rate_is_over_visits():
    m = Moments(visits=4, n=3, total=270.0, total_sq=24300.0, passes=3)
    assert m.pass_rate == 0.75 and m.mean == 90.0
    assert Moments().pass_rate is None and Moments().group() is None


def test_counts_rate_and_percent():
    c = Counts(n=4, met=3, earned=12.0, possible=16.0) + Counts(n=1, met=0, earned=0, possible=4)
    assert (c.rate, c.percent) == (0.6, 60.0)
    assert Counts().rate is None and Counts().percent is None
    assert (c - Counts(n=1, met=0, earned=0, possible=4)).rate == 0.75
