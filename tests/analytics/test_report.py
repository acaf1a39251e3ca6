"""Every figure of a location's report against values worked out by hand (see conftest)."""

from __future__ import annotations

import math
import statistics

import pytest

from audit_app.analytics.report import Subject, SubjectKind, build
from audit_app.analytics.selection import resolve
from audit_app.extensions import db
from audit_app.models import Area, Location, User
from audit_app.stats import (
    ChangeDirection,
    ComparisonDirection,
    GroupStat,
    Verdict,
    compare_proportions,
    mean_difference,
    rank_locations,
    wilson_interval,
)

from .conftest import NOT_GREETED, PERFECT, SCRIPTED

OCTOBER_A = [PERFECT, NOT_GREETED, PERFECT, SCRIPTED]


@pytest.fixture
def report(app, network, make_user):
    admin_id = make_user("admin")

    def make(key: str = "A", period: str = "2026-10", **args):
        with app.test_request_context():
            admin = db.session.get(User, admin_id)
            selection = resolve({"period": period, **args}, admin)
            if key in ("KL", "JKT"):
                subject = Subject.areas([db.session.get(Area, network.ids[key])])
            elif key == "network":
                subject = Subject.network()
            else:
                subject = Subject.location(db.session.get(Location, network.ids[key]))
            return build(selection, subject)

    return make


def standard(report, item_id):
    return next(row for row in report.standards if row.info.id == item_id)


def test_headline_figures_count_only_approved_visits(report):
    r = report("A")
    head = r.headline.current
    assert head.visits == head.n == 4  # the submitted and the returned visit do not count
    assert head.mean == pytest.approx(statistics.mean(OCTOBER_A))
    assert head.sd == pytest.approx(statistics.stdev(OCTOBER_A))
    assert (head.low, head.high) == (NOT_GREETED, PERFECT)
    assert head.passes == 3 and head.pass_rate == 0.75  # 79.49 is under the pass mark of 80
    assert head.critical == 0
    assert r.enough


def test_change_from_the_previous_month_uses_welch(report):
    r = report("A")
    assert r.previous_period.key == "2026-09"
    assert r.headline.previous.mean == PERFECT and r.headline.previous.n == 2
    expected = mean_difference(
        4, statistics.mean(OCTOBER_A), statistics.stdev(OCTOBER_A), 2, PERFECT, 0.0
    )
    assert r.headline.change.difference == pytest.approx(expected.difference)
    assert r.headline.change.interval.low == pytest.approx(expected.interval.low)
    assert r.headline.change.direction is ChangeDirection.NOT_ENOUGH_VISITS  # 2 visits in Sep


def test_standard_compliance_has_wilson_interval_and_verdict(report):
    r = report("A")
    greeted = standard(r, "greeted")
    assert (greeted.counts.n, greeted.counts.met) == (4, 3)
    assert greeted.compliance.rate == 0.75
    assert greeted.compliance.interval.low == pytest.approx(0.3006, abs=1e-4)
    assert greeted.compliance.interval.high == pytest.approx(0.9544, abs=1e-4)
    assert greeted.compliance.verdict is Verdict.INCONSISTENT
    farewell = standard(r, "farewell")  # scripted earns half the points: not met
    assert (farewell.counts.n, farewell.counts.met) == (4, 3)
    rude = standard(r, "rude")
    assert (rude.counts.n, rude.counts.met) == (4, 4)
    assert rude.compliance.interval.low == pytest.approx(wilson_interval(4, 4).low)
    assert rude.compliance.verdict is Verdict.INCONSISTENT  # 4/4 is not yet "consistently"
    never = standard(r, "name_used")  # always N/A
    assert never.counts.n == 0 and never.compliance.verdict is Verdict.NOT_ENOUGH_VISITS


def test_standards_compare_with_the_rest_of_the_network_and_the_area(report):
    r = report("A")
    greeted = standard(r, "greeted")
    # network: A 3/4, B 2/2, C 0/3 -> rest of network for A is 2/5
    assert (greeted.network.n, greeted.network.met) == (9, 5)
    expected = compare_proportions(3, 4, 2, 5)
    assert greeted.vs_network.difference == pytest.approx(0.35)
    assert greeted.vs_network.interval.low == pytest.approx(expected.interval.low)
    assert greeted.vs_network.direction is expected.direction
    # the rest of the KL area is B alone: 2 visits, too few to compare
    assert (greeted.area.n, greeted.area.met) == (6, 5)
    assert greeted.vs_area.direction is ComparisonDirection.NOT_ENOUGH_VISITS


def test_fewer_than_three_visits_gives_no_verdict_and_no_rank(report):
    r = report("B")
    assert r.headline.current.visits == 2 and not r.enough
    assert all(row.compliance.verdict is Verdict.NOT_ENOUGH_VISITS for row in r.standards)
    assert r.network_standing.rank is None and r.area_standing.rank is None
    assert r.focus == []


