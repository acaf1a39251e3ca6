"""Tests for the pure statistics core (audit_app/stats.py)."""

from __future__ import annotations

import ast
import importlib
import math
import os
import statistics
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_app import stats
from audit_app.stats import (
    ChangeDirection,
    ComparisonDirection,
    GroupStat,
    Interval,
    Verdict,
    classify_compliance,
    compare_proportions,
    difference_interval,
    improvement_potential,
    mean_difference,
    rank_locations,
    shrink_scores,
    summarize,
    t_quantile,
    wilson_interval,
    z_value,
)


def _reference(module: str) -> ModuleType:
    """Import a reference library; in CI a missing one fails the test instead of skipping."""
    if os.environ.get("CI") == "true":
        return importlib.import_module(module)
    return pytest.importorskip(module)


# Grid from the brief plus a few ordinary cases: empty-ish, all, none, tiny and large n.
PROPORTION_GRID = [
    (0, 1),
    (1, 1),
    (0, 5),
    (5, 5),
    (1, 2),
    (2, 3),
    (3, 3),
    (7, 10),
    (81, 263),
    (95, 100),
    (0, 1000),
    (1000, 1000),
    (1, 1000),
]

counts = st.integers(min_value=1, max_value=2000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)
scores = st.floats(min_value=0, max_value=100, allow_nan=False)


def _group(n: int, mean: float, variance: float) -> GroupStat:
    """Return a GroupStat, with variance None for a single visit as the app would pass it."""
    return GroupStat(n=n, mean=mean, variance=variance if n >= 2 else None)


groups_strategy = st.lists(
    st.builds(
        _group,
        st.integers(min_value=1, max_value=60),
        scores,
        st.floats(min_value=0, max_value=900, allow_nan=False),
    ),
    min_size=0,
    max_size=12,
)


# --- purity ---------------------------------------------------------------------------------


def test_stats_module_imports_only_the_standard_library() -> None:
    source = Path(stats.__file__).read_text(encoding="utf-8")
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    stdlib = {"__future__", "bisect", "collections", "dataclasses", "enum", "math", "statistics"}
    assert imported <= stdlib | {"typing"}


# --- Wilson interval ------------------------------------------------------------------------


@pytest.mark.parametrize("confidence", [0.90, 0.95, 0.99])
@pytest.mark.parametrize(("successes", "n"), PROPORTION_GRID)
def test_wilson_interval_matches_statsmodels(successes: int, n: int, confidence: float) -> None:
    proportion = _reference("statsmodels.stats.proportion")
    low, high = proportion.proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
    interval = wilson_interval(successes, n, confidence)
    assert interval is not None
    assert interval.low == pytest.approx(float(low), abs=1e-12)
    assert interval.high == pytest.approx(float(high), abs=1e-12)


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (score).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_reproduces_published_values(
    successes: int, n: int, low: float, high: float
) -> None:
    interval = wilson_interval(successes, n)
    assert interval is not None
    assert round(interval.low, 4) == low
    assert round(interval.high, 4) == high


def test_wilson_interval_is_none_without_visits() -> None:
    assert wilson_interval(0, 0) is None


def test_wilson_interval_of_all_or_none_reaches_the_boundary() -> None:
    assert wilson_interval(0, 7) == Interval(0.0, pytest.approx(0.3543, abs=1e-4))
    assert wilson_interval(7, 7) == Interval(pytest.approx(0.6457, abs=1e-4), 1.0)


