"""Admin and review pages: areas, locations, users, assignments, review queue, audit log."""

from __future__ import annotations

from datetime import UTC

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..auth.access import allow
from ..database import write_transaction
from ..extensions import db
from ..models import (
    Area,
    AuditEntry,
    ChecklistVersion,
    Location,
    Role,
    User,
    Visit,
    VisitStatus,
)
from ..services import accounts, audit, review, scope
from ..services import assignments as assignment_service
from ..services import visits as visit_service
from ..services.errors import Conflict, DomainError, Invalid
from ..services.locations import import_locations, parse_locations_csv
from .forms import (
    ApproveForm,
    AreaForm,
    AssignmentForm,
    CorrectionForm,
    LocationForm,
    LocationImportForm,
    ReturnForm,
    UserForm,
    choices,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")
ADMIN = Role.ADMIN
REVIEWERS = (Role.ADMIN, Role.REVIEWER)
PLANNERS = (Role.ADMIN, Role.AREA_MANAGER)
PAGE = 50


def show_errors(form, error: Invalid) -> None:
    """Put a service's field errors beside the matching form fields."""
    for name, message in error.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
        else:
            form.form_errors.append(f"{name}: {message}")


# ---- areas -----------------------------------------------------------------------------


@bp.route("/areas", methods=["GET", "POST"])
@allow(ADMIN)
def areas():
    """List areas and add one."""
    form = AreaForm()
    if form.validate_on_submit():
        if db.session.scalar(select(Area.id).where(Area.code == form.code.data)):
            form.code.errors.append("An area with this code exists")
        else:
            with write_transaction() as session:
                area = Area(code=form.code.data, name=form.name.data.strip())
                session.add(area)
                session.flush()
                audit.record("area.create", current_user, area, {"code": area.code})
            flash(f"Area {form.code.data} created.")
            return redirect(url_for("admin.areas"))
    rows = db.session.execute(
        select(Area, func.count(Location.id))
        .outerjoin(Location)
        .group_by(Area.id)
        .order_by(Area.code)
    ).all()
    return render_template("admin/areas.html", form=form, rows=rows)


@bp.route("/areas/<int:area_id>", methods=["GET", "POST"])
@allow(ADMIN)
def edit_area(area_id: int):
    """Rename an area."""
    area = db.get_or_404(Area, area_id)
    form = AreaForm(obj=area)
    if form.validate_on_submit():
        clash = db.session.scalar(
            select(Area.id).where(Area.code == form.code.data, Area.id != area_id)
        )
        if clash:
            form.code.errors.append("Another area has this code")
        else:
            with write_transaction() as session:
                area = session.get(Area, area_id)
                old = {"code": area.code, "name": area.name}
                area.code, area.name = form.code.data, form.name.data.strip()
                audit.record(
                    "area.update",
                    current_user,
                    area,
                    {"old": old, "new": {"code": area.code, "name": area.name}},
                )
            flash("Area saved.")
            return redirect(url_for("admin.areas"))
    return render_template(
        "admin/edit.html", form=form, title=f"Area {area.code}", back=url_for("admin.areas")
    )


# ---- locations ---------------------------------------------------------------------------


def _area_choices():
    return choices(
        (a.id, f"{a.code} · {a.name}") for a in db.session.scalars(select(Area).order_by(Area.code))
    )


@bp.route("/locations", methods=["GET", "POST"])
@allow(ADMIN)
def locations():
    """List locations and add one."""
    form = LocationForm()
    form.area_id.choices = _area_choices()
    if form.validate_on_submit():
        if db.session.scalar(select(Location.id).where(Location.code == form.code.data)):
            form.code.errors.append("A location with this code exists")
        else:
            with write_transaction() as session:
                location = Location(code=form.code.data)
                _apply_location(form, location)
                session.add(location)
                session.flush()
                audit.record("location.create", current_user, location, {"code": location.code})
            flash(f"Location {form.code.data} created.")
            return redirect(url_for("admin.locations"))
    rows = db.session.scalars(
        select(Location).options(joinedload(Location.area)).order_by(Location.code)
    ).all()
    return render_template(
        "admin/locations.html",
        form=form,
        rows=rows,
        import_form=LocationImportForm(prefix="import"),
    )


def _apply_location(form: LocationForm, location: Location) -> None:
    for name in (
        "name",
        "area_id",
        "address",
        "latitude",
        "longitude",
        "timezone",
        "language",
        "active",
    ):
        setattr(location, name, getattr(form, name).data)
    location.contact_email = form.contact_email.data or None


@bp.route("/locations/<int:location_id>", methods=["GET", "POST"])
@allow(ADMIN)
def edit_location(location_id: int):
    """Edit a location."""
    location = db.get_or_404(Location, location_id)
    form = LocationForm(obj=location)
    form.area_id.choices = _area_choices()
    if form.validate_on_submit():
        clash = db.session.scalar(
            select(Location.id).where(Location.code == form.code.data, Location.id != location_id)
        )
        if clash:
            form.code.errors.append("Another location has this code")
        else:
            with write_transaction() as session:
                location = session.get(Location, location_id)
                location.code = form.code.data
                _apply_location(form, location)
                audit.record("location.update", current_user, location, {"code": location.code})
            flash("Location saved.")
            return redirect(url_for("admin.locations"))
    return render_template(
        "admin/edit.html",
        form=form,
        title=f"Location {location.code}",
        back=url_for("admin.locations"),
    )


@bp.post("/locations/import")
@allow(ADMIN)
def import_locations_page():
    """Import locations from a CSV upload: every row or none."""
    form = LocationImportForm(prefix="import")
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            text = form.file.data.read().decode("utf-8-sig")
            rows = parse_locations_csv(text)
            result = import_locations(rows)
            with write_transaction():
                audit.record(
                    "location.import",
                    current_user,
                    None,
                    {"created": result.created, "updated": result.updated},
                )
            flash(
                f"Imported: {result.created} created, {result.updated} updated, "
                f"{result.areas_created} new area(s)."
            )
            return redirect(url_for("admin.locations"))
        except UnicodeDecodeError:
            problems = ["The file is not UTF-8 text."]
        except Invalid as exc:
            problems = [f"{path}: {msg}" for path, msg in exc.errors.items()] + [exc.message]
    else:
        problems = [e for errs in form.errors.values() for e in errs]
    new_form = LocationForm()
    new_form.area_id.choices = _area_choices()
    rows = db.session.scalars(
        select(Location).options(joinedload(Location.area)).order_by(Location.code)
    ).all()
    return render_template(
        "admin/locations.html", form=new_form, rows=rows, import_form=form, import_problems=problems
    ), 422


# ---- users -------------------------------------------------------------------------------


def _user_form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user)
    form.areas.choices = choices(
        [
            (a.code, f"{a.code} · {a.name}")
            for a in db.session.scalars(select(Area).order_by(Area.code))
        ]
    )
    form.location.choices = choices(
        [("", "—")]
        + [
            (loc.code, f"{loc.code} · {loc.name}")
            for loc in db.session.scalars(select(Location).order_by(Location.code))
        ]
    )
    if user is not None and request.method == "GET":
        form.areas.data = [a.code for a in user.areas]
        form.location.data = user.location.code if user.location else ""
    return form


