"""Row-level scoping: which locations, visits and assignments a user may see."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select, true

from ..models import Assignment, Location, Role, User, Visit, VisitStatus, user_areas


def _area_ids(user: User):
    return select(user_areas.c.area_id).where(user_areas.c.user_id == user.id)


def locations(user: User) -> ColumnElement[bool]:
    """Locations a user may see."""
    match user.role:
        case Role.ADMIN | Role.REVIEWER | Role.SHOPPER:
            return true()
        case Role.AREA_MANAGER:
            return Location.area_id.in_(_area_ids(user))
        case Role.BRANCH_MANAGER:
            return Location.id == user.location_id if user.location_id else false()
    return false()


def visits(user: User) -> ColumnElement[bool]:
    """Visits a user may see: own (shopper), area (area manager), approved own branch."""
    match user.role:
        case Role.ADMIN | Role.REVIEWER:
            return true()
        case Role.SHOPPER:
            return Visit.shopper_id == user.id
        case Role.AREA_MANAGER:
            return Visit.location_id.in_(
                select(Location.id).where(Location.area_id.in_(_area_ids(user)))
            )
        case Role.BRANCH_MANAGER:
            if not user.location_id:
                return false()
            return (Visit.location_id == user.location_id) & (Visit.status == VisitStatus.APPROVED)
    return false()


def assignments(user: User) -> ColumnElement[bool]:
    """Assignments a user may see: own (shopper), their areas' (area manager), all (admin)."""
    match user.role:
        case Role.ADMIN | Role.REVIEWER:
            return true()
        case Role.SHOPPER:
            return Assignment.shopper_id == user.id
        case Role.AREA_MANAGER:
            return Assignment.location_id.in_(
                select(Location.id).where(Location.area_id.in_(_area_ids(user)))
            )
    return false()


def sees_shopper_identity(user: User) -> bool:
    """Only admins and reviewers learn who the shopper was."""
    return user.role in (Role.ADMIN, Role.REVIEWER)
