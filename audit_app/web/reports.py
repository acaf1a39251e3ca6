"""Report PDFs: for staff by location, for branches by signed link; the send log for admins."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.access import PUBLIC, allow
from ..distribution.links import LinkError, read_token
from ..extensions import db
from ..models import Location, Role, SendLog
from ..reports.data import ReportError
from ..reports.pdf import RenderTimeout
from ..reports.service import file_name, render_location
from ..services import scope

bp = Blueprint("reports", __name__)
PAGE = 100


def _pdf(location: Location, period: str, lang: str | None) -> Response:
    try:
        rendered = render_location(location.id, period, lang)
    except ReportError as exc:
        abort(422, description=f"{exc.field}: {exc.message}")
    except RenderTimeout:
        abort(503, description="The report took too long to render. Try again later.")
    name = file_name(location.code, period)
    return Response(
        rendered.data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{name}"',
            "Cache-Control": "private, no-store",
            "X-Robots-Tag": "noindex",
        },
    )


@bp.get("/locations/<int:location_id>/report.pdf")
@allow(Role.ADMIN, Role.AREA_MANAGER, Role.BRANCH_MANAGER)
def location_report(location_id: int):
    """A location's consistency report as PDF (?period=2026-10, optional ?lang=en|ms|id)."""
    location = db.session.scalar(
        select(Location).where(Location.id == location_id, scope.locations(current_user))
    )
    if location is None:
        abort(404)
    period = request.args.get("period", "").strip()
    if not period:
        abort(422, description="period: give a period, e.g. ?period=2026-10")
    return _pdf(location, period, request.args.get("lang"))


@bp.get("/r/<token>")
@allow(PUBLIC)
def signed_report(token: str):
    """The report a signed link names, without an account; a clear page when it is not valid."""
    try:
        target = read_token(token)
    except LinkError as exc:
        code = 410 if exc.expired else 403
        detail = (
            "Ask your area manager for a new link."
            if exc.expired
            else "The link may have been cut or changed. Open it again from the e-mail."
        )
        return render_template("reports/link_error.html", message=str(exc), detail=detail), code
    location = db.session.get(Location, target.location_id)
    if location is None:
        return render_template(
            "reports/link_error.html",
            message="This report is no longer available.",
            detail="The location was removed.",
        ), 404
    return _pdf(location, target.period, target.lang)


@bp.get("/admin/send-log")
@allow(Role.ADMIN)
def send_log():
    """Every report e-mail sent or refused, newest first; filter by period or status."""
    period = request.args.get("period", "").strip()
    status = request.args.get("status", "").strip()
    page = max(1, request.args.get("page", 1, type=int))
    query = select(SendLog).options(joinedload(SendLog.location))
    if period:
        query = query.where(SendLog.period == period)
    if status:
        query = query.where(SendLog.status == status)
    rows = db.session.scalars(
        query.order_by(SendLog.at.desc(), SendLog.id.desc())
        .limit(PAGE + 1)
        .offset((page - 1) * PAGE)
    ).all()
    return render_template(
        "reports/send_log.html",
        rows=rows[:PAGE],
        more=len(rows) > PAGE,
        page=page,
        period=period,
        status=status,
    )