def _user_input(form: UserForm) -> accounts.UserInput:
    return accounts.UserInput(
        email=form.email.data,
        name=form.name.data,
        role=form.role.data,
        password=form.password.data or None,
        area_codes=tuple(form.areas.data or ()),
        location_code=form.location.data or None,
        allow_adhoc=form.allow_adhoc.data,
    )


@bp.route("/users", methods=["GET", "POST"])
@allow(ADMIN)
def users():
    """List users and add one."""
    form = _user_form()
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append("A new user needs a password (10+ characters)")
        else:
            try:
                user = accounts.create_user(_user_input(form), current_user)
                flash(f"User {user.email} created.")
                return redirect(url_for("admin.users"))
            except Invalid as exc:
                show_errors(form, exc)
            except Conflict as exc:
                form.email.errors.append(exc.message)
    rows = db.session.scalars(
        select(User)
        .options(selectinload(User.areas), joinedload(User.location))
        .order_by(User.role, User.email)
    ).all()
    return render_template("admin/users.html", form=form, rows=rows)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@allow(ADMIN)
def edit_user(user_id: int):
    """Edit a user's details, role, scope or password."""
    user = db.get_or_404(User, user_id)
    form = _user_form(user)
    if form.validate_on_submit():
        try:
            accounts.update_user(user_id, _user_input(form), current_user)
            flash("User saved.")
            return redirect(url_for("admin.users"))
        except Invalid as exc:
            show_errors(form, exc)
    return render_template(
        "admin/edit.html",
        form=form,
        title=f"User {user.email}",
        back=url_for("admin.users"),
        user=user,
    )


