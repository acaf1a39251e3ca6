"""Consistency statistics: intervals, verdicts, comparisons and shrunk rankings.

Pure standard library, so the numbers can be tested in isolation (see docs/statistics.md).
Counts are visits; rates are fractions in [0, 1]; scores are whatever scale the caller uses.
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ChangeDirection",
    "Comparison",
    "ComparisonDirection",
    "Compliance",
    "GroupStat",
    "Interval",
    "MeanChange",
    "Summary",
    "Verdict",
    "classify_compliance",
    "compare_proportions",
    "difference_interval",
    "improvement_potential",
    "mean_difference",
    "rank_locations",
    "shrink_scores",
    "summarize",
    "t_quantile",
    "wilson_interval",
    "z_value",
]


# --- result types ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Interval:
    """A closed confidence interval [low, high]."""

    low: float
    high: float


class Verdict(StrEnum):
    """How consistently a standard is met, judged from its Wilson interval."""

    CONSISTENTLY_MET = "consistently_met"
    INCONSISTENT = "inconsistent"
    CONSISTENTLY_MISSED = "consistently_missed"
    NOT_ENOUGH_VISITS = "not_enough_visits"


class ComparisonDirection(StrEnum):
    """Whether a location's compliance is clearly above or below the rest of the network."""

    BETTER = "better"
    WORSE = "worse"
    NO_CLEAR_DIFFERENCE = "no_clear_difference"
    NOT_ENOUGH_VISITS = "not_enough_visits"


class ChangeDirection(StrEnum):
    """Whether a mean score clearly went up or down between two periods."""

    UP = "up"
    DOWN = "down"
    NO_CLEAR_CHANGE = "no_clear_change"
    NOT_ENOUGH_VISITS = "not_enough_visits"


@dataclass(frozen=True, slots=True)
class Compliance:
    """Compliance with one standard: counts, rate, Wilson interval and verdict."""

    n: int
    successes: int
    rate: float | None
    interval: Interval | None
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class Comparison:
    """Difference p1 - p2 between two compliance rates, with Newcombe interval and direction."""

    difference: float | None
    interval: Interval | None
    direction: ComparisonDirection


@dataclass(frozen=True, slots=True)
class Summary:
    """Descriptive statistics of visit scores; everything but n is None when there are none."""

    n: int
    mean: float | None
    sd: float | None
    min: float | None
    max: float | None


@dataclass(frozen=True, slots=True)
class MeanChange:
    """Difference mean1 - mean2 between two mean scores, with Welch interval and direction."""

    difference: float | None
    interval: Interval | None
    direction: ChangeDirection


@dataclass(frozen=True, slots=True)
class GroupStat:
    """One location's visit scores: count, mean and sample variance (None when n == 1)."""

    n: int
    mean: float
    variance: float | None


# --- validation -----------------------------------------------------------------------------


def _check_counts(successes: int, n: int, successes_name: str, n_name: str) -> None:
    """Raise ValueError unless 0 <= successes <= n."""
    if n < 0:
        raise ValueError(f"{n_name} must be >= 0, got {n}")
    if successes < 0:
        raise ValueError(f"{successes_name} must be >= 0, got {successes}")
    if successes > n:
        raise ValueError(f"{successes_name} ({successes}) must not exceed {n_name} ({n})")


def _check_min_n(min_n: int, lowest: int) -> None:
    """Raise ValueError unless min_n >= lowest."""
    if min_n < lowest:
        raise ValueError(f"min_n must be at least {lowest}, got {min_n}")


def _check_finite(value: float, name: str) -> None:
    """Raise ValueError unless value is a finite number."""
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")


# --- proportions ----------------------------------------------------------------------------


def z_value(confidence: float) -> float:
    """Return the two-sided standard normal critical value for a confidence level."""
    if not 0.0 < confidence < 1.0:  # also rejects NaN
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")
    return statistics.NormalDist().inv_cdf(0.5 + confidence / 2.0)


