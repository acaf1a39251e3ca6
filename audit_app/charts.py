"""Inline SVG charts for the dashboard and the PDF report.

Pure functions: plain values in, a self-contained <svg> out (as markupsafe.Markup, so Jinja
prints it as is; every text inside is escaped here). No scripts, no CSS classes or
variables that the SVG depends on, no external fonts and no foreignObject: the same
markup renders in a browser under a strict CSP and in WeasyPrint. Each chart has a
<title> and a <desc> that says in words what it shows, and role="img" pointing at both;
pages add a data table next to the bigger charts.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
INK, MUTED, GRID, PAPER = "#1d2433", "#5b6475", "#d8dde6", "#ffffff"
SUBJECT, REFERENCE = "#0b5cad", "#8a94a6"
VERDICT_COLOURS = {
    "consistently_met": "#18794e",
    "inconsistent": "#a15c07",
    "consistently_missed": "#b42318",
    "not_enough_visits": "#8a94a6",
}
ZONE_MET, ZONE_MISSED = "#e3f4ea", "#fbe4e1"
# heatmap: (lower bound of the score, fill); dark text stays readable on every fill
HEAT_STEPS = (
    (90.0, "#9fd6aa"),
    (80.0, "#cdeacb"),
    (70.0, "#f3efb4"),
    (60.0, "#fad9a6"),
    (50.0, "#f6bfa6"),
    (0.0, "#ef9d93"),
)
HEAT_EMPTY = "#eef1f6"


@dataclass(frozen=True)
class Words:
    """The words charts put in their pictures and text alternatives; English by default.

    The PDF report passes its language's (reports/labels.py) so a screen reader reads a
    Malay report's charts in Malay.
    """

    pass_mark: str = "pass mark {value}"
    by_period: str = "Mean score by period"
    visits: str = "{n} visits"
    no_visits: str = "no visits"
    not_enough: str = "not enough visits"
    rate_of: str = "{rate}% of {n} visits"
    interval: str = "95% interval {low}–{high}%"
    compliance: str = "Compliance: {label}"
    verdicts: tuple[tuple[str, str], ...] = (
        ("consistently_met", "consistently met"),
        ("inconsistent", "inconsistent"),
        ("consistently_missed", "consistently missed"),
        ("not_enough_visits", "not enough visits"),
    )

    def verdict(self, key: str) -> str:
        return dict(self.verdicts).get(key, key.replace("_", " "))


ENGLISH = Words()


def fmt(value: float | None, digits: int = 1, suffix: str = "") -> str:
    """A number for people: one decimal by default, an en dash when there is none."""
    return "–" if value is None else f"{value:.{digits}f}{suffix}"


def signed(value: float | None, digits: int = 1) -> str:
    """A difference with its sign, +3.2 or -1.5; one that rounds to nothing is 0.0, never
    -0.0; an en dash when there is none."""
    if value is None:
        return "–"
    text = f"{value:+.{digits}f}"
    return f"{0:.{digits}f}" if float(text) == 0 else text


def _id(*parts: object) -> str:
    digest = hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:10]
    return f"c{digest}"


def _svg(
    width: float, height: float, title: str, desc: str, body: str, *, css: str = "chart"
) -> Markup:
    """Wrap a body in an accessible, self-contained SVG that scales to its container."""
    ident = _id(title, desc, body)
    size = f"{_num(float(width))} {_num(float(height))}"
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" viewBox="0 0 {size}" '
        f'width="{_num(float(width))}" height="{_num(float(height))}" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" font-family="{escape(FONT)}">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: float = 12,
    fill: str = INK,
    anchor: str = "start",
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{_num(float(x))}" y="{_num(float(y))}" font-size="{size:g}" fill="{fill}" '
        f'text-anchor="{anchor}" font-weight="{weight}">{escape(text)}</text>'
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _num(value: object) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _el(tag: str, **attrs: object) -> str:
    """An empty SVG element; attribute names use _ for - (stroke_width -> stroke-width)."""
    text = " ".join(f'{k.rstrip("_").replace("_", "-")}="{_num(v)}"' for k, v in attrs.items())
    return f"<{tag} {text}/>"


# ---- trend -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendDatum:
    label: str  # axis label: "Oct", "Q3 26"
    value: float | None  # the subject's mean score
    reference: float | None  # the network's
    n: int = 0


def trend_chart(
    points: Sequence[TrendDatum],
    *,
    title: str,
    subject_label: str,
    reference_label: str = "Network",
    pass_mark: float | None = None,
    width: float = 640,
    height: float = 240,
    words: Words = ENGLISH,
    min_n: int = 0,
    show_reference: bool = True,
) -> Markup:
    """Mean score per month or quarter: the subject's line against the reference's.

    A point from fewer than `min_n` visits is drawn hollow (and said so in the text);
    `show_reference=False` leaves the reference out (the subject is the whole network).
    """
    # the right margin holds half of the last axis label ("Q3 26")
    left, right, top, bottom = 40.0, 22.0, 34.0, 30.0
    values = [v for p in points for v in (p.value, p.reference) if v is not None]
    if pass_mark is not None:
        values.append(pass_mark)
    low = max(0.0, (min(values) // 10) * 10 - 10) if values else 0.0
    high = 100.0
    tick = 10.0 if high - low <= 60 else 20.0
    low = high - tick * math.ceil((high - low) / tick)
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / (len(points) - 1) if len(points) > 1 else 0.0

    def x(i: int) -> float:
        return left + (i * step if len(points) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - low) / (high - low))

    body = [_el("rect", x=0, y=0, width=width, height=height, fill=PAPER)]
    for k in range(round((high - low) / tick) + 1):
        v = low + tick * k
        body.append(_el("line", x1=left, x2=width - right, y1=y(v), y2=y(v), stroke=GRID))
        body.append(_text(left - 6, y(v) + 4, f"{v:.0f}", size=11, fill=MUTED, anchor="end"))
    if pass_mark is not None and low <= pass_mark <= high:
        line = dict(x1=left, x2=width - right, y1=y(pass_mark), y2=y(pass_mark))
        body.append(_el("line", **line, stroke=MUTED, stroke_dasharray="2 3"))
        label = words.pass_mark.format(value=f"{pass_mark:g}")
        body.append(
            _text(width - right, y(pass_mark) - 4, label, size=10, fill=MUTED, anchor="end")
        )
    every = 1 if len(points) <= 12 else 2
    for i, p in enumerate(points):
        if i % every == 0 or i == len(points) - 1:
            body.append(_text(x(i), height - 10, p.label, size=11, fill=MUTED, anchor="middle"))
    series_drawn = [("reference", REFERENCE, "6 4", 2.5)] if show_reference else []
    series_drawn.append(("value", SUBJECT, "none", 3.5))
    for series, colour, dash, radius in series_drawn:
        for segment in _segments([getattr(p, series) for p in points]):
            if len(segment) < 2:
                continue  # a lone point is drawn as its dot
            coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in segment)
            body.append(
                _el(
                    "polyline",
                    points=coords,
                    fill="none",
                    stroke=colour,
                    stroke_width=2.5,
                    stroke_dasharray=dash,
                    stroke_linejoin="round",
                )
            )
        for i, p in enumerate(points):
            v = getattr(p, series)
            if v is None:
                continue
            few = series == "value" and p.n < min_n  # hollow: too few visits to trust
            fill = PAPER if few else colour
            body.append(_el("circle", cx=x(i), cy=y(v), r=radius, fill=fill, stroke=colour))
    body.append(_el("line", x1=left, x2=left + 22, y1=14, y2=14, stroke=SUBJECT, stroke_width=2.5))
    body.append(_text(left + 28, 18, _shorten(subject_label, 40), size=12))
    if show_reference:
        offset = left + 40 + 7 * min(40, len(subject_label))
        body.append(
            _el(
                "line",
                x1=offset,
                x2=offset + 22,
                y1=14,
                y2=14,
                stroke=REFERENCE,
                stroke_width=2.5,
                stroke_dasharray="6 4",
            )
        )
        body.append(_text(offset + 28, 18, reference_label, size=12))

    def said(p: TrendDatum) -> str:
        visits = words.visits.format(n=p.n)
        if p.value is not None and p.n < min_n:
            visits += f", {words.not_enough}"
        if not show_reference:
            return f"{p.label}: {fmt(p.value)} ({visits})"
        return f"{p.label}: {fmt(p.value)} ({reference_label.lower()} {fmt(p.reference)}, {visits})"

    desc = "; ".join(said(p) for p in points)
    return _svg(width, height, title, f"{words.by_period}. {desc}.", "".join(body))


def _segments(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Runs of consecutive known values (a gap breaks the line)."""
    out: list[list[tuple[int, float]]] = []
    current: list[tuple[int, float]] = []
    for i, v in enumerate(values):
        if v is None:
            if current:
                out.append(current)
            current = []
        else:
            current.append((i, v))
    if current:
        out.append(current)
    return out