@bp.post("/users/<int:user_id>/active")
@allow(ADMIN)
def toggle_user(user_id: int):
    """Deactivate (ending their sessions) or reactivate a user."""
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        flash("You cannot deactivate yourself.")
    else:
        accounts.set_active(user_id, not user.active, current_user)
        flash(f"{user.email} is now {'active' if not user.active else 'deactivated'}.")
    return redirect(url_for("admin.users"))


# ---- assignments -------------------------------------------------------------------------


@bp.route("/assignments", methods=["GET", "POST"])
@allow(*PLANNERS)
def assignments():
    """List assignments in your scope and schedule one."""
    form = AssignmentForm()
    form.location_id.choices = choices(
        [
            (loc.id, f"{loc.code} · {loc.name}")
            for loc in db.session.scalars(
                select(Location)
                .where(scope.locations(current_user), Location.active.is_(True))
                .order_by(Location.code)
            )
        ]
    )
    form.checklist_key.choices = choices(
        [
            (k, k)
            for k in db.session.scalars(
                select(ChecklistVersion.key).distinct().order_by(ChecklistVersion.key)
            )
        ]
    )
    form.shopper_id.choices = choices(
        [
            (u.id, u.name)
            for u in db.session.scalars(
                select(User)
                .where(User.role == Role.SHOPPER, User.active.is_(True))
                .order_by(User.name)
            )
        ]
    )
    if form.validate_on_submit():
        try:
            assignment_service.create_assignment(
                assignment_service.AssignmentInput(
                    location_id=form.location_id.data,
                    checklist_key=form.checklist_key.data,
                    shopper_id=form.shopper_id.data,
                    window_start=form.window_start.data.replace(tzinfo=UTC),
                    window_end=form.window_end.data.replace(tzinfo=UTC),
                    scenario=form.scenario.data or "",
                ),
                current_user,
            )
            flash("Assignment scheduled.")
            return redirect(url_for("admin.assignments"))
        except Invalid as exc:
            show_errors(form, exc)
    rows = assignment_service.list_assignments(current_user)
    return render_template("admin/assignments.html", form=form, rows=rows)


@bp.post("/assignments/<int:assignment_id>/cancel")
@allow(*PLANNERS)
def cancel_assignment(assignment_id: int):
    """Cancel an open assignment."""
    try:
        assignment_service.cancel_assignment(assignment_id, current_user)
        flash("Assignment cancelled.")
    except DomainError as exc:
        flash(exc.message)
    return redirect(url_for("admin.assignments"))


# ---- review ------------------------------------------------------------------------------


@bp.get("/review")
@allow(*REVIEWERS)
def review_queue():
    """Visits waiting for review, oldest first, with their evidence flags."""
    status = request.args.get("status", VisitStatus.SUBMITTED)
    if status not in {s.value for s in VisitStatus}:
        abort(400)
    rows = db.session.scalars(
        select(Visit)
        .where(Visit.status == status)
        .options(joinedload(Visit.location), joinedload(Visit.shopper))
        .order_by(Visit.received_at)
        .limit(200)
    ).all()
    return render_template("admin/review_queue.html", rows=rows, status=status)


@bp.route("/review/<int:visit_id>", methods=["GET"])
@allow(*REVIEWERS)
def review_visit(visit_id: int):
    """One visit: answers, notes, events, flags, history; approve, return or correct."""
    visit = visit_service.get_visit(visit_id, current_user)
    return _review_page(visit)


