"""Assignments: admins and area managers schedule visits for shoppers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..database import write_transaction
from ..extensions import db
from ..models import (
    Assignment,
    AssignmentStatus,
    ChecklistVersion,
    Location,
    Role,
    User,
    utcnow,
)
from . import audit, scope
from .errors import Conflict, Invalid, NotFound


@dataclass(frozen=True)
class AssignmentInput:
    location_id: int
    checklist_key: str
    shopper_id: int
    window_start: datetime
    window_end: datetime
    scenario: str = ""


def create_assignment(data: AssignmentInput, actor: User) -> Assignment:
    """Schedule a visit; the location must be in the actor's scope."""
    errors: dict[str, str] = {}
    with write_transaction() as session:
        location = session.scalar(
            select(Location).where(Location.id == data.location_id, scope.locations(actor))
        )
        if location is None or not location.active:
            errors["location_id"] = f"no active location {data.location_id} in your areas"
        shopper = session.get(User, data.shopper_id)
        if shopper is None or shopper.role != Role.SHOPPER or not shopper.active:
            errors["shopper_id"] = f"no active shopper with id {data.shopper_id}"
        if not session.scalar(
            select(ChecklistVersion.id).where(ChecklistVersion.key == data.checklist_key).limit(1)
        ):
            errors["checklist_key"] = f"unknown checklist '{data.checklist_key}'"
        if data.window_start.tzinfo is None or data.window_end.tzinfo is None:
            errors["window_start"] = "give the window with a timezone"
        elif data.window_end <= data.window_start:
            errors["window_end"] = "must be after window_start"
        if len(data.scenario) > 2000:
            errors["scenario"] = "must be at most 2000 characters"
        if errors:
            raise Invalid("the assignment is not valid", errors)
        assignment = Assignment(
            location_id=data.location_id,
            checklist_key=data.checklist_key,
            shopper_id=data.shopper_id,
            window_start=data.window_start,
            window_end=data.window_end,
            scenario=data.scenario.strip(),
            created_by_id=actor.id,
        )
        session.add(assignment)
        session.flush()
        audit.record(
            "assignment.create",
            actor,
            assignment,
            {"location_id": data.location_id, "shopper_id": data.shopper_id},
        )
    return assignment


def cancel_assignment(assignment_id: int, actor: User) -> Assignment:
    """Cancel an open assignment in the actor's scope."""
    with write_transaction() as session:
        assignment = session.scalar(
            select(Assignment).where(Assignment.id == assignment_id, scope.assignments(actor))
        )
        if assignment is None:
            raise NotFound(f"no assignment with id {assignment_id}")
        if assignment.status != AssignmentStatus.OPEN:
            raise Conflict(f"assignment {assignment_id} is {assignment.status}")
        assignment.status = AssignmentStatus.CANCELLED
        audit.record("assignment.cancel", actor, assignment)
    return assignment


def list_assignments(
    user: User, *, upcoming: bool = False, status: str | None = None
) -> list[Assignment]:
    """Assignments the user may see; `upcoming` keeps open ones whose window has not ended."""
    query = select(Assignment).where(scope.assignments(user))
    if upcoming:
        query = query.where(
            Assignment.status == AssignmentStatus.OPEN, Assignment.window_end >= utcnow()
        )
    if status:
        query = query.where(Assignment.status == status)
    return list(db.session.scalars(query.order_by(Assignment.window_start)))


def get_assignment(assignment_id: int, user: User) -> Assignment:
    assignment = db.session.scalar(
        select(Assignment).where(Assignment.id == assignment_id, scope.assignments(user))
    )
    if assignment is None:
        raise NotFound(f"no assignment with id {assignment_id}")
    return assignment
