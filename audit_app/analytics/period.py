"""Reporting periods: a month, a quarter or a custom range of local dates, and trend buckets.

Pure: dates only. A period is inclusive at both ends and compares against a visit's
`local_date`, the day the visit started in its location's time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# a custom range longer than this is refused: nobody reads a decade on one screen
MAX_CUSTOM_DAYS = 3 * 366


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    CUSTOM = "custom"


class Granularity(StrEnum):
    """The size of one point on a trend."""

    MONTH = "month"
    QUARTER = "quarter"


# how many points a trend shows
TREND_POINTS = {Granularity.MONTH: 12, Granularity.QUARTER: 4}


class PeriodError(ValueError):
    """A period the user typed that cannot be read; the message says what is expected."""


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive range of local dates with a name."""

    kind: PeriodKind
    start: date
    end: date

    @property
    def key(self) -> str:
        """The query-string form: 2026-10, 2026-Q4 or 2026-08-01..2026-10-31."""
        if self.kind is PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.start.year}-Q{quarter_of(self.start)}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        """A human name: Oct 2026, Q4 2026, 1 Aug – 31 Oct 2026."""
        if self.kind is PeriodKind.MONTH:
            return month_label(self.start)
        if self.kind is PeriodKind.QUARTER:
            return f"Q{quarter_of(self.start)} {self.start.year}"
        return range_label(self.start, self.end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same kind and length just before this one.

        A custom range of whole calendar months steps back by as many months; any other
        custom range by as many days.
        """
        if self.kind is PeriodKind.MONTH:
            return month(add_months(self.start, -1))
        if self.kind is PeriodKind.QUARTER:
            return quarter(add_months(self.start, -3))
        months = self.whole_months
        if months:  # e.g. the last three months: the three calendar months before
            return Period(
                PeriodKind.CUSTOM, add_months(self.start, -months), self.start - timedelta(days=1)
            )
        end = self.start - timedelta(days=1)
        return Period(PeriodKind.CUSTOM, end - timedelta(days=self.days - 1), end)

    @property
    def whole_months(self) -> int:
        """How many calendar months the period covers exactly; 0 when it cuts a month."""
        if self.start.day != 1 or (self.end + timedelta(days=1)).day != 1:
            return 0
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class Bucket:
    """One point of a trend: a month or a quarter."""

    start: date
    end: date
    label: str
    short: str  # for chart axes: "Oct", "Q4"


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after day's month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_label(day: date) -> str:
    return f"{MONTH_NAMES[day.month - 1]} {day.year}"


def range_label(start: date, end: date) -> str:
    if start.year == end.year:
        return f"{start.day} {MONTH_NAMES[start.month - 1]} – {end.day} {month_label(end)}"
    return f"{start.day} {month_label(start)} – {end.day} {month_label(end)}"


def report_periods(period: Period, latest: date) -> list[Period]:
    """The report periods (a month or a quarter) that fit a page's period.

    A month or a quarter is itself; a custom range offers the month and the quarter of its
    end, or of the newest approved visit when the range ends after it.
    """
    if period.kind in (PeriodKind.MONTH, PeriodKind.QUARTER):
        return [period]
    day = min(period.end, max(latest, period.start))
    return [month(day), quarter(day)]


def month(day: date) -> Period:
    """The calendar month holding a day."""
    start = day.replace(day=1)
    return Period(PeriodKind.MONTH, start, add_months(start, 1) - timedelta(days=1))


def quarter(day: date) -> Period:
    """The calendar quarter holding a day."""
    start = date(day.year, 3 * (quarter_of(day) - 1) + 1, 1)
    return Period(PeriodKind.QUARTER, start, add_months(start, 3) - timedelta(days=1))


def custom(start: date, end: date) -> Period:
    """A custom inclusive range; raise PeriodError when it is reversed or too long."""
    if end < start:
        raise PeriodError(f"the end ({end.isoformat()}) is before the start ({start.isoformat()})")
    if (end - start).days + 1 > MAX_CUSTOM_DAYS:
        raise PeriodError(f"a custom range may cover at most {MAX_CUSTOM_DAYS} days")
    return Period(PeriodKind.CUSTOM, start, end)


def last_months(day: date, count: int = 3) -> Period:
    """The `count` calendar months ending with day's month, as a custom range."""
    end = month(day).end
    return Period(PeriodKind.CUSTOM, add_months(day, -(count - 1)), end)


_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")


def parse_date(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(f"{name}: '{text}' is not a date like 2026-10-31") from None


def parse(text: str) -> Period:
    """Read 2026-10 (a month), 2026-Q4 (a quarter) or 2026-08-01..2026-10-31 (a range)."""
    text = text.strip()
    if match := _MONTH.fullmatch(text):
        year, number = int(match[1]), int(match[2])
        if not 1 <= number <= 12:
            raise PeriodError(f"'{text}' has no month {number}")
        return month(date(year, number, 1))
    if match := _QUARTER.fullmatch(text):
        return quarter(date(int(match[1]), 3 * (int(match[2]) - 1) + 1, 1))
    if match := _RANGE.fullmatch(text):
        return custom(parse_date(match[1], "from"), parse_date(match[2], "to"))
    raise PeriodError(
        f"'{text}' is not a period: use a month (2026-10), a quarter (2026-Q4) "
        "or a range (2026-08-01..2026-10-31)"
    )


def trend_buckets(period: Period, granularity: Granularity) -> list[Bucket]:
    """The trend's points, oldest first, ending with the month or quarter of the period's end."""
    count = TREND_POINTS[granularity]
    if granularity is Granularity.MONTH:
        last = month(period.end)
        starts = [add_months(last.start, -back) for back in range(count - 1, -1, -1)]
        return [Bucket(s, month(s).end, month_label(s), MONTH_NAMES[s.month - 1]) for s in starts]
    last = quarter(period.end)
    starts = [add_months(last.start, -3 * back) for back in range(count - 1, -1, -1)]
    return [
        Bucket(
            s, quarter(s).end, f"Q{quarter_of(s)} {s.year}", f"Q{quarter_of(s)} {s.year % 100:02d}"
        )
        for s in starts
    ]


def choices(latest: date, months: int = 12, quarters: int = 8) -> list[Period]:
    """Periods to offer in a picker: the last three months, recent quarters and months."""
    out = [last_months(latest)]
    out += [quarter(add_months(latest, -3 * back)) for back in range(quarters)]
    out += [month(add_months(latest, -back)) for back in range(months)]
    return out