def _wilson(successes: int, n: int, z: float) -> Interval:
    """Return the Wilson score interval for validated counts with n > 0."""
    p = successes / n
    z2n = z * z / n
    centre = (p + z2n / 2.0) / (1.0 + z2n)
    half = z * math.sqrt(p * (1.0 - p) / n + z2n / (4.0 * n)) / (1.0 + z2n)
    # The exact bounds at 0/n and n/n are 0 and 1; pin them so rounding cannot exclude p.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Interval(low, high)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> Interval | None:
    """Return the Wilson score interval for successes/n, or None when n == 0."""
    _check_counts(successes, n, "successes", "n")
    z = z_value(confidence)
    if n == 0:
        return None
    return _wilson(successes, n, z)


def classify_compliance(
    successes: int,
    n: int,
    *,
    met_at: float = 0.85,
    missed_below: float = 0.5,
    min_n: int = 3,
    confidence: float = 0.95,
) -> Compliance:
    """Classify compliance with a standard as met, missed or inconsistent from its interval.

    consistently_met when the interval's low bound >= met_at; consistently_missed when its
    high bound < missed_below; otherwise inconsistent; not_enough_visits when n < min_n.
    Judging the interval rather than the rate keeps small samples honest: 3/3 has a 95%
    Wilson low bound of 0.44, so it is only "inconsistent"; with the defaults a perfect record
    is "consistently met" from 22/22 (low 0.851). The app reads the thresholds from
    CONSISTENCY_MET_AT, CONSISTENCY_MISSED_BELOW and MIN_VISITS_FOR_VERDICT.
    """
    _check_counts(successes, n, "successes", "n")
    if not 0.0 <= met_at <= 1.0:
        raise ValueError(f"met_at must be between 0 and 1, got {met_at}")
    if not 0.0 <= missed_below <= 1.0:
        raise ValueError(f"missed_below must be between 0 and 1, got {missed_below}")
    # With missed_below <= met_at no interval can be both met and missed.
    if missed_below > met_at:
        raise ValueError(f"missed_below ({missed_below}) must not exceed met_at ({met_at})")
    _check_min_n(min_n, 1)
    interval = wilson_interval(successes, n, confidence)
    rate = successes / n if n else None
    if n < min_n or interval is None:
        verdict = Verdict.NOT_ENOUGH_VISITS
    elif interval.low >= met_at:
        verdict = Verdict.CONSISTENTLY_MET
    elif interval.high < missed_below:
        verdict = Verdict.CONSISTENTLY_MISSED
    else:
        verdict = Verdict.INCONSISTENT
    return Compliance(n=n, successes=successes, rate=rate, interval=interval, verdict=verdict)


def difference_interval(
    s1: int, n1: int, s2: int, n2: int, confidence: float = 0.95
) -> Interval | None:
    """Return Newcombe's hybrid score interval for p1 - p2, or None when n1 or n2 is 0.

    Newcombe (1998) method 10 combines the two Wilson intervals. Unlike the Wald interval
    (p1 - p2 +/- z * se) it keeps close to nominal coverage with few visits and with rates
    near 0 or 1 (typical for standards), where Wald collapses to zero width or overshoots.
    """
    _check_counts(s1, n1, "s1", "n1")
    _check_counts(s2, n2, "s2", "n2")
    z = z_value(confidence)
    if n1 == 0 or n2 == 0:
        return None
    p1, p2 = s1 / n1, s2 / n2
    w1, w2 = _wilson(s1, n1, z), _wilson(s2, n2, z)
    d = p1 - p2
    low = d - math.hypot(p1 - w1.low, w2.high - p2)
    high = d + math.hypot(w1.high - p1, p2 - w2.low)
    return Interval(max(-1.0, low), min(1.0, high))


def compare_proportions(
    s1: int, n1: int, s2: int, n2: int, *, min_n: int = 3, confidence: float = 0.95
) -> Comparison:
    """Compare rate s1/n1 with s2/n2, calling a direction only when the interval excludes 0.

    To compare a location with the network, pass the location's counts first and the rest
    of the network (network counts minus the location's) second, so the groups are
    independent. The difference and interval are reported whenever defined; below min_n
    visits on either side the direction is not_enough_visits.
    """
    _check_min_n(min_n, 1)
    interval = difference_interval(s1, n1, s2, n2, confidence)
    if interval is None:
        return Comparison(None, None, ComparisonDirection.NOT_ENOUGH_VISITS)
    difference = s1 / n1 - s2 / n2
    if n1 < min_n or n2 < min_n:
        direction = ComparisonDirection.NOT_ENOUGH_VISITS
    elif interval.low > 0.0:
        direction = ComparisonDirection.BETTER
    elif interval.high < 0.0:
        direction = ComparisonDirection.WORSE
    else:
        direction = ComparisonDirection.NO_CLEAR_DIFFERENCE
    return Comparison(difference, interval, direction)


