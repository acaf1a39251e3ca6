"""Charts are self-contained, accessible SVG that a strict CSP and WeasyPrint both accept."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from audit_app import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ElementTree.Element:
    root = ElementTree.fromstring(str(markup))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert root.get("viewBox")
    text = str(markup)
    for forbidden in ("<script", "foreignObject", "style=", "var(--", "url(", "href="):
        assert forbidden not in text
    return root


def all_charts():
    trend = [
        charts.TrendDatum("Jan", 80.0, 82.0, 5),
        charts.TrendDatum("Feb", None, 81.0, 0),
        charts.TrendDatum("Mar", 91.5, 83.0, 4),
    ]
    bars = [
        charts.BarDatum("Greeting <b>", 85.0, 80.0, "4 visits"),
        charts.BarDatum("Farewell", None, 70.0, enough=False),
    ]
    interval = charts.IntervalDatum("Smiled", 0.75, 0.3, 0.95, "inconsistent", 0.6, 4)
    return [
        charts.trend_chart(trend, title="Trend", subject_label="Alpha", pass_mark=80),
        charts.bar_chart(bars, title="Sections"),
        charts.sparkline([80.0, None, 90.0], title="Spark", labels=["a", "b", "c"]),
        charts.sparkline([None, None], title="Empty"),
        charts.heat_cell(84.2, title="Alpha, Greeting"),
        charts.heat_cell(60.0, title="Bravo, Greeting", enough=False),
        charts.heat_legend(),
        charts.interval_strip(interval, met_at=0.85, missed_below=0.5),
        charts.forest_plot(
            [interval, charts.IntervalDatum("None", None, None, None, "not_enough_visits")],
            title="Standards",
            met_at=0.85,
            missed_below=0.5,
        ),
    ]


@pytest.mark.parametrize("index", range(9))
def test_every_chart_is_valid_accessible_self_contained_svg(index):
    parse(all_charts()[index])


def test_text_is_escaped_and_described():
    markup = str(charts.bar_chart([charts.BarDatum("Greeting <b>", 85.0, 80.0)], title="A & B"))
    assert "Greeting &lt;b&gt;" in markup and "<b>" not in markup
    desc = parse(markup).find(f"{SVG}desc").text
    assert "Greeting <b>: 85.0% (network 80.0%)" in desc


def test_trend_breaks_the_line_at_a_gap_and_describes_every_point():
    root = parse(all_charts()[0])
    lines = [p for p in root.iter(f"{SVG}polyline") if p.get("stroke") == charts.SUBJECT]
    assert len(lines) == 0  # Jan and Mar are alone on each side of the gap: dots only
    dots = [c for c in root.iter(f"{SVG}circle") if c.get("fill") == charts.SUBJECT]
    assert len(dots) == 2
    assert "Feb: – (network 81.0, 0 visits)" in root.find(f"{SVG}desc").text


def test_heat_colours_step_from_red_to_green():
    assert charts.heat_colour(95) == charts.HEAT_STEPS[0][1]
    assert charts.heat_colour(10) == charts.HEAT_STEPS[-1][1]
    assert charts.heat_colour(None) == charts.HEAT_EMPTY
    few = str(charts.heat_cell(60.0, title="x", enough=False))
    assert charts.HEAT_EMPTY in few and "not enough visits" in few


def test_interval_strip_marks_zones_interval_and_network():
    root = parse(all_charts()[7])
    fills = {r.get("fill") for r in root.iter(f"{SVG}rect")}
    assert {charts.ZONE_MET, charts.ZONE_MISSED} <= fills
    assert any(line.get("stroke-dasharray") == "2 2" for line in root.iter(f"{SVG}line"))
    assert re.search(r"75% of 4 visits, 95% interval 30–95%", root.find(f"{SVG}desc").text)


def test_same_input_same_markup():
    assert str(all_charts()[2]) == str(all_charts()[2])


def test_trend_points_from_too_few_visits_are_hollow_and_said_so():
    points = [charts.TrendDatum("Aug", 80.0, 82.0, 5), charts.TrendDatum("Sep", 70.0, 81.0, 2)]
    root = parse(charts.trend_chart(points, title="T", subject_label="Alpha", min_n=3))
    dots = [c for c in root.iter(f"{SVG}circle") if c.get("fill") != charts.REFERENCE]
    fills = [c.get("fill") for c in dots if c.get("stroke") == charts.SUBJECT]
    assert fills == [charts.SUBJECT, charts.PAPER]
    desc = root.find(f"{SVG}desc").text
    assert "Sep: 70.0 (network 81.0, 2 visits, not enough visits)" in desc
    assert "Aug: 80.0 (network 82.0, 5 visits)" in desc


def test_the_whole_network_trend_has_no_second_identical_line():
    points = [charts.TrendDatum("Aug", 80.0, 80.0, 50), charts.TrendDatum("Sep", 81.0, 81.0, 50)]
    root = parse(
        charts.trend_chart(points, title="T", subject_label="Whole network", show_reference=False)
    )
    assert len(list(root.iter(f"{SVG}polyline"))) == 1
    assert "Network" not in "".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "network 80.0" not in root.find(f"{SVG}desc").text


@pytest.mark.parametrize("rate", [0.0, 1.0])
def test_an_interval_strip_keeps_its_dot_inside_the_picture(rate):
    d = charts.IntervalDatum("Greeted", rate, rate, rate, "consistently_met", None, 30)
    root = parse(charts.interval_strip(d, met_at=0.85, missed_below=0.5, width=110, height=16))
    (dot,) = root.iter(f"{SVG}circle")
    cx, r = float(dot.get("cx")), float(dot.get("r"))
    assert cx - r >= 0 and cx + r <= 110