def test_ranks_use_shrunk_scores_of_the_whole_network(report):
    a, c = report("A"), report("C")
    groups = [
        GroupStat(4, statistics.mean(OCTOBER_A), statistics.variance(OCTOBER_A)),
        GroupStat(2, PERFECT, 0.0),
        GroupStat(3, NOT_GREETED, 0.0),
    ]
    expected = rank_locations(groups)  # B has too few visits: ranked None, still counted
    assert (a.network_standing.rank, c.network_standing.rank) == (expected[0], expected[2])
    assert a.network_standing.of == 2
    assert (a.area_standing.rank, a.area_standing.of) == (1, 1)  # B is not ranked


def test_sections_and_dimensions(report):
    r = report("A")
    sections = {b.key: b for b in r.sections}
    conduct = [100.0, round(9 / 13 * 100, 2), 100.0, 100.0]
    assert sections["conduct"].value == pytest.approx(statistics.mean(conduct))
    assert sections["speed"].value == pytest.approx(95.0)  # 100, 100, 100, 80
    assert sections["speed"].n == 4
    dimensions = {b.key: b for b in r.dimensions}
    assert dimensions["responsiveness"].value == pytest.approx(75.0)  # greeted 12 of 16 points
    assert dimensions["empathy"].value is None  # only N/A answers


def test_focus_is_gap_times_weight(report):
    r = report("A")
    # shares: greeted 4/15 x 2/3, farewell 2/5 x 1/3 (name_used counts in conduct's points)
    assert [row.info.id for row in r.focus] == ["greeted", "farewell"]
    assert r.focus[0].potential == pytest.approx(0.25 * (4 / 15) * (2 / 3) * 100)
    assert r.focus[1].potential == pytest.approx(0.25 * (2 / 5) * (1 / 3) * 100)


def test_time_slots_are_in_local_time(report):
    r = report("A")
    week = {s.label: s.subject for s in r.weekparts}
    assert week["Weekdays"].visits == 3 and week["Weekends"].visits == 1
    day = [s.subject.visits for s in r.dayparts]
    assert day == [2, 1, 1]  # 10:15 twice, 13:15, 18:15
    assert r.dayparts[2].subject.mean == PERFECT
    assert sum(m.visits for m in r.grid.values()) == 4


def test_a_visit_after_midnight_local_time_counts_on_its_local_day(report):
    october, november = report("C"), report("C", period="2026-11")
    assert october.headline.current.visits == 3
    assert november.headline.current.visits == 1
    assert [s.subject.visits for s in november.weekparts] == [0, 1]  # Sunday
    assert [s.subject.visits for s in november.dayparts] == [1, 0, 0]  # 00:15: morning


def test_trend_by_month_with_network_and_change(report):
    r = report("A")
    assert len(r.trend) == 12 and r.trend[-1].bucket.label == "Oct 2026"
    september, october = r.trend[-2], r.trend[-1]
    assert september.subject.mean == PERFECT and september.network.n == 2
    assert october.subject.mean == pytest.approx(statistics.mean(OCTOBER_A))
    assert october.network.n == 9
    assert october.change.difference == pytest.approx(statistics.mean(OCTOBER_A) - PERFECT)
    assert r.trend[0].subject.n == 0 and r.trend[0].change is None


def test_trend_by_quarter(report):
    r = report("A", period="2026-Q4")
    assert [p.bucket.label for p in r.trend] == ["Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026"]
    assert r.trend[-1].subject.n == 4 and r.trend[-2].subject.n == 2
    assert r.headline.current.n == 4  # Q4 so far is October
    assert r.previous_period.key == "2026-Q3"


def test_custom_range_and_area_and_network_subjects(report):
    custom = report("A", period="2026-09-01..2026-10-31")
    assert custom.headline.current.n == 6
    kl = report("KL")
    assert kl.subject.kind is SubjectKind.AREAS
    assert kl.headline.current.n == 6
    assert standard(kl, "greeted").vs_network.difference == pytest.approx(5 / 6 - 0 / 3)
    network = report("network")
    assert network.headline.current.n == 9
    assert standard(network, "greeted").vs_network is None
    assert network.network_standing is None


def test_visit_list_is_the_locations_approved_visits_newest_first(report, network):
    r = report("A")
    assert [v.id for v in r.visits] == list(reversed(network.visits["A"]))


def test_results_do_not_depend_on_the_rollup_store(app, report):
    cached = report("A")
    app.config["ANALYTICS_CACHE_CHUNKS"] = 0
    app.extensions.pop("analytics_rollups", None)
    try:
        direct = report("A")
    finally:
        app.config["ANALYTICS_CACHE_CHUNKS"] = 512
        app.extensions.pop("analytics_rollups", None)
    assert direct.headline == cached.headline
    assert [(s.counts, s.network) for s in direct.standards] == [
        (s.counts, s.network) for s in cached.standards
    ]
    assert direct.sections == cached.sections
    assert math.isclose(direct.trend[-1].network.total, cached.trend[-1].network.total)