# ---- bars -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BarDatum:
    label: str
    value: float | None
    reference: float | None = None
    note: str = ""  # e.g. "12 visits"
    enough: bool = True  # False greys the bar: too few visits for a verdict


def bar_chart(
    bars: Sequence[BarDatum],
    *,
    title: str,
    subject_label: str = "This selection",
    reference_label: str = "Network",
    maximum: float = 100.0,
    unit: str = "%",
    width: float = 480,
    words: Words = ENGLISH,
) -> Markup:
    """Horizontal bars (the label above each bar) with a tick for the reference value."""
    row, left, right, top = 40.0, 8.0, 64.0, 26.0
    height = top + row * len(bars) + 8
    plot_w = width - left - right

    def w(v: float) -> float:
        return max(0.0, min(1.0, v / maximum)) * plot_w

    body = [_el("rect", x=0, y=0, width=width, height=height, fill=PAPER)]
    body.append(_el("rect", x=left, y=6, width=14, height=10, fill=SUBJECT))
    body.append(_text(left + 20, 15, subject_label, size=11, fill=MUTED))
    tick = left + 34 + 6.5 * len(subject_label)
    body.append(_el("line", x1=tick, x2=tick, y1=4, y2=18, stroke=INK, stroke_width=2))
    body.append(_text(tick + 7, 15, reference_label, size=11, fill=MUTED))
    for i, bar in enumerate(bars):
        y0 = top + i * row
        label = _shorten(bar.label, 70) + (f" · {bar.note}" if bar.note else "")
        body.append(_text(left, y0 + 11, label, size=12))
        body.append(_el("rect", x=left, y=y0 + 16, width=plot_w, height=14, fill=HEAT_EMPTY))
        if bar.value is not None:
            colour = SUBJECT if bar.enough else REFERENCE
            body.append(_el("rect", x=left, y=y0 + 16, width=w(bar.value), height=14, fill=colour))
        shown = fmt(bar.value, suffix=unit) if bar.value is not None else "–"
        body.append(_text(width - right + 6, y0 + 28, shown, size=12, weight="bold"))
        if bar.reference is not None:
            rx = left + w(bar.reference)
            body.append(
                _el("line", x1=rx, x2=rx, y1=y0 + 12, y2=y0 + 34, stroke=INK, stroke_width=2)
            )
    desc = "; ".join(
        f"{b.label}: {fmt(b.value, suffix=unit)} "
        f"({reference_label.lower()} {fmt(b.reference, suffix=unit)})"
        + (f", {b.note}" if b.note else "")
        + ("" if b.enough else f", {words.not_enough}")
        for b in bars
    )
    return _svg(width, height, title, desc + ".", "".join(body))


