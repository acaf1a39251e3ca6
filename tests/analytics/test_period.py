"""Periods: reading them, naming them, stepping back, and the points of a trend."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_app.analytics import period as periods
from audit_app.analytics.period import Granularity, PeriodError, PeriodKind


@pytest.mark.parametrize(
    "text, start, end, label",
    [
        ("2026-10", date(2026, 10, 1), date(2026, 10, 31), "Oct 2026"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "Feb 2024"),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "Q4 2026"),
        ("2026-q1", date(2026, 1, 1), date(2026, 3, 31), "Q1 2026"),
        (
            "2026-08-15..2026-10-31",
            date(2026, 8, 15),
            date(2026, 10, 31),
            "15 Aug – 31 Oct 2026",
        ),
        (
            "2025-12-20..2026-01-10",
            date(2025, 12, 20),
            date(2026, 1, 10),
            "20 Dec 2025 – 10 Jan 2026",
        ),
    ],
)
def test_a_period_reads_and_names_itself(text, start, end, label):
    period = periods.parse(text)
    assert (period.start, period.end, period.label) == (start, end, label)
    assert periods.parse(period.key) == period


@pytest.mark.parametrize(
    "text, message",
    [
        ("2026-13", "no month 13"),
        ("2026-Q5", "not a period"),
        ("last week", "not a period"),
        ("2026-10-31..2026-10-01", "before the start"),
        ("2026-02-30..2026-03-01", "not a date"),
        ("2020-01-01..2026-01-01", "at most"),
    ],
)
def test_a_bad_period_says_what_is_expected(text, message):
    with pytest.raises(PeriodError, match=message):
        periods.parse(text)


def test_the_previous_period_has_the_same_kind_and_length():
    assert periods.parse("2026-01").previous().key == "2025-12"
    assert periods.parse("2026-Q1").previous().key == "2025-Q4"
    # whole months step back by months, other ranges by days
    assert periods.parse("2026-08-01..2026-10-31").previous().key == "2026-05-01..2026-07-31"
    assert periods.parse("2026-10-10..2026-10-19").previous().key == "2026-09-30..2026-10-09"


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_months_and_quarters_tile_the_calendar(day):
    month, quarter = periods.month(day), periods.quarter(day)
    assert month.contains(day) and quarter.contains(day)
    assert month.previous().end.toordinal() + 1 == month.start.toordinal()
    assert quarter.previous().end.toordinal() + 1 == quarter.start.toordinal()
    assert quarter.kind is PeriodKind.QUARTER and quarter.start.month in (1, 4, 7, 10)


def test_trend_points_end_with_the_period():
    monthly = periods.trend_buckets(periods.parse("2026-Q3"), Granularity.MONTH)
    assert len(monthly) == 12
    assert (monthly[0].label, monthly[-1].label) == ("Oct 2025", "Sep 2026")
    quarterly = periods.trend_buckets(periods.parse("2026-02"), Granularity.QUARTER)
    assert [b.label for b in quarterly] == ["Q2 2025", "Q3 2025", "Q4 2025", "Q1 2026"]
    assert quarterly[-1].short == "Q1 26"


def test_period_choices_start_with_the_last_three_months():
    choices = periods.choices(date(2026, 10, 20))
    assert choices[0].key == "2026-08-01..2026-10-31"
    assert choices[1].key == "2026-Q4" and choices[-1].key == "2025-11"


def test_report_periods_fit_the_page_period():
    oct_ = periods.parse("2026-10")
    assert periods.report_periods(oct_, date(2026, 11, 3)) == [oct_]
    q3 = periods.parse("2026-Q3")
    assert periods.report_periods(q3, date(2026, 11, 3)) == [q3]
    last3 = periods.last_months(date(2026, 10, 14))
    assert [p.key for p in periods.report_periods(last3, date(2026, 10, 14))] == [
        "2026-10",
        "2026-Q4",
    ]
    # a range that ends after the newest visit offers that visit's month and quarter
    summer = periods.parse("2026-06-01..2026-12-31")
    assert [p.key for p in periods.report_periods(summer, date(2026, 9, 2))] == [
        "2026-09",
        "2026-Q3",
    ]
