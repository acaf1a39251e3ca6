"""Charts of a report: the analytics view-models turned into charts.py inputs and SVG."""

from __future__ import annotations

from markupsafe import Markup

from .. import charts
from ..stats import Verdict
from .compare import CompareRow, Table
from .report import Breakdown, Report, StandardRow, SubjectKind


def trend(report: Report, width: float = 640) -> Markup:
    """The subject's mean score per month or quarter against the network's."""
    unit = "quarter" if report.selection.granularity.value == "quarter" else "month"
    network = report.subject.kind is SubjectKind.NETWORK
    title = f"Mean score by {unit}: " + (
        "the whole network" if network else f"{report.subject.name} and the network"
    )
    return charts.trend_chart(
        [
            charts.TrendDatum(p.bucket.short, p.subject.mean, p.network.mean, p.subject.n)
            for p in report.trend
        ],
        title=title,
        subject_label=report.subject.name,
        pass_mark=report.checklist.pass_mark,
        width=width,
        min_n=report.selection.thresholds.min_n,
        show_reference=not network,
    )


def _bars(
    rows: list[Breakdown], min_n: int, title: str, subject: str, counted: str = "visit"
) -> Markup:
    return charts.bar_chart(
        [
            charts.BarDatum(
                label=row.label,
                value=row.value,
                reference=row.network_value,
                note=plural(row.n, counted),
                enough=row.n >= min_n,
            )
            for row in rows
        ],
        title=title,
        subject_label=subject,
    )


def sections(report: Report) -> Markup:
    return _bars(
        report.sections,
        report.selection.thresholds.min_n,
        f"Mean section score: {report.subject.name} and the network",
        report.subject.name,
    )


def dimensions(report: Report) -> Markup:
    return _bars(
        report.dimensions,
        report.selection.thresholds.min_n,
        f"Points earned by service-quality dimension: {report.subject.name} and the network",
        report.subject.name,
        counted="answer",
    )


def slots(report: Report) -> Markup:
    rows = [*report.weekparts, *report.dayparts]
    return charts.bar_chart(
        [
            charts.BarDatum(
                label=slot.label,
                value=slot.subject.mean,
                reference=slot.network.mean,
                note=plural(slot.subject.n, "visit"),
                enough=slot.subject.n >= report.selection.thresholds.min_n,
            )
            for slot in rows
        ],
        title=f"Mean score by time of visit (local time): {report.subject.name}",
        subject_label=report.subject.name,
    )


def _interval(row: StandardRow, label: str) -> charts.IntervalDatum:
    return charts.IntervalDatum.of(label, row.compliance, row.network_rate)


def strip(report: Report, row: StandardRow) -> Markup:
    """The standard's interval for its table row."""
    t = report.selection.thresholds
    return charts.interval_strip(
        _interval(row, row.info.text), met_at=t.met_at, missed_below=t.missed_below
    )


def forest(report: Report) -> Markup:
    """All standards' intervals in one figure (for print)."""
    t = report.selection.thresholds
    return charts.forest_plot(
        [_interval(row, row.info.text) for row in report.standards],
        title=f"Compliance with each standard: {report.subject.name}",
        met_at=t.met_at,
        missed_below=t.missed_below,
    )


def spark(table: Table, row: CompareRow) -> Markup:
    return charts.sparkline(
        row.spark,
        title=f"Trend of {row.name}",
        labels=[b.label for b in table.buckets],
        guide=table.selection.checklist.pass_mark,
    )


def heat(table: Table, row: CompareRow, section_id: str, title: str) -> Markup:
    moments = row.sections.get(section_id)
    mean = moments.mean if moments else None
    n = moments.n if moments else 0
    return charts.heat_cell(
        mean, title=f"{row.name}, {title}", enough=n >= table.selection.thresholds.min_n
    )


def heat_legend() -> Markup:
    return charts.heat_legend()


def plural(n: int, word: str) -> str:
    """1 visit, 2 visits."""
    return f"{n} {word}" + ("" if n == 1 else "s")


VERDICT_LABELS = {
    Verdict.CONSISTENTLY_MET: "consistently met",
    Verdict.INCONSISTENT: "inconsistent",
    Verdict.CONSISTENTLY_MISSED: "consistently missed",
    Verdict.NOT_ENOUGH_VISITS: "not enough visits",
}