# ---- small multiples ---------------------------------------------------------------------


def sparkline(
    values: Sequence[float | None],
    *,
    title: str,
    labels: Sequence[str] = (),
    low: float = 50.0,
    guide: float | None = 80.0,
    width: float = 96,
    height: float = 26,
) -> Markup:
    """A tiny line of mean scores on a low-100 scale (lower values sit on the floor).

    All sparklines of a table share the scale, so their heights compare; `guide` draws a
    faint line (the pass mark).
    """
    pad = 3.0
    step = (width - 2 * pad) / max(1, len(values) - 1)

    def x(i: int) -> float:
        return pad + i * step

    def y(v: float) -> float:
        share = (max(low, min(100.0, v)) - low) / (100.0 - low)
        return pad + (height - 2 * pad) * (1 - share)

    body = []
    if guide is not None:
        body.append(_el("line", x1=pad, x2=width - pad, y1=y(guide), y2=y(guide), stroke=GRID))
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    for segment in _segments(values):
        if len(segment) > 1:
            coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in segment)
            body.append(
                _el("polyline", points=coords, fill="none", stroke=SUBJECT, stroke_width=1.6)
            )
    for i, v in known:
        last = (i, v) == known[-1]
        body.append(_el("circle", cx=x(i), cy=y(v), r=2.4 if last else 1.3, fill=SUBJECT))
    if not known:
        body.append(
            _text(width / 2, height / 2 + 4, "no visits", size=10, fill=MUTED, anchor="middle")
        )
    words = [f"{labels[i] if i < len(labels) else i + 1}: {fmt(v)}" for i, v in enumerate(values)]
    return _svg(width, height, title, "; ".join(words) + ".", "".join(body), css="spark")


