"""The PDF's view-model: every figure of a location's report as display-ready values. Pure.

Takes the analytics report (duck-typed: no import of the SQL layer), the visit log prepared
by reports.data and the language, and returns plain dataclasses the print template shows
as they are. Nothing here knows who the shopper was: comments are scrubbed of any name or
e-mail address given in `redact`, and of anything that looks like an e-mail address.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from .. import charts
from ..checklists.model import localize
from ..redaction import scrub
from .labels import chart_words
from .labels import labels as labels_for

DAYPART_KEYS = ("morning", "afternoon", "evening")
WEEKPART_KEYS = ("weekdays", "weekends")


@dataclass(frozen=True)
class VisitInput:
    """One approved visit as the report shows it (no shopper field on purpose)."""

    local_date: date
    local_time: str
    score: float | None
    passed: bool
    critical_failed: bool
    comments: tuple[tuple[str, str], ...] = ()  # (item id, note)
    photos: tuple[str, ...] = ()  # thumbnail URLs the safe fetcher serves
    photos_removed: int = 0  # deleted under the retention policy


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class StandardLine:
    text: str
    section: str
    n: int
    rate: str
    interval: str
    verdict: str
    verdict_label: str
    versus: str
    versus_label: str
    critical: bool
    strip: str = ""  # the interval against the met / missed zones, inline SVG


@dataclass(frozen=True)
class SlotLine:
    label: str
    n: int
    score: str
    network: str
    change: str
    change_label: str


@dataclass(frozen=True)
class VisitLine:
    date: str
    time: str
    score: str
    result: str
    passed: bool
    critical: bool
    comments: tuple[tuple[str, str], ...]
    photos: tuple[str, ...]
    photos_removed: str  # "Photos removed under the retention policy: 2", or ""


@dataclass(frozen=True)
class FocusLine:
    text: str
    section: str
    rate: str
    gain: str


@dataclass(frozen=True)
class ReportContext:
    lang: str
    t: dict[str, str]
    title: str
    author: str
    location_name: str
    location_code: str
    area_name: str
    checklist_title: str
    period_label: str
    period_key: str
    generated: str
    confidential: str
    enough: bool
    not_enough_note: str
    headline: list[Figure]
    trend_svg: str
    sections_svg: str
    dimensions_svg: str
    standards: list[StandardLine]
    weekparts: list[SlotLine]
    dayparts: list[SlotLine]
    visits: list[VisitLine]
    visits_hidden: int
    focus: list[FocusLine]
    keywords: list[str] = field(default_factory=list)


def pct(value: float | None, digits: int = 0) -> str:
    """A 0-1 rate as a percentage, or an en dash."""
    return "–" if value is None else f"{value * 100:.{digits}f}%"


def points(value: float | None, digits: int = 1) -> str:
    """A 0-100 score, or an en dash."""
    return "–" if value is None else f"{value:.{digits}f}"


def localized_texts(checklist, lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """Item and section texts of the newest checklist version in a language."""
    default = checklist.default_language
    items, sections = {}, {}
    for section in checklist.sections:
        sections[section.id] = localize(section.title, lang, default)
        for item in section.items:
            items[item.id] = localize(item.text, lang, default)
    return items, sections


def _standing(standing, t: dict[str, str]) -> str:
    if standing is None or standing.rank is None:
        return t["not_enough"]
    return f"{standing.rank} {t['of']} {standing.of}"


def build(
    report,
    *,
    visits: Sequence[VisitInput],
    lang: str,
    generated_at: datetime,
    redact: Iterable[str] = (),
    organisation: str = "",
    visits_total: int | None = None,
) -> ReportContext:
    """Turn an analytics Report of one location into what the print template shows."""
    t = labels_for(lang)
    redact = list(redact)
    info = report.checklist
    item_text, section_text = localized_texts(info.latest, lang)
    subject = report.subject
    head = report.headline
    now = head.current
    min_n = report.selection.thresholds.min_n
    enough = report.enough

    change = head.change
    change_note = (
        f"{charts.signed(change.difference)} · {t[change.direction.value]}"
        if change.difference is not None
        else t[change.direction.value]
    )
    headline = [
        Figure(t["score"], points(now.mean), change_note),
        Figure(
            t["pass_rate"],
            pct(now.pass_rate),
            f"{pct(head.pass_interval.low)}–{pct(head.pass_interval.high)}"
            if head.pass_interval
            else "",
        ),
        Figure(t["spread"], points(now.sd)),
        Figure(t["visits"], str(now.visits)),
        Figure(t["lowest_highest"], f"{points(now.low, 0)} / {points(now.high, 0)}"),
        Figure(t["rank_area"], _standing(report.area_standing, t)),
        Figure(t["rank_network"], _standing(report.network_standing, t)),
    ]

    thresholds = report.selection.thresholds
    words = chart_words(lang)
    names = {"subject_label": t["this_location"], "reference_label": t["network"], "words": words}
    trend_svg = charts.trend_chart(
        [
            charts.TrendDatum(p.bucket.short, p.subject.mean, p.network.mean, p.subject.n)
            for p in report.trend
        ],
        title=t["trend"],
        pass_mark=info.pass_mark,
        min_n=min_n,
        **names,
    )

    def bars(rows, label, title: str) -> str:
        return charts.bar_chart(
            [
                charts.BarDatum(label(b), b.value, b.network_value, f"n={b.n}", b.n >= min_n)
                for b in rows
            ],
            title=title,
            width=640,
            **names,
        )

    sections_svg = bars(report.sections, lambda b: section_text.get(b.key, b.label), t["sections"])
    dimensions_svg = bars(report.dimensions, lambda b: t.get(b.key, b.label), t["dimensions"])

    standards = []
    for row in report.standards:
        c = row.compliance
        versus = row.vs_network.direction.value if row.vs_network is not None else ""
        standards.append(
            StandardLine(
                text=item_text.get(row.info.id, row.info.text),
                section=section_text.get(row.info.section_id, row.info.section_title),
                n=c.n,
                rate=pct(c.rate),
                interval=f"{pct(c.interval.low)}–{pct(c.interval.high)}" if c.interval else "–",
                verdict=c.verdict.value,
                verdict_label=t[c.verdict.value],
                versus=versus,
                versus_label=t.get(versus, ""),
                critical=row.info.critical,
                strip=charts.interval_strip(
                    charts.IntervalDatum.of(
                        item_text.get(row.info.id, row.info.text), c, row.network_rate
                    ),
                    met_at=thresholds.met_at,
                    missed_below=thresholds.missed_below,
                    width=110,
                    height=16,
                    words=words,
                    reference_label=t["network"],
                ),
            )
        )

    def slots(rows, keys) -> list[SlotLine]:
        return [
            SlotLine(
                label=t[keys[slot.key]] if slot.key < len(keys) else slot.label,
                n=slot.subject.n,
                score=points(slot.subject.mean),
                network=points(slot.network.mean),
                change=charts.signed(slot.versus_rest.difference),
                change_label=t[slot.versus_rest.direction.value],
            )
            for slot in rows
        ]

    visit_lines = [
        VisitLine(
            date=v.local_date.isoformat(),
            time=v.local_time,
            score=points(v.score),
            result=t["pass"] if v.passed else t["fail"],
            passed=v.passed,
            critical=v.critical_failed,
            comments=tuple(
                (item_text.get(item, item), scrub(note, redact))
                for item, note in v.comments
                if note.strip()
            ),
            photos=v.photos,
            photos_removed=t["photos_removed"].format(n=v.photos_removed)
            if v.photos_removed
            else "",
        )
        for v in visits
    ]
    focus = [
        FocusLine(
            text=item_text.get(row.info.id, row.info.text),
            section=section_text.get(row.info.section_id, row.info.section_title),
            rate=pct(row.compliance.rate),
            gain=f"+{row.potential:.1f} {t['points']}",
        )
        for row in report.focus
    ]
    location = subject.name
    period_label = report.period.label
    return ReportContext(
        lang=lang,
        t=t,
        title=f"{t['title']}: {location}, {period_label}",
        author=organisation or t["title"],
        location_name=location,
        location_code=subject.code,
        area_name=subject.area_name,
        checklist_title=localize(info.latest.title, lang, info.latest.default_language),
        period_label=period_label,
        period_key=report.period.key,
        generated=generated_at.strftime("%Y-%m-%d %H:%M %Z").strip(),
        confidential=t["confidential"].format(location=location),
        enough=enough,
        not_enough_note="" if enough else t["not_enough_note"].format(n=min_n),
        headline=headline,
        trend_svg=trend_svg,
        sections_svg=sections_svg,
        dimensions_svg=dimensions_svg,
        standards=standards,
        weekparts=slots(report.weekparts, WEEKPART_KEYS),
        dayparts=slots(report.dayparts, DAYPART_KEYS),
        visits=visit_lines,
        visits_hidden=max(0, (visits_total or len(visits)) - len(visits)),
        focus=focus,
        keywords=[subject.code, report.period.key],
    )
