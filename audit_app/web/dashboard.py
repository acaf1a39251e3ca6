"""The managers' dashboard: overview, comparison of locations, a location, a visit, exports.

Thin views: read the selection (analytics.selection), build a view-model (analytics.report,
analytics.compare, analytics.visit_detail), render. Area managers see their areas, branch
managers their own location only; anything outside a user's scope is "not found".
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from flask_smorest import abort as smorest_abort
from sqlalchemy import select

from ..analytics import checklist as checklists
from ..analytics import compare, export, visit_detail, visuals
from ..analytics import period as periods
from ..analytics.report import Subject, build, overview_subject
from ..analytics.selection import (
    OutOfScope,
    Selection,
    SelectionError,
    resolve,
    visible_areas,
    visible_location,
)
from ..analytics.sql import at_location, in_areas
from ..auth.access import allow
from ..charts import fmt
from ..charts import signed as signed_difference
from ..extensions import db
from ..models import Area, Location, Role, Visit
from ..services import scope
from ..services.errors import NotFound

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
MANAGERS = (Role.ADMIN, Role.REVIEWER, Role.AREA_MANAGER)
READERS = (*MANAGERS, Role.BRANCH_MANAGER)
# a bad value in one of these is dropped together with the others of its group
RELATED = {"from": ("from", "to"), "to": ("from", "to"), "period": ("period", "from", "to")}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPOOL_BYTES = 8 * 1024 * 1024  # exports larger than this are written to a temporary file


@bp.context_processor
def helpers() -> dict:
    return {
        "fmt": fmt,
        "pct": lambda v, digits=0: "–" if v is None else f"{v * 100:.{digits}f}%",
        "visuals": visuals,
        "plural": visuals.plural,
        "local_time": _local_time,
        "verdict_labels": {v.value: label for v, label in visuals.VERDICT_LABELS.items()},
        "signed": signed,
        "sentence": sentence,
    }


def signed(value: float, digits: int = 0) -> str:
    """A difference with its sign for the pages: whole points unless asked (charts.signed)."""
    return signed_difference(value, digits)


def sentence(message: str) -> str:
    """A lower-case error message as a sentence: capital first, full stop last."""
    message = message.strip()
    if not message:
        return message
    return message[0].upper() + message[1:] + ("" if message.endswith((".", "!", "?")) else ".")


def _local_time(visit: Visit) -> str:
    """A visit's start in its location's time zone, HH:MM."""
    try:
        zone = ZoneInfo(visit.location.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return visit.started_at.astimezone(zone).strftime("%H:%M")


def _form_args(args: Mapping[str, str]) -> Mapping[str, str]:
    """Drop the custom dates the filter form sent back unchanged when the period was changed.

    The form always sends the period and the dates together, and dates win over a period
    (as in the API). The dates show the range in use and `shown` names the period the page
    showed: dates equal to it that come with another period are the old range, not a choice.
    """
    shown = (args.get("shown") or "").strip()
    start, end = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    period = (args.get("period") or "").strip()
    if shown and start and end and f"{start}..{end}" == shown and period and period != shown:
        return {k: v for k, v in args.items() if k not in ("from", "to")}
    return args


def _selection(args: Mapping[str, str]) -> tuple[Selection | None, SelectionError | None]:
    """The selection asked for; on a bad value, the defaults for it and the error to show."""
    args = _form_args(args)
    try:
        return resolve(args, current_user), None
    except OutOfScope:
        abort(404)
    except SelectionError as error:
        dropped = RELATED.get(error.field, (error.field,))
        try:
            rest = {k: v for k, v in args.items() if k not in dropped}
            return resolve(rest, current_user), error
        except SelectionError as again:  # e.g. no checklist stored at all
            return None, again


def _filters(selection: Selection, **extra) -> dict:
    """What the filter form needs: choices and the current values."""
    choices = periods.choices(selection.latest)
    if selection.period.key not in {p.key for p in choices}:
        choices.insert(0, selection.period)
    return {
        "checklists": checklists.keys(),
        "periods": choices,
        "rolling_key": periods.last_months(selection.latest).key,
        "areas": visible_areas(current_user),
        **extra,
    }


def _empty(error: SelectionError):
    return render_template("dashboard/empty.html", error=error), 200


# ---- pages --------------------------------------------------------------------------------


@bp.get("")
@allow(*READERS)
def overview():
    """Headline figures of the network (or your areas), areas side by side, who to look at."""
    if current_user.role == Role.BRANCH_MANAGER:
        if not current_user.location_id:
            abort(404)
        return redirect(url_for("dashboard.location", location_id=current_user.location_id))
    selection, error = _selection(request.args)
    if selection is None:
        return _empty(error)
    shown, subject = overview_subject(selection, current_user)
    report = build(selection, subject, with_visits=False)
    table = compare.build(
        selection, current_user, sort="rank", page=None, details=False, changes=False
    )
    ranked = [row for row in table.rows if row.standing.rank is not None]
    return render_template(
        "dashboard/overview.html",
        report=report,
        selection=selection,
        error=error,
        area_rows=compare.areas(selection, current_user, shown),
        top=ranked[:5],
        bottom=list(reversed(ranked[5:]))[:5],
        unranked=len(table.rows) - len(ranked),
        **_filters(selection, endpoint="dashboard.overview", show_area=True),
    ), 400 if error else 200


@bp.get("/compare")
@allow(*MANAGERS)
def compare_page():
    """Every location in scope side by side: sortable, filterable, with a section heatmap."""
    selection, error = _selection(request.args)
    if selection is None:
        return _empty(error)
    table = compare.build(
        selection,
        current_user,
        sort=request.args.get("sort", "rank"),
        direction=request.args.get("dir"),
        page=request.args.get("page", 1, type=int),
    )
    return render_template(
        "dashboard/compare.html",
        table=table,
        selection=selection,
        error=error,
        natural=compare.default_direction,
        **_filters(selection, endpoint="dashboard.compare_page", show_area=True),
    ), 400 if error else 200


@bp.get("/locations/<int:location_id>")
@allow(*READERS)
def location(location_id: int):
    """One location: every consistency figure, its standards, time of day and visits."""
    try:
        place = visible_location(current_user, location_id)
    except OutOfScope:
        abort(404)
    args = {k: v for k, v in request.args.items() if k != "area"}
    selection, error = _selection(args)
    if selection is None:
        return _empty(error)
    report = build(selection, Subject.location(place))
    pdf_periods = periods.report_periods(selection.period, selection.latest)
    if current_user.role == Role.REVIEWER:
        pdf_periods = []  # reports go to branches and their managers (web/reports.py)
    return render_template(
        "dashboard/location.html",
        report=report,
        selection=selection,
        error=error,
        location=place,
        pdf_periods=pdf_periods,
        **_filters(
            selection,
            endpoint="dashboard.location",
            endpoint_args={"location_id": location_id},
            show_area=False,
        ),
    ), 400 if error else 200


@bp.get("/visits/<int:visit_id>")
@allow(*READERS)
def visit(visit_id: int):
    """One visit: answers, notes, photos, event marks, history (shopper hidden from managers)."""
    try:
        detail = visit_detail.load(visit_id, current_user)
    except NotFound:
        abort(404)
    return render_template("dashboard/visit.html", detail=detail, visit=detail.visit)


# ---- exports -------------------------------------------------------------------------------


def _filename(kind: str, selection: Selection, fmt_: str, scope_label: str = "") -> str:
    parts = [kind, selection.checklist.key, selection.period.key.replace("..", "_to_")]
    if scope_label:
        parts.insert(1, scope_label)
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", "-".join(parts)) + f".{fmt_}"


def _download(sheets: list[export.Sheet], fmt_: str, name: str) -> Response:
    """Write the export to a temporary file (spilling to disk when large), then send it.

    Everything is read from the database inside the request; the file streams afterwards
    without holding the request or a database connection.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    if fmt_ == "csv":
        for chunk in export.csv_lines(sheets[0]):
            spool.write(chunk.encode("utf-8"))
        mimetype = "text/csv"
    else:
        export.write_xlsx(sheets, spool)
        mimetype = XLSX
    size = spool.tell()
    spool.seek(0)
    if size <= SPOOL_BYTES:  # still in memory: answer with the bytes
        with spool:
            response = Response(spool.read(), mimetype=mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    else:  # on disk: the server streams the file and closes it when the response ends
        response = send_file(spool, mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


def _export_selection(args: Mapping[str, str]) -> Selection:
    try:
        return resolve(args, current_user)
    except OutOfScope:
        abort(404)
    except SelectionError as error:
        # flask-smorest's abort carries the message to the error page (and JSON clients)
        smorest_abort(400, message=f"{error.field}: {error.message}")


@bp.get("/export/compare.<any(csv, xlsx):fmt_>")
@allow(*MANAGERS)
def export_compare(fmt_: str):
    """The comparison table, every row, as CSV or XLSX."""
    selection = _export_selection(request.args)
    table = compare.build(
        selection,
        current_user,
        sort=request.args.get("sort", "rank"),
        direction=request.args.get("dir"),
        page=None,
    )
    sheet = export.compare_sheet(table)
    sheets = (
        [sheet] if fmt_ == "csv" else [sheet, export.about(selection, current_user, "Comparison")]
    )
    area = db.session.get(Area, selection.area_id).code if selection.area_id else ""
    return _download(sheets, fmt_, _filename("compare", selection, fmt_, area))


@bp.get("/export/visits.<any(csv, xlsx):fmt_>")
@allow(*READERS)
def export_visits(fmt_: str):
    """Approved visits with their answers (one row per answer; XLSX adds one row per visit)."""
    location_id = request.args.get("location", type=int)
    if current_user.role == Role.BRANCH_MANAGER:
        location_id = location_id or current_user.location_id
    args = {k: v for k, v in request.args.items() if k != "location"}
    label = ""
    if location_id is not None:
        try:
            place = visible_location(current_user, location_id)
        except OutOfScope:
            abort(404)
        args.pop("area", None)
        where, label = at_location(place.id), place.code
    selection = _export_selection(args)
    if location_id is None:
        if selection.area_id is not None:
            where = in_areas([selection.area_id])
            label = db.session.get(Area, selection.area_id).code
        elif current_user.role in (Role.ADMIN, Role.REVIEWER):
            where = None
        else:
            where = Visit.location_id.in_(select(Location.id).where(scope.locations(current_user)))
    visits, answers = export.visit_sheets(selection, current_user, where)
    if fmt_ == "csv":
        sheets = [answers]
    else:
        sheets = [visits, answers, export.about(selection, current_user, "Visits with answers")]
    return _download(sheets, fmt_, _filename("visits", selection, fmt_, label))