def heat_colour(value: float | None) -> str:
    """The fill of a heatmap cell for a score (0-100)."""
    if value is None:
        return HEAT_EMPTY
    return next(colour for bound, colour in HEAT_STEPS if value >= bound)


def heat_cell(
    value: float | None, *, title: str, enough: bool = True, width: float = 76, height: float = 28
) -> Markup:
    """One heatmap cell: the score on its colour; hatched grey when there are too few visits."""
    body = [
        _el(
            "rect",
            x=0,
            y=0,
            width=width,
            height=height,
            fill=heat_colour(value) if enough else HEAT_EMPTY,
        )
    ]
    if not enough and value is not None:
        for k in range(-int(height), int(width), 8):
            body.append(_el("line", x1=k, y1=height, x2=k + height, y2=0, stroke=GRID))
    text = fmt(value)
    weight = "bold" if enough else "normal"
    colour = INK if enough else MUTED
    body.append(
        _text(
            width / 2, height / 2 + 4.5, text, size=13, fill=colour, anchor="middle", weight=weight
        )
    )
    suffix = "" if enough else " (not enough visits)"
    return _svg(width, height, title, f"{title}: {text}{suffix}", "".join(body), css="heat")


def heat_legend(width: float = 420) -> Markup:
    """The colour steps of heat_cell, with a swatch for too few visits."""
    steps = list(reversed(HEAT_STEPS))
    cell = (width - 110) / len(steps)
    body = []
    for i, (bound, colour) in enumerate(steps):
        body.append(_el("rect", x=i * cell, y=0, width=cell, height=16, fill=colour))
        body.append(
            _text(i * cell + 3, 30, f"{bound:.0f}+" if bound else "<50", size=11, fill=MUTED)
        )
    x0 = len(steps) * cell + 10
    body.append(_el("rect", x=x0, y=0, width=20, height=16, fill=HEAT_EMPTY, stroke=GRID))
    body.append(_text(x0 + 26, 13, "too few visits", size=11, fill=MUTED))
    words = ", ".join(f"{b:.0f} and above" if b else "below 50" for b, _ in steps)
    desc = f"Cell colours by score, from red to green: {words}; grey: too few visits."
    return _svg(width, 34, "Heatmap colours", desc, "".join(body), css="legend")


# ---- intervals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IntervalDatum:
    label: str
    rate: float | None  # 0-1
    low: float | None
    high: float | None
    verdict: str  # a stats.Verdict value
    reference: float | None = None  # the network's rate
    n: int = 0

    @classmethod
    def of(cls, label: str, compliance, reference: float | None) -> IntervalDatum:
        """From a stats compliance result (rate, interval, verdict, n)."""
        interval = compliance.interval
        return cls(
            label=label,
            rate=compliance.rate,
            low=interval.low if interval else None,
            high=interval.high if interval else None,
            verdict=compliance.verdict.value,
            reference=reference,
            n=compliance.n,
        )


