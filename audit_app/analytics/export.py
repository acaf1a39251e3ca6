"""CSV and XLSX exports of the comparison table and of visits with their answers.

Rows are built as plain lists (`Sheet`), then written by one CSV and one XLSX writer.
Visits are read in batches, so an export of a whole year never holds every answer in
memory. Text a shopper typed is neutralised against spreadsheet formula injection (a
leading =, +, -, @ makes Excel evaluate a cell). Only admins and reviewers get the shopper's
name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from ..checklists import Checklist
from ..checklists.model import ItemType
from ..extensions import db
from ..models import Answer, Area, ChecklistVersion, Location, SectionScore, User, Visit
from ..redaction import identity_words, scrub
from ..services import scope
from . import sql
from .compare import Table
from .selection import Selection
from .visit_detail import show_answer

BATCH = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass
class Sheet:
    """A named table: a header and rows (rows may be a generator)."""

    name: str
    header: list[str]
    rows: Iterable[Sequence[Any]] = field(default_factory=list)


def safe_text(value: Any) -> Any:
    """Text that a spreadsheet will not read as a formula; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def about(selection: Selection, user: User, what: str) -> Sheet:
    """What an export contains: the selection, the thresholds, who made it and when."""
    t = selection.thresholds
    rows = [
        ("Export", what),
        ("Checklist", f"{selection.checklist.title} ({selection.checklist.key})"),
        (
            "Period",
            f"{selection.period.label} ({selection.period.start} to {selection.period.end})",
        ),
        ("Previous period", selection.period.previous().label),
        ("Counted visits", "approved visits only"),
        ("Not enough visits below", t.min_n),
        ("Consistently met when the 95% interval's low bound is at least", t.met_at),
        ("Consistently missed when the 95% interval's high bound is below", t.missed_below),
        ("Exported by", f"{user.name} ({user.role.replace('_', ' ')})"),
        ("Exported at (UTC)", datetime.now(UTC).strftime("%Y-%m-%d %H:%M")),
    ]
    return Sheet("About", ["Field", "Value"], rows)


# ---- the comparison -------------------------------------------------------------------------


def compare_sheet(table: Table) -> Sheet:
    """Every row of a comparison (build it with page=None)."""
    min_n = table.selection.thresholds.min_n
    header = [
        "Location code",
        "Location",
        "Area",
        "Visits",
        "Mean score",
        "Spread (SD)",
        "Lowest",
        "Highest",
        "Pass rate %",
        "Critical failures",
        "Rank",
        "Ranked locations",
        "Previous mean",
        "Change",
        "Change is",
        "Note",
        *[f"Section: {s.title}" for s in table.sections],
    ]

    def rows():
        for r in table.rows:
            m = r.moments
            rate = m.pass_rate
            yield [
                r.code,
                r.name,
                r.area_name,
                m.visits,
                _round(m.mean),
                _round(m.sd),
                m.low,
                m.high,
                None if rate is None else round(rate * 100, 1),
                m.critical,
                r.standing.rank,
                r.standing.of,
                _round(r.previous.mean),
                _round(r.change.difference),
                r.change.direction.value.replace("_", " "),
                "" if m.n >= min_n else "not enough visits",
                *[
                    _round(r.sections[s.id].mean) if s.id in r.sections else None
                    for s in table.sections
                ],
            ]

    return Sheet("Comparison", header, rows())


# ---- visits with answers --------------------------------------------------------------------


def _zone(name: str):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class VisitBatch:
    visits: list[Any]  # rows of VISIT_COLUMNS (+ the shopper's name)
    answers: dict[int, list[Any]]  # rows of ANSWER_COLUMNS
    sections: dict[int, dict[str, float | None]]


VISIT_COLUMNS = (
    Visit.id,
    Visit.local_date,
    Visit.started_at,
    Visit.local_weekday,
    Location.code,
    Location.name,
    Location.timezone,
    Area.name,
    ChecklistVersion.version,
    Visit.score,
    Visit.passed,
    Visit.critical_failed,
)
ANSWER_COLUMNS = (
    Answer.visit_id,
    Answer.item_id,
    Answer.section_id,
    Answer.value,
    Answer.na,
    Answer.earned,
    Answer.possible,
    Answer.met,
    Answer.critical_failed,
    Answer.note,
)


def visit_batches(
    selection: Selection, where, identity: bool, *, answers: bool, sections: bool
) -> Iterator[VisitBatch]:
    """The selected approved visits, their answers and section scores, in batches, oldest first.

    Plain column rows, not ORM objects, so memory stays flat however many visits there are.
    """
    scan = sql.Scan(
        selection.checklist.version_ids, selection.period.start, selection.period.end, where
    )
    order = (Visit.local_date, Visit.started_at, Visit.id)
    ids = db.session.scalars(select(Visit.id).where(*scan.conditions()).order_by(*order)).all()
    query = (
        select(*VISIT_COLUMNS, User.name if identity else Visit.shopper_id)
        .join(Location, Location.id == Visit.location_id)
        .join(Area, Area.id == Location.area_id)
        .join(ChecklistVersion, ChecklistVersion.id == Visit.checklist_version_id)
        .order_by(*order)
    )
    if identity:
        query = query.join(User, User.id == Visit.shopper_id)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        visits = db.session.execute(query.where(Visit.id.in_(chunk))).all()
        by_visit: dict[int, list[Any]] = {}
        if answers:
            for row in db.session.execute(
                select(*ANSWER_COLUMNS)
                .where(Answer.visit_id.in_(chunk))
                .order_by(Answer.visit_id, Answer.position)
            ):
                by_visit.setdefault(row.visit_id, []).append(row)
        scores: dict[int, dict[str, float | None]] = {}
        if sections:
            for visit_id, section_id, percent in db.session.execute(
                select(SectionScore.visit_id, SectionScore.section_id, SectionScore.percent).where(
                    SectionScore.visit_id.in_(chunk)
                )
            ):
                scores.setdefault(visit_id, {})[section_id] = percent
        yield VisitBatch(visits, by_visit, scores)