# --- scores ---------------------------------------------------------------------------------


def summarize(values: Sequence[float]) -> Summary:
    """Return count, mean, sample standard deviation, minimum and maximum of scores."""
    for i, value in enumerate(values):
        _check_finite(value, f"values[{i}]")
    if not values:
        return Summary(n=0, mean=None, sd=None, min=None, max=None)
    return Summary(
        n=len(values),
        mean=float(statistics.mean(values)),
        sd=float(statistics.stdev(values)) if len(values) >= 2 else None,
        min=float(min(values)),
        max=float(max(values)),
    )


def mean_difference(
    n1: int,
    mean1: float | None,
    sd1: float | None,
    n2: int,
    mean2: float | None,
    sd2: float | None,
    confidence: float = 0.95,
    *,
    min_n: int = 3,
) -> MeanChange:
    """Compare mean scores with Welch's interval for mean1 - mean2 (pass the current period first).

    Welch does not assume equal spread in the two periods. The difference is reported when
    both sides have visits and the interval when both have two or more (so an sd exists);
    below min_n visits on either side the direction is not_enough_visits. When both sds
    are 0 the interval collapses to the point difference.
    """
    _check_min_n(min_n, 2)  # an sd needs two visits
    z_value(confidence)  # validate early, even when no interval is computed
    for n, mean, sd, suffix in ((n1, mean1, sd1, "1"), (n2, mean2, sd2, "2")):
        if n < 0:
            raise ValueError(f"n{suffix} must be >= 0, got {n}")
        if n >= 1:
            if mean is None:
                raise ValueError(f"mean{suffix} is required when n{suffix} >= 1")
            _check_finite(mean, f"mean{suffix}")
        if n >= 2:
            if sd is None:
                raise ValueError(f"sd{suffix} is required when n{suffix} >= 2")
            _check_finite(sd, f"sd{suffix}")
            if sd < 0:
                raise ValueError(f"sd{suffix} must be >= 0, got {sd}")
    if mean1 is None or mean2 is None or n1 == 0 or n2 == 0:
        return MeanChange(None, None, ChangeDirection.NOT_ENOUGH_VISITS)
    difference = mean1 - mean2
    if sd1 is None or sd2 is None or n1 < 2 or n2 < 2:
        return MeanChange(difference, None, ChangeDirection.NOT_ENOUGH_VISITS)
    v1, v2 = sd1 * sd1 / n1, sd2 * sd2 / n2
    se = math.sqrt(v1 + v2)
    if se == 0.0:
        interval = Interval(difference, difference)
    else:
        # Welch–Satterthwaite degrees of freedom.
        df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
        half = t_quantile(0.5 + confidence / 2.0, df) * se
        interval = Interval(difference - half, difference + half)
    if n1 < min_n or n2 < min_n:
        direction = ChangeDirection.NOT_ENOUGH_VISITS
    elif interval.low > 0.0:
        direction = ChangeDirection.UP
    elif interval.high < 0.0:
        direction = ChangeDirection.DOWN
    else:
        direction = ChangeDirection.NO_CLEAR_CHANGE
    return MeanChange(difference, interval, direction)


# --- Student t quantile ---------------------------------------------------------------------

_TINY = 1e-300
_CF_EPS = 1e-15
_CF_MAX_ITER = 100_000
# Above this many degrees of freedom the Cornish–Fisher series is exact to double precision,
# while the continued fraction slows (length ~ sqrt(df)) and lgamma loses digits.
_CORNISH_FISHER_DF = 1e4