def _strip(
    d: IntervalDatum, box: tuple[float, float, float, float], met_at: float, missed_below: float
) -> str:
    x0, y0, w, h = box
    pad = h / 4 + 1  # the rate's dot stays whole at 0% and 100%

    def x(v: float) -> float:
        return x0 + pad + max(0.0, min(1.0, v)) * (w - 2 * pad)

    parts = [
        _el("rect", x=x0, y=y0, width=w, height=h, fill=PAPER, stroke=GRID),
        _el("rect", x=x0, y=y0, width=x(missed_below) - x0, height=h, fill=ZONE_MISSED),
        _el("rect", x=x(met_at), y=y0, width=x0 + w - x(met_at), height=h, fill=ZONE_MET),
    ]
    colour = VERDICT_COLOURS.get(d.verdict, REFERENCE)
    mid = y0 + h / 2
    if d.low is not None and d.high is not None:
        parts.append(
            _el(
                "line",
                x1=x(d.low),
                x2=x(d.high),
                y1=mid,
                y2=mid,
                stroke=colour,
                stroke_width=3,
                stroke_linecap="round",
            )
        )
    if d.reference is not None:
        rx = x(d.reference)
        parts.append(
            _el(
                "line",
                x1=rx,
                x2=rx,
                y1=y0 + 1,
                y2=y0 + h - 1,
                stroke=INK,
                stroke_width=1.5,
                stroke_dasharray="2 2",
            )
        )
    if d.rate is not None:
        parts.append(_el("circle", cx=x(d.rate), cy=mid, r=h / 4, fill=colour, stroke=PAPER))
    return "".join(parts)


def _interval_words(d: IntervalDatum, words: Words = ENGLISH, network: str = "network") -> str:
    if d.rate is None:
        return f"{d.label}: {words.no_visits}"
    text = (
        f"{d.label}: {words.rate_of.format(rate=f'{d.rate * 100:.0f}', n=d.n)}, "
        + words.interval.format(low=fmt(_pct(d.low), 0), high=fmt(_pct(d.high), 0))
    )
    if d.reference is not None:
        text += f", {network} {d.reference * 100:.0f}%"
    return text + f", {words.verdict(d.verdict)}"


def _pct(v: float | None) -> float | None:
    return None if v is None else v * 100


def interval_strip(
    d: IntervalDatum,
    *,
    met_at: float,
    missed_below: float,
    width: float = 150,
    height: float = 20,
    words: Words = ENGLISH,
    reference_label: str = "Network",
) -> Markup:
    """A compliance rate with its 95% interval on a 0-100% scale, for a table cell.

    The red zone ends at missed_below and the green zone starts at met_at: an interval wholly
    inside one of them is that verdict. The dashed tick is the network's rate.
    """
    body = _strip(d, (1, 1, width - 2, height - 2), met_at, missed_below)
    title = words.compliance.format(label=d.label)
    desc = _interval_words(d, words, reference_label.lower()) + "."
    return _svg(width, height, title, desc, body, css="strip")


def forest_plot(
    rows: Sequence[IntervalDatum],
    *,
    title: str,
    met_at: float,
    missed_below: float,
    width: float = 680,
) -> Markup:
    """Every standard's compliance interval stacked under a shared 0-100% axis."""
    label_w, row, top = 300.0, 22.0, 30.0
    plot_w = width - label_w - 16
    height = top + row * len(rows) + 24
    body = [_el("rect", x=0, y=0, width=width, height=height, fill=PAPER)]
    for k in range(0, 101, 25):
        x = label_w + plot_w * k / 100
        body.append(_el("line", x1=x, x2=x, y1=top - 6, y2=height - 20, stroke=GRID))
        body.append(_text(x, top - 10, f"{k}%", size=10, fill=MUTED, anchor="middle"))
    for i, d in enumerate(rows):
        y0 = top + i * row
        body.append(_text(label_w - 8, y0 + 14, _shorten(d.label, 48), size=11, anchor="end"))
        body.append(_strip(d, (label_w, y0 + 3, plot_w, row - 6), met_at, missed_below))
    key = (
        f"green: met (interval at or above {met_at * 100:.0f}%), "
        f"red: missed (interval below {missed_below * 100:.0f}%), dashed: network"
    )
    body.append(_text(label_w, height - 6, key, size=10, fill=MUTED))
    desc = "; ".join(_interval_words(d) for d in rows)
    return _svg(width, height, title, desc + ".", "".join(body))