def _visit_cells(row, identity: bool) -> list[Any]:
    (visit_id, day, started, weekday, code, name, timezone, area, version, score, passed,
     critical, shopper) = row  # fmt: skip
    cells = [
        visit_id,
        day.isoformat(),
        started.astimezone(_zone(timezone)).strftime("%H:%M"),
        WEEKDAYS[weekday],
        code,
        name,
        area,
        version,
        score,
        "yes" if passed else "no",
        "yes" if critical else "no",
    ]
    if identity:
        cells.append(shopper)
    return cells


VISIT_HEADER = [
    "Visit",
    "Local date",
    "Local time",
    "Weekday",
    "Location code",
    "Location",
    "Area",
    "Checklist version",
    "Score",
    "Passed",
    "Critical failure",
]
ANSWER_HEADER = [
    "Section",
    "Standard id",
    "Standard",
    "Answer",
    "N/A",
    "Points earned",
    "Points possible",
    "Met",
    "Critical failure on this standard",
    "Note",
]


def _versions(selection: Selection) -> dict[int, Checklist]:
    rows = db.session.execute(
        select(ChecklistVersion.version, ChecklistVersion.id).where(
            ChecklistVersion.id.in_(selection.checklist.version_ids)
        )
    )
    return {version: db.session.get(ChecklistVersion, vid).checklist for version, vid in rows}


def visit_sheets(selection: Selection, user: User, where) -> tuple[Sheet, Sheet]:
    """Two sheets: one row per visit (with section scores), one row per answer.

    Each sheet reads the database when its rows are consumed, batch by batch.
    """
    identity = scope.sees_shopper_identity(user)
    head = VISIT_HEADER + (["Shopper"] if identity else [])
    sections = [s for s in selection.checklist.sections if s.current]
    checklists = _versions(selection)
    info = selection.checklist

    def visit_rows():
        for batch in visit_batches(selection, where, identity, answers=False, sections=True):
            for row in batch.visits:
                by_section = batch.sections.get(row[0], {})
                yield _visit_cells(row, identity) + [by_section.get(s.id) for s in sections]

    def answer_rows():
        for batch in visit_batches(selection, where, identity, answers=True, sections=False):
            secrets = {} if identity else _shopper_words({row[-1] for row in batch.visits})
            for row in batch.visits:
                cells = _visit_cells(row, identity)
                checklist = checklists[row[8]]
                language = checklist.default_language
                words = None if identity else secrets.get(row[-1], set())
                for a in batch.answers.get(row[0], []):
                    item = checklist.item(a.item_id)
                    standard = info.standard(a.item_id)
                    answer = show_answer(item, a.value, a.na, language, language)
                    yield cells + [
                        standard.section_title if standard else a.section_id,
                        a.item_id,
                        standard.text if standard else a.item_id,
                        _as_seen(answer, words) if item and item.type is ItemType.TEXT else answer,
                        "yes" if a.na else "no",
                        _round(a.earned) if a.possible else None,
                        _round(a.possible) if a.possible else None,
                        "" if a.met is None else ("yes" if a.met else "no"),
                        "yes" if a.critical_failed else "no",
                        _as_seen(a.note, words),
                    ]

    return (
        Sheet("Visits", head + [f"Section: {s.title}" for s in sections], visit_rows()),
        Sheet("Answers", head + ANSWER_HEADER, answer_rows()),
    )


def _as_seen(text: str, words: set[str] | None) -> str:
    """The shopper's own words as this reader may see them: as written (None), or without
    the shopper's name and e-mail (managers)."""
    return text if words is None else scrub(text, words)


def _shopper_words(shopper_ids: set[int]) -> dict[int, set[str]]:
    """What identifies each of these shoppers in text (redaction.identity_words)."""
    rows = db.session.execute(
        select(User.id, User.name, User.email).where(User.id.in_(shopper_ids))
    )
    return {user_id: identity_words(name, email) for user_id, name, email in rows}


# ---- writers ----------------------------------------------------------------------------------


def csv_lines(sheet: Sheet) -> Iterator[str]:
    """The sheet as CSV text, line by line (UTF-8 with a BOM so Excel reads accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(sheet.header)
    for row in sheet.rows:
        writer.writerow([safe_text(v) for v in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_xlsx(sheets: Sequence[Sheet], target: IO[bytes]) -> None:
    """Write a workbook with one worksheet per sheet, the header row bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(sheet.name[:31])
        ws.freeze_panes = "A2"
        header = []
        for title in sheet.header:
            cell = WriteOnlyCell(ws, value=title)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            ws.append([_xlsx_value(ws, v) for v in row])
    book.save(target)


def _xlsx_value(ws, value: Any) -> Any:
    """Strings are stored as text, never as formulas (openpyxl treats "=..." as a formula)."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value