def _betacf(a: float, b: float, x: float) -> float:
    """Evaluate the incomplete beta continued fraction by the modified Lentz method."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _CF_MAX_ITER + 1):
        m2 = 2 * m
        for aa in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + aa / c
            c = c if abs(c) > _TINY else _TINY
            delta = d * c
            h *= delta
        if abs(delta - 1.0) < _CF_EPS:
            return h
    raise ArithmeticError("incomplete beta continued fraction did not converge")


def _betainc(a: float, b: float, x: float, y: float) -> float:
    """Return the regularized incomplete beta I_x(a, b), given x and y = 1 - x both accurate."""
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    log_front = (
        a * math.log(x) + b * math.log(y) - math.lgamma(a) - math.lgamma(b) + math.lgamma(a + b)
    )
    # The continued fraction converges fast only on this side; use symmetry on the other.
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, y) / b


def _t_split(t: float, df: float) -> tuple[float, float]:
    """Return x = df / (df + t^2) and y = t^2 / (df + t^2) without cancellation or overflow."""
    r2 = (t / math.sqrt(df)) ** 2 if t < 1e150 else math.inf
    if r2 == 0.0:
        return 1.0, 0.0
    return 1.0 / (1.0 + r2), 1.0 / (1.0 + 1.0 / r2)


def _t_log_pdf(t: float, df: float) -> float:
    """Return the log density of Student's t at t."""
    return (
        math.lgamma((df + 1.0) / 2.0)
        - math.lgamma(df / 2.0)
        - 0.5 * math.log(df * math.pi)
        - (df + 1.0) / 2.0 * math.log1p((t / math.sqrt(df)) ** 2)
    )


def _solve_t(q: float, df: float) -> float:
    """Return t > 0 with P(T > t) = q for 0 < q < 0.5 by safeguarded Newton on log t."""
    central = q >= 0.25
    # Near the centre solve P(|T| < t) = 1 - 2q, in the tail P(T > t) = q: each side then
    # works with a small probability that the incomplete beta gives to full relative accuracy.
    log_target = math.log(1.0 - 2.0 * q) if central else math.log(2.0 * q)

    def g(u: float) -> tuple[float, float]:
        """Return the log-probability error at t = e^u (increasing in u) and its slope."""
        t = math.exp(u)
        x, y = _t_split(t, df)
        if central:
            prob = _betainc(0.5, df / 2.0, y, x)  # P(|T| < t)
            sign = 1.0
        else:
            prob = _betainc(df / 2.0, 0.5, x, y)  # 2 P(T > t)
            sign = -1.0
        if prob <= 0.0:
            return (-math.inf if central else math.inf), 0.0
        slope = 2.0 * math.exp(math.log(t) + _t_log_pdf(t, df)) / prob
        return sign * (math.log(prob) - log_target), slope

    z = -statistics.NormalDist().inv_cdf(q)
    u = math.log(z + (z**3 + z) / (4.0 * df))
    # Bracket the root in u, doubling the step outward.
    lo, hi, step = u - 0.5, u + 0.5, 1.0
    while g(lo)[0] > 0.0:
        lo -= step
        step *= 2.0
    step = 1.0
    while g(hi)[0] < 0.0:
        hi += step
        step *= 2.0
    for _ in range(200):
        value, slope = g(u)
        if value == 0.0:
            break
        if value < 0.0:
            lo = u
        else:
            hi = u
        new = u - value / slope if slope > 0.0 else math.nan
        if not lo < new < hi:  # Newton left the bracket (or failed): bisect instead
            new = (lo + hi) / 2.0
        if abs(new - u) <= 1e-15 * max(1.0, abs(u)) or hi - lo <= 1e-15 * max(1.0, abs(u)):
            u = new
            break
        u = new
    return math.exp(u)


def _cornish_fisher_t(z: float, df: float) -> float:
    """Return the t quantile from the normal quantile z by Abramowitz & Stegun 26.7.5."""
    z2 = z * z
    g1 = (z2 + 1.0) * z / 4.0
    g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0
    g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0
    g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0
    return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df


