"""From aggregates to statistics: the calls into audit_app.stats with the app's thresholds.

Pure: takes Moments and Counts, returns the stats module's result types. The thresholds
come from config (CONSISTENCY_MET_AT, CONSISTENCY_MISSED_BELOW, MIN_VISITS_FOR_VERDICT);
docs/statistics.md explains the methods.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass

from ..stats import (
    Comparison,
    Compliance,
    Interval,
    MeanChange,
    classify_compliance,
    compare_proportions,
    improvement_potential,
    mean_difference,
    shrink_scores,
    wilson_interval,
)
from .moments import Counts, Moments


@dataclass(frozen=True, slots=True)
class Thresholds:
    met_at: float = 0.85
    missed_below: float = 0.5
    min_n: int = 3

    @classmethod
    def from_config(cls, config: Mapping) -> Thresholds:
        return cls(
            met_at=float(config["CONSISTENCY_MET_AT"]),
            missed_below=float(config["CONSISTENCY_MISSED_BELOW"]),
            min_n=int(config["MIN_VISITS_FOR_VERDICT"]),
        )


def compliance(counts: Counts, t: Thresholds) -> Compliance:
    """The standard's rate, Wilson interval and verdict."""
    return classify_compliance(
        counts.met, counts.n, met_at=t.met_at, missed_below=t.missed_below, min_n=t.min_n
    )


def versus(subject: Counts, rest: Counts, t: Thresholds) -> Comparison:
    """Subject against the rest of a group (Newcombe), clear only when the interval excludes 0.

    The rest is a group minus the subject. The group comes from the rollup store and the
    subject, for a location, straight from its visits: until the store's next check after a
    change made outside the services the two can disagree, so the rest is kept possible.
    """
    n = max(0, rest.n)
    met = min(max(0, rest.met), n)
    return compare_proportions(subject.met, subject.n, met, n, min_n=t.min_n)


def change(current: Moments, previous: Moments, t: Thresholds) -> MeanChange:
    """The change of the mean score from a previous period (Welch), current first."""
    return mean_difference(
        current.n,
        current.mean,
        current.sd,
        previous.n,
        previous.mean,
        previous.sd,
        min_n=max(2, t.min_n),
    )


def pass_interval(moments: Moments) -> Interval | None:
    """The Wilson interval of the pass rate."""
    return wilson_interval(moments.passes, moments.visits)


def potential(counts: Counts, share: float | None, t: Thresholds) -> float | None:
    """Score points gained if the standard were always met; None without enough visits."""
    if share is None or counts.n < t.min_n or counts.rate is None:
        return None
    return improvement_potential(counts.rate, min(1.0, share))


@dataclass(frozen=True, slots=True)
class Standing:
    """A location's shrunk score and its rank in a group (None below min_n visits)."""

    shrunk: float | None
    rank: int | None
    of: int  # locations that could be ranked


def shrunk_scores(moments: Mapping[int, Moments]) -> dict[int, float]:
    """Every scored location's mean, pulled toward the network mean (stats.shrink_scores)."""
    ids = [key for key, m in moments.items() if m.n]
    groups = [moments[key].group() for key in ids]
    return dict(zip(ids, shrink_scores(groups), strict=True)) if ids else {}


def standings(
    moments: Mapping[int, Moments], shrunk: Mapping[int, float], members, t: Thresholds
) -> dict[int, Standing]:
    """Competition ranks (1, 2, 2, 4) by shrunk score among `members`, as stats.rank_locations.

    Shrinkage is estimated once over the whole network; a subset (an area, the rows of a
    filtered table) is ranked by those scores, so a location keeps the same shrunk score
    on every page.
    """
    eligible = sorted(shrunk[key] for key in members if key in shrunk and moments[key].n >= t.min_n)
    out = {}
    for key in members:
        score = shrunk.get(key)
        ranked = score is not None and moments[key].n >= t.min_n
        out[key] = Standing(
            shrunk=score,
            rank=len(eligible) - bisect_right(eligible, score) + 1 if ranked else None,
            of=len(eligible),
        )
    return out
