"""Additive aggregates that SQL returns and the statistics are derived from.

Pure. SQL sums scores and squared scores per group; the sample standard deviation is
derived here from those sums, which works the same on every database. Moments add up
(months into quarters, locations into areas) and subtract (network minus a location gives
the rest of the network), except the lowest and highest score, which cannot be subtracted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..stats import GroupStat, Summary


def _min(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


def _max(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else max(a, b)


@dataclass(frozen=True, slots=True)
class Moments:
    """Visit scores of a group: counts, sum, sum of squares, extremes, passes, critical fails.

    `visits` counts every approved visit; `n` only those with a score (a visit whose every
    section was N/A has none). Pass rate is over visits; mean and spread over scored visits.
    """

    visits: int = 0
    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0
    low: float | None = None
    high: float | None = None
    passes: int = 0
    critical: int = 0

    def __add__(self, other: Moments) -> Moments:
        return Moments(
            self.visits + other.visits,
            self.n + other.n,
            self.total + other.total,
            self.total_sq + other.total_sq,
            _min(self.low, other.low),
            _max(self.high, other.high),
            self.passes + other.passes,
            self.critical + other.critical,
        )

    def __sub__(self, other: Moments) -> Moments:
        """This group without a subgroup of it; extremes are unknown afterwards."""
        return Moments(
            self.visits - other.visits,
            self.n - other.n,
            self.total - other.total,
            self.total_sq - other.total_sq,
            None,
            None,
            self.passes - other.passes,
            self.critical - other.critical,
        )

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def variance(self) -> float | None:
        """Sample variance (n - 1 denominator); None below two scored visits."""
        if self.n < 2:
            return None
        # sum of squared deviations; float rounding can make an exact 0 slightly negative
        squares = self.total_sq - self.total * self.total / self.n
        return max(0.0, squares / (self.n - 1))

    @property
    def sd(self) -> float | None:
        variance = self.variance
        return None if variance is None else math.sqrt(variance)

    @property
    def pass_rate(self) -> float | None:
        return self.passes / self.visits if self.visits else None

    def summary(self) -> Summary:
        """The descriptive statistics of stats.summarize, from the aggregates."""
        return Summary(n=self.n, mean=self.mean, sd=self.sd, min=self.low, max=self.high)

    def group(self) -> GroupStat | None:
        """The input to stats.shrink_scores; None without a scored visit."""
        if not self.n:
            return None
        return GroupStat(n=self.n, mean=self.total / self.n, variance=self.variance)


@dataclass(frozen=True, slots=True)
class Counts:
    """One standard in a group: visits where it was scored, how often met, points."""

    n: int = 0
    met: int = 0
    earned: float = 0.0
    possible: float = 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.n + other.n,
            self.met + other.met,
            self.earned + other.earned,
            self.possible + other.possible,
        )

    def __sub__(self, other: Counts) -> Counts:
        return Counts(
            self.n - other.n,
            self.met - other.met,
            self.earned - other.earned,
            self.possible - other.possible,
        )

    @property
    def rate(self) -> float | None:
        return self.met / self.n if self.n else None

    @property
    def percent(self) -> float | None:
        """Points earned as a share of the points possible, 0-100."""
        return self.earned / self.possible * 100 if self.possible else None