def t_quantile(p: float, df: float) -> float:
    """Return the p quantile of Student's t distribution with df (> 0, may be fractional)."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be strictly between 0 and 1, got {p}")
    if not df > 0.0:  # also rejects NaN
        raise ValueError(f"df must be > 0, got {df}")
    if p == 0.5:
        return 0.0
    sign = 1.0 if p > 0.5 else -1.0
    q = 1.0 - p if p > 0.5 else p  # upper-tail probability, exact for p > 0.5
    if df > _CORNISH_FISHER_DF:
        z = -statistics.NormalDist().inv_cdf(q)
        return sign * (z if math.isinf(df) else _cornish_fisher_t(z, df))
    return sign * _solve_t(q, df)


# --- ranking --------------------------------------------------------------------------------

# Between-location variance is floored at this share of the within variance, so k stays
# finite (at most 1e6) and every score is pulled essentially all the way to the grand mean.
_BETWEEN_FLOOR_SHARE = 1e-6


def shrink_scores(groups: Sequence[GroupStat]) -> list[float]:
    """Return empirical-Bayes scores: each mean pulled toward the grand mean by k / (n + k).

    shrunk = (n * mean + k * grand) / (n + k) with k = within / between variance: the grand
    mean is visit-weighted, the within variance pooled, the between variance a one-way
    ANOVA method-of-moments estimate. Sums use math.fsum so the order of groups does not
    change the result. With one group, or no location with two visits (no within variance
    to judge noise by), or zero within variance (no noise), the means are returned as is.
    """
    for i, group in enumerate(groups):
        if group.n < 1:
            raise ValueError(f"groups[{i}].n must be at least 1, got {group.n}")
        _check_finite(group.mean, f"groups[{i}].mean")
        if group.variance is not None:
            _check_finite(group.variance, f"groups[{i}].variance")
            if group.variance < 0.0:
                raise ValueError(f"groups[{i}].variance must be >= 0, got {group.variance}")
        elif group.n >= 2:
            raise ValueError(f"groups[{i}].variance is required when n >= 2")
    means = [float(group.mean) for group in groups]
    within_df = sum(group.n - 1 for group in groups)
    if len(groups) < 2 or within_df == 0:
        return means
    within = math.fsum((g.n - 1) * g.variance for g in groups if g.variance is not None) / within_df
    if within == 0.0:
        return means
    total = sum(group.n for group in groups)
    grand = math.fsum(group.n * group.mean for group in groups) / total
    between_ms = math.fsum(g.n * (g.mean - grand) ** 2 for g in groups) / (len(groups) - 1)
    # Effective visits per location for unbalanced groups (the ANOVA "n0").
    n0 = (total - math.fsum(g.n * g.n for g in groups) / total) / (len(groups) - 1)
    # k = within / between, computed via between / within so a tiny within cannot underflow.
    between_share = (between_ms - within) / n0 / within
    k = 1.0 / max(between_share, _BETWEEN_FLOOR_SHARE)
    return [grand + g.n / (g.n + k) * (g.mean - grand) for g in groups]


def rank_locations(groups: Sequence[GroupStat], *, min_n: int = 3) -> list[int | None]:
    """Return 1-based competition ranks (1, 2, 2, 4) by shrunk score, None below min_n visits.

    Small groups still inform the grand mean and variances but are neither ranked nor
    counted when ranking the others.
    """
    _check_min_n(min_n, 1)
    scores = shrink_scores(groups)
    eligible = sorted(s for g, s in zip(groups, scores, strict=True) if g.n >= min_n)
    # Rank = 1 + number of eligible scores strictly higher, so ties share the better rank.
    return [
        len(eligible) - bisect_right(eligible, s) + 1 if g.n >= min_n else None
        for g, s in zip(groups, scores, strict=True)
    ]


# --- priorities -----------------------------------------------------------------------------


def improvement_potential(compliance_rate: float, item_share: float) -> float:
    """Return the visit-score points (0-100 scale) gained if a standard were always met.

    (1 - compliance_rate) * item_share * 100, where item_share is the item's share of the
    visit score (the caller derives it from points and section weights).
    """
    if not 0.0 <= compliance_rate <= 1.0:
        raise ValueError(f"compliance_rate must be between 0 and 1, got {compliance_rate}")
    if not 0.0 <= item_share <= 1.0:
        raise ValueError(f"item_share must be between 0 and 1, got {item_share}")
    return (1.0 - compliance_rate) * item_share * 100.0