@given(counts, st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_wilson_interval_stays_in_unit_range_and_contains_the_observed_rate(
    count: tuple[int, int], confidence: float
) -> None:
    successes, n = count
    interval = wilson_interval(successes, n, confidence)
    assert interval is not None
    assert 0.0 <= interval.low <= successes / n <= interval.high <= 1.0


@given(counts, st.integers(min_value=2, max_value=10))
def test_wilson_interval_is_wider_with_fewer_visits_at_the_same_rate(
    count: tuple[int, int], factor: int
) -> None:
    successes, n = count
    small = wilson_interval(successes, n)
    large = wilson_interval(successes * factor, n * factor)
    assert small is not None and large is not None
    assert small.high - small.low > large.high - large.low


def test_z_value_is_the_familiar_1_96_at_95_percent() -> None:
    assert z_value(0.95) == pytest.approx(1.959963984540054, rel=1e-12)


# --- compliance verdicts --------------------------------------------------------------------


def test_three_visits_out_of_three_are_only_inconsistent() -> None:
    result = classify_compliance(3, 3)
    assert result.rate == 1.0
    assert result.interval is not None
    assert result.interval.low == pytest.approx(0.4385, abs=1e-4)
    assert result.verdict is Verdict.INCONSISTENT


@pytest.mark.parametrize(("successes", "n"), [(0, 1), (1, 1), (0, 2), (1, 2), (2, 2)])
def test_fewer_than_three_visits_never_make_a_verdict(successes: int, n: int) -> None:
    result = classify_compliance(successes, n)
    assert result.verdict is Verdict.NOT_ENOUGH_VISITS
    # The rate and interval are still shown; only the verdict waits.
    assert result.rate == successes / n
    assert result.interval == wilson_interval(successes, n)


def test_no_visits_have_no_rate_no_interval_and_no_verdict() -> None:
    result = classify_compliance(0, 0)
    assert (result.n, result.successes, result.rate, result.interval) == (0, 0, None, None)
    assert result.verdict is Verdict.NOT_ENOUGH_VISITS


def test_twenty_two_perfect_visits_are_the_fewest_consistently_met() -> None:
    assert classify_compliance(21, 21).verdict is Verdict.INCONSISTENT
    assert classify_compliance(22, 22).verdict is Verdict.CONSISTENTLY_MET


def test_four_failed_visits_are_consistently_missed_but_three_are_not() -> None:
    assert classify_compliance(0, 3).verdict is Verdict.INCONSISTENT
    assert classify_compliance(0, 4).verdict is Verdict.CONSISTENTLY_MISSED


def test_thresholds_and_minimum_visits_are_configurable() -> None:
    assert classify_compliance(17, 17).verdict is Verdict.INCONSISTENT
    assert classify_compliance(17, 17, met_at=0.8).verdict is Verdict.CONSISTENTLY_MET
    lenient = classify_compliance(3, 4, met_at=0.99, missed_below=0.99)
    assert lenient.verdict is Verdict.CONSISTENTLY_MISSED
    assert classify_compliance(9, 10, min_n=20).verdict is Verdict.NOT_ENOUGH_VISITS


@given(counts, st.integers(min_value=1, max_value=10))
def test_classification_waits_for_min_n_visits(count: tuple[int, int], min_n: int) -> None:
    successes, n = count
    verdict = classify_compliance(successes, n, min_n=min_n).verdict
    assert (verdict is Verdict.NOT_ENOUGH_VISITS) == (n < min_n)


@given(counts, st.floats(0, 1), st.floats(0, 1))
def test_met_and_missed_are_never_both_possible(count: tuple[int, int], a: float, b: float) -> None:
    successes, n = count
    missed_below, met_at = sorted((a, b))
    interval = wilson_interval(successes, n)
    assert interval is not None
    assert not (interval.low >= met_at and interval.high < missed_below)
    verdict = classify_compliance(successes, n, met_at=met_at, missed_below=missed_below).verdict
    if verdict is Verdict.CONSISTENTLY_MET:
        assert interval.low >= met_at
    if verdict is Verdict.CONSISTENTLY_MISSED:
        assert interval.high < missed_below


# --- comparing proportions ------------------------------------------------------------------

DIFFERENCE_GRID = [
    (56, 70, 48, 80),
    (9, 10, 3, 10),
    (6, 7, 2, 7),
    (5, 56, 0, 29),
    (0, 10, 0, 20),
    (10, 10, 0, 10),
    (1, 1, 0, 1),
    (1, 2, 3, 3),
    (7, 10, 95, 100),
    (0, 1000, 3, 3),
    (95, 100, 700, 1000),
]


@pytest.mark.parametrize("confidence", [0.90, 0.95])
@pytest.mark.parametrize(("s1", "n1", "s2", "n2"), DIFFERENCE_GRID)
def test_difference_interval_matches_statsmodels_newcombe(
    s1: int, n1: int, s2: int, n2: int, confidence: float
) -> None:
    proportion = _reference("statsmodels.stats.proportion")
    low, high = proportion.confint_proportions_2indep(
        s1, n1, s2, n2, method="newcomb", compare="diff", alpha=1 - confidence
    )
    interval = difference_interval(s1, n1, s2, n2, confidence)
    assert interval is not None
    assert interval.low == pytest.approx(float(low), abs=1e-12)
    assert interval.high == pytest.approx(float(high), abs=1e-12)


@pytest.mark.parametrize(
    ("s1", "n1", "s2", "n2", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10.
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (10, 10, 0, 20, 0.6791, 1.0),
    ],
)
def test_difference_interval_reproduces_published_newcombe_values(
    s1: int, n1: int, s2: int, n2: int, low: float, high: float
) -> None:
    interval = difference_interval(s1, n1, s2, n2)
    assert interval is not None
    assert (round(interval.low, 4), round(interval.high, 4)) == (low, high)


def test_location_clearly_above_the_rest_of_the_network_is_better() -> None:
    result = compare_proportions(20, 20, 50, 100)
    assert result.difference == pytest.approx(0.5)
    assert result.direction is ComparisonDirection.BETTER


def test_location_clearly_below_the_rest_of_the_network_is_worse() -> None:
    assert compare_proportions(2, 10, 90, 100).direction is ComparisonDirection.WORSE


def test_small_gap_with_few_visits_is_no_clear_difference() -> None:
    result = compare_proportions(3, 4, 70, 100)
    assert result.interval is not None and result.interval.low < 0 < result.interval.high
    assert result.direction is ComparisonDirection.NO_CLEAR_DIFFERENCE


def test_comparison_below_min_visits_shows_the_gap_but_no_direction() -> None:
    result = compare_proportions(2, 2, 10, 100)
    assert result.difference == pytest.approx(0.9)
    assert result.interval is not None
    assert result.direction is ComparisonDirection.NOT_ENOUGH_VISITS


def test_comparison_without_visits_has_no_difference() -> None:
    result = compare_proportions(0, 0, 5, 10)
    assert (result.difference, result.interval) == (None, None)
    assert result.direction is ComparisonDirection.NOT_ENOUGH_VISITS


@given(counts, counts)
def test_direction_is_called_only_when_the_interval_excludes_zero(
    first: tuple[int, int], second: tuple[int, int]
) -> None:
    result = compare_proportions(*first, *second)
    assert result.interval is not None and result.difference is not None
    assert result.interval.low <= result.difference <= result.interval.high
    assert -1.0 <= result.interval.low <= result.interval.high <= 1.0
    if result.direction is ComparisonDirection.BETTER:
        assert result.interval.low > 0
    elif result.direction is ComparisonDirection.WORSE:
        assert result.interval.high < 0
    elif result.direction is ComparisonDirection.NO_CLEAR_DIFFERENCE:
        assert result.interval.low <= 0 <= result.interval.high


# --- summaries ------------------------------------------------------------------------------


def test_summary_of_no_visits_is_empty() -> None:
    assert summarize([]) == stats.Summary(n=0, mean=None, sd=None, min=None, max=None)


def test_summary_of_one_visit_has_no_spread() -> None:
    assert summarize([72.5]) == stats.Summary(n=1, mean=72.5, sd=None, min=72.5, max=72.5)


@given(st.lists(scores, min_size=2, max_size=50))
def test_summary_matches_statistics_module(values: list[float]) -> None:
    result = summarize(values)
    assert result.n == len(values)
    assert result.mean == statistics.mean(values)
    assert result.sd == statistics.stdev(values)
    assert (result.min, result.max) == (min(values), max(values))


# --- Student t quantile ---------------------------------------------------------------------

T_PROBABILITIES = [1e-10, 1e-6, 0.001, 0.025, 0.05, 0.2, 0.3, 0.45, 0.7, 0.9, 0.975, 0.9999]
T_DEGREES = [1, 1.5, 2, 2.7, 3, 4.2, 5, 9.9, 30, 123.4, 1000, 9999, 10001, 1e6]


@pytest.mark.parametrize("df", T_DEGREES)
def test_t_quantile_matches_scipy(df: float) -> None:
    scipy_stats = _reference("scipy.stats")
    for p in T_PROBABILITIES:
        assert t_quantile(p, df) == pytest.approx(float(scipy_stats.t.ppf(p, df)), rel=1e-9)


@pytest.mark.parametrize("p", [1e-12, 0.01, 0.3, 0.4999999, 0.5 + 1e-9, 0.975, 1 - 1e-9])
def test_t_quantile_matches_closed_forms_for_one_and_two_degrees_of_freedom(p: float) -> None:
    # Independent of scipy: t_1 is Cauchy, t_2 has an algebraic quantile. The Cauchy form is
    # written so tan never sees an argument near pi/2, where it loses digits.
    if abs(p - 0.5) < 0.25:
        cauchy = math.tan(math.pi * (p - 0.5))
    else:
        cauchy = math.copysign(1 / math.tan(math.pi * min(p, 1 - p)), p - 0.5)
    assert t_quantile(p, 1) == pytest.approx(cauchy, rel=1e-10)
    two = (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    assert t_quantile(p, 2) == pytest.approx(two, rel=1e-10)


def test_t_quantile_approaches_the_normal_quantile_for_infinite_df() -> None:
    assert t_quantile(0.975, math.inf) == pytest.approx(z_value(0.95), rel=1e-15)
    assert t_quantile(0.5, 4) == 0.0


@given(
    st.floats(min_value=1e-9, max_value=0.5, exclude_max=True),
    st.floats(min_value=1e-9, max_value=0.5, exclude_max=True),
    st.floats(min_value=1, max_value=1e5),
)
def test_t_quantile_is_symmetric_monotone_and_beyond_the_normal_quantile(
    a: float, b: float, df: float
) -> None:
    upper = 1 - a
    lower = 1 - upper  # exact, so the two probabilities are true mirror images
    assert t_quantile(upper, df) == -t_quantile(lower, df)
    low_p, high_p = sorted((a, b))
    assert t_quantile(low_p, df) <= t_quantile(high_p, df)
    # Heavier tails than the normal: every t quantile lies further from 0.
    assert t_quantile(lower, df) <= statistics.NormalDist().inv_cdf(lower) * (1 - 1e-12)


# --- change in mean score -------------------------------------------------------------------


@pytest.mark.parametrize("confidence", [0.90, 0.95, 0.99])
@pytest.mark.parametrize(
    ("first", "second"),
    [
        ([70.0, 82.5, 91.0], [60.0, 65.0, 71.0, 58.0]),
        ([55.0, 90.0, 75.0, 81.0, 62.0, 99.0, 88.0], [80.0, 81.0, 79.5]),
        ([100.0, 100.0, 95.0, 100.0], [50.0, 90.0, 70.0, 65.0, 85.0, 40.0, 77.0, 93.0]),
        ([88.0, 92.0], [61.0, 60.0, 75.0]),
    ],
)
def test_mean_difference_matches_scipy_welch_interval(
    first: list[float], second: list[float], confidence: float
) -> None:
    scipy_stats = _reference("scipy.stats")
    expected = scipy_stats.ttest_ind(first, second, equal_var=False).confidence_interval(confidence)
    a, b = summarize(first), summarize(second)
    result = mean_difference(a.n, a.mean, a.sd, b.n, b.mean, b.sd, confidence)
    assert result.difference == pytest.approx(statistics.mean(first) - statistics.mean(second))
    assert result.interval is not None
    assert result.interval.low == pytest.approx(float(expected.low), rel=1e-9)
    assert result.interval.high == pytest.approx(float(expected.high), rel=1e-9)


def test_clear_rise_in_mean_score_is_up_and_clear_fall_is_down() -> None:
    assert mean_difference(10, 85.0, 5.0, 10, 70.0, 6.0).direction is ChangeDirection.UP
    assert mean_difference(10, 70.0, 6.0, 10, 85.0, 5.0).direction is ChangeDirection.DOWN


def test_small_change_in_noisy_scores_is_no_clear_change() -> None:
    result = mean_difference(5, 78.0, 12.0, 6, 75.0, 15.0)
    assert result.difference == pytest.approx(3.0)
    assert result.direction is ChangeDirection.NO_CLEAR_CHANGE


def test_identical_visits_in_both_periods_collapse_the_interval_to_the_difference() -> None:
    up = mean_difference(3, 80.0, 0.0, 4, 75.0, 0.0)
    assert up.interval == Interval(5.0, 5.0)
    assert up.direction is ChangeDirection.UP
    flat = mean_difference(3, 80.0, 0.0, 3, 80.0, 0.0)
    assert flat.interval == Interval(0.0, 0.0)
    assert flat.direction is ChangeDirection.NO_CLEAR_CHANGE


def test_change_with_one_constant_period_uses_the_other_periods_spread() -> None:
    result = mean_difference(4, 80.0, 0.0, 5, 70.0, 10.0)
    half = t_quantile(0.975, 4) * 10.0 / math.sqrt(5)
    assert result.interval == Interval(pytest.approx(10 - half), pytest.approx(10 + half))


def test_change_below_min_visits_shows_the_difference_but_no_direction() -> None:
    two = mean_difference(2, 90.0, 1.0, 10, 70.0, 5.0)
    assert two.difference == pytest.approx(20.0)
    assert two.interval is not None
    assert two.direction is ChangeDirection.NOT_ENOUGH_VISITS
    one = mean_difference(1, 90.0, None, 10, 70.0, 5.0)
    assert (one.difference, one.interval) == (pytest.approx(20.0), None)
    assert one.direction is ChangeDirection.NOT_ENOUGH_VISITS
    none = mean_difference(0, None, None, 10, 70.0, 5.0)
    assert (none.difference, none.interval) == (None, None)
    assert none.direction is ChangeDirection.NOT_ENOUGH_VISITS


# --- shrinkage and ranking ------------------------------------------------------------------


def test_shrinkage_reproduces_a_hand_worked_example() -> None:
    # Visits [70, 80] and [90, 100]: grand 85, within 50, MSB 400, n0 2, between 175,
    # k = 50/175 = 2/7, so each mean moves 1/8 of the way to 85.
    assert shrink_scores([GroupStat(2, 75.0, 50.0), GroupStat(2, 95.0, 50.0)]) == [
        pytest.approx(76.25),
        pytest.approx(93.75),
    ]


def test_one_lucky_visit_does_not_top_the_table() -> None:
    groups = [
        GroupStat(20, 95.0, 225.0),
        GroupStat(20, 80.0, 225.0),
        GroupStat(20, 85.0, 225.0),
        GroupStat(1, 100.0, None),
    ]
    assert rank_locations(groups, min_n=1) == [1, 4, 3, 2]
    assert rank_locations(groups) == [1, 3, 2, None]


def test_no_real_differences_between_locations_pull_everyone_to_the_network_mean() -> None:
    # Between-location spread is far below what visit-to-visit noise explains.
    groups = [GroupStat(5, 80.0, 100.0), GroupStat(5, 81.0, 100.0), GroupStat(10, 79.0, 100.0)]
    grand = (5 * 80 + 5 * 81 + 10 * 79) / 20
    assert shrink_scores(groups) == [pytest.approx(grand, abs=1e-3)] * 3


def test_shrinkage_leaves_means_alone_when_noise_cannot_be_judged() -> None:
    assert shrink_scores([]) == []
    assert shrink_scores([GroupStat(1, 64.0, None)]) == [64.0]
    assert shrink_scores([GroupStat(4, 64.0, 30.0)]) == [64.0]
    # Only single visits: no within-location variance to compare differences against.
    assert shrink_scores([GroupStat(1, 64.0, None), GroupStat(1, 90.0, None)]) == [64.0, 90.0]
    # Identical visits within each location: no noise, so nothing to shrink.
    assert shrink_scores([GroupStat(3, 64.0, 0.0), GroupStat(3, 90.0, 0.0)]) == [64.0, 90.0]


def _grand_mean(groups: list[GroupStat]) -> float:
    """Return the visit-weighted mean score."""
    return math.fsum(g.n * g.mean for g in groups) / sum(g.n for g in groups)


@given(groups_strategy)
def test_shrunk_scores_lie_between_the_location_mean_and_the_grand_mean(
    groups: list[GroupStat],
) -> None:
    shrunk = shrink_scores(groups)
    assert len(shrunk) == len(groups)
    if not groups:
        return
    grand = _grand_mean(groups)
    for group, score in zip(groups, shrunk, strict=True):
        low, high = sorted((group.mean, grand))
        assert low - 1e-9 <= score <= high + 1e-9


@given(
    groups_strategy,
    scores,
    st.floats(min_value=1, max_value=900),
    st.integers(min_value=2, max_value=30),
    st.integers(min_value=1, max_value=30),
)
def test_more_visits_mean_less_shrinkage(
    groups: list[GroupStat], mean: float, variance: float, few: int, extra: int
) -> None:
    # Two locations with the same mean and spread, one with more visits.
    groups = [*groups, GroupStat(few, mean, variance), GroupStat(few + extra, mean, variance)]
    *_, small, large = shrink_scores(groups)
    assert abs(large - mean) <= abs(small - mean) + 1e-12


@given(groups_strategy, st.randoms(use_true_random=False))
def test_shrinkage_and_ranking_do_not_depend_on_the_order_of_locations(
    groups: list[GroupStat], rng: object
) -> None:
    order = list(range(len(groups)))
    rng.shuffle(order)  # type: ignore[attr-defined]
    shuffled = [groups[i] for i in order]
    assert shrink_scores(shuffled) == [shrink_scores(groups)[i] for i in order]
    assert rank_locations(shuffled) == [rank_locations(groups)[i] for i in order]


@given(groups_strategy, st.integers(min_value=1, max_value=10))
def test_ranking_is_a_competition_ranking_of_shrunk_scores_over_eligible_locations(
    groups: list[GroupStat], min_n: int
) -> None:
    ranks = rank_locations(groups, min_n=min_n)
    shrunk = shrink_scores(groups)
    eligible = [s for g, s in zip(groups, shrunk, strict=True) if g.n >= min_n]
    for group, score, rank in zip(groups, shrunk, ranks, strict=True):
        if group.n < min_n:
            assert rank is None
        else:
            assert rank == 1 + sum(other > score for other in eligible)
    assigned = sorted(r for r in ranks if r is not None)
    if assigned:
        assert assigned[0] == 1 and assigned[-1] <= len(assigned)


def test_tied_locations_share_the_better_rank_and_the_next_rank_is_skipped() -> None:
    groups = [
        GroupStat(10, 90.0, 50.0),
        GroupStat(10, 80.0, 50.0),
        GroupStat(10, 80.0, 50.0),
        GroupStat(10, 70.0, 50.0),
        GroupStat(2, 99.0, 1.0),
    ]
    assert rank_locations(groups) == [1, 2, 2, 4, None]


# --- improvement potential ------------------------------------------------------------------


def test_improvement_potential_is_the_missed_share_of_the_items_weight() -> None:
    # Met 60% of the time, worth 10% of the visit score: always meeting it adds 4 points.
    assert improvement_potential(0.6, 0.1) == pytest.approx(4.0)
    assert improvement_potential(1.0, 0.3) == 0.0
    assert improvement_potential(0.0, 1.0) == 100.0


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: wilson_interval(-1, 5), "successes"),
        (lambda: wilson_interval(6, 5), "successes"),
        (lambda: wilson_interval(0, -1), "n"),
        (lambda: wilson_interval(1, 5, 1.0), "confidence"),
        (lambda: wilson_interval(1, 5, math.nan), "confidence"),
        (lambda: z_value(0.0), "confidence"),
        (lambda: classify_compliance(1, 5, met_at=1.5), "met_at"),
        (lambda: classify_compliance(1, 5, missed_below=-0.1), "missed_below"),
        (lambda: classify_compliance(1, 5, met_at=0.4, missed_below=0.6), "missed_below"),
        (lambda: classify_compliance(1, 5, min_n=0), "min_n"),
        (lambda: difference_interval(3, 2, 1, 5), "s1"),
        (lambda: difference_interval(1, 2, 1, -5), "n2"),
        (lambda: compare_proportions(1, 2, -1, 5), "s2"),
        (lambda: compare_proportions(1, 2, 1, 5, min_n=0), "min_n"),
        (lambda: summarize([1.0, math.nan]), r"values\[1\]"),
        (lambda: t_quantile(0.0, 3), "p"),
        (lambda: t_quantile(0.5, 0), "df"),
        (lambda: mean_difference(-1, 1.0, 1.0, 3, 1.0, 1.0), "n1"),
        (lambda: mean_difference(3, None, 1.0, 3, 1.0, 1.0), "mean1"),
        (lambda: mean_difference(3, 1.0, -1.0, 3, 1.0, 1.0), "sd1"),
        (lambda: mean_difference(3, 1.0, 1.0, 3, 1.0, None), "sd2"),
        (lambda: mean_difference(3, 1.0, 1.0, 3, math.inf, 1.0), "mean2"),
        (lambda: mean_difference(3, 1.0, 1.0, 3, 1.0, 1.0, min_n=1), "min_n"),
        (lambda: mean_difference(3, 1.0, 1.0, 3, 1.0, 1.0, 95), "confidence"),
        (lambda: shrink_scores([GroupStat(0, 1.0, None)]), r"groups\[0\]\.n"),
        (lambda: shrink_scores([GroupStat(2, 1.0, 1.0), GroupStat(3, 1.0, -2.0)]), r"\[1\]"),
        (lambda: shrink_scores([GroupStat(3, 1.0, None)]), r"groups\[0\]\.variance"),
        (lambda: rank_locations([], min_n=0), "min_n"),
        (lambda: improvement_potential(1.2, 0.1), "compliance_rate"),
        (lambda: improvement_potential(0.5, -0.1), "item_share"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call: object, argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        call()  # type: ignore[operator]