def _review_page(visit: Visit, return_form=None, correction_form=None, status: int = 200):
    checklist = visit.checklist_version.checklist
    correction_form = correction_form or CorrectionForm(prefix="fix")
    correction_form.item_id.choices = choices([(i.id, i.id) for _, i in checklist.items()])
    return render_template(
        "admin/review_visit.html",
        visit=visit,
        checklist=checklist,
        answers={a.item_id: a for a in visit.answers},
        approve_form=ApproveForm(prefix="approve"),
        return_form=return_form or ReturnForm(prefix="return"),
        correction_form=correction_form,
        history=review.history(visit.id),
    ), status


@bp.post("/review/<int:visit_id>/approve")
@allow(*REVIEWERS)
def approve_visit(visit_id: int):
    """Approve a visit."""
    if ApproveForm(prefix="approve").validate_on_submit():
        try:
            review.approve(visit_id, current_user)
            flash(f"Visit {visit_id} approved.")
            return redirect(url_for("admin.review_queue"))
        except DomainError as exc:
            flash(exc.message)
    return redirect(url_for("admin.review_visit", visit_id=visit_id))


@bp.post("/review/<int:visit_id>/return")
@allow(*REVIEWERS)
def return_visit(visit_id: int):
    """Return a visit to its shopper with a comment."""
    form = ReturnForm(prefix="return")
    if form.validate_on_submit():
        try:
            review.return_to_shopper(visit_id, current_user, form.comment.data)
            flash(f"Visit {visit_id} returned to the shopper.")
            return redirect(url_for("admin.review_queue"))
        except DomainError as exc:
            flash(exc.message)
    return _review_page(
        visit_service.get_visit(visit_id, current_user), return_form=form, status=422
    )


@bp.post("/review/<int:visit_id>/correct")
@allow(*REVIEWERS)
def correct_visit(visit_id: int):
    """Correct one answer with a reason."""
    visit = visit_service.get_visit(visit_id, current_user)
    form = CorrectionForm(prefix="fix")
    form.item_id.choices = choices(
        [(i.id, i.id) for _, i in visit.checklist_version.checklist.items()]
    )
    if form.validate_on_submit():
        item = visit.checklist_version.checklist.item(form.item_id.data)
        try:
            value = None if form.na.data else parse_value(item, form.value.data or "")
            review.correct_answer(
                visit_id, current_user, form.item_id.data, value, form.na.data, form.reason.data
            )
            flash(f"Answer {form.item_id.data} corrected; scores recomputed.")
            return redirect(url_for("admin.review_visit", visit_id=visit_id))
        except ValueError as exc:
            form.value.errors.append(str(exc))
        except Invalid as exc:
            show_errors(form, exc)
        except DomainError as exc:
            form.form_errors.append(exc.message)
    db.session.expire_all()
    return _review_page(
        visit_service.get_visit(visit_id, current_user), correction_form=form, status=422
    )


def parse_value(item, text: str):
    """Turn what a reviewer typed into an answer value of the item's type."""
    text = text.strip()
    kind = item.type.value
    if kind == "yes_no":
        lowered = text.lower()
        if lowered in {"yes", "y", "true", "1"}:
            return True
        if lowered in {"no", "n", "false", "0"}:
            return False
        raise ValueError("Type yes or no")
    if kind in {"scale", "timed"}:
        try:
            return float(text) if "." in text else int(text)
        except ValueError:
            raise ValueError("Type a number") from None
    return text


# ---- audit log ---------------------------------------------------------------------------


@bp.get("/audit")
@allow(ADMIN)
def audit_log():
    """The audit log, newest first, filterable by action."""
    action = request.args.get("action", "").strip()
    page = max(1, request.args.get("page", 1, type=int))
    query = select(AuditEntry).options(joinedload(AuditEntry.actor))
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    rows = db.session.scalars(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(PAGE + 1)
        .offset((page - 1) * PAGE)
    ).all()
    actions = db.session.scalars(
        select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    ).all()
    return render_template(
        "admin/audit.html",
        rows=rows[:PAGE],
        more=len(rows) > PAGE,
        page=page,
        action=action,
        actions=actions,
    )
