"""User accounts: create, change, deactivate, authenticate."""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from ..auth import sessions
from ..auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from ..database import write_transaction
from ..extensions import db
from ..models import Area, Location, Role, User
from . import audit
from .errors import Conflict, Invalid, NotFound


@dataclass(frozen=True)
class UserInput:
    email: str
    name: str
    role: str
    password: str | None = None
    area_codes: tuple[str, ...] = ()
    location_code: str | None = None
    allow_adhoc: bool = False


def normalise_email(email: str) -> str:
    """Lower-case and check an email address (deliverability is not checked)."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise Invalid("invalid email", {"email": str(exc)}) from None


def _check(data: UserInput, creating: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.role not in {r.value for r in Role}:
        errors["role"] = "must be one of: " + ", ".join(r.value for r in Role)
    if not data.name.strip():
        errors["name"] = "is required"
    if creating or data.password:
        problem = password_problem(data.password or "")
        if problem:
            errors["password"] = problem
    if data.role == Role.AREA_MANAGER and not data.area_codes:
        errors["areas"] = "an area manager needs at least one area"
    if data.role == Role.BRANCH_MANAGER and not data.location_code:
        errors["location"] = "a branch manager needs their location"
    return errors


def _apply_scope(session, user: User, data: UserInput, errors: dict[str, str]) -> None:
    areas = []
    for code in data.area_codes:
        area = session.scalar(select(Area).where(Area.code == code))
        if area is None:
            errors["areas"] = f"unknown area '{code}'"
        areas.append(area)
    user.areas = [a for a in areas if a] if data.role == Role.AREA_MANAGER else []
    user.location = None
    if data.role == Role.BRANCH_MANAGER and data.location_code:
        location = session.scalar(select(Location).where(Location.code == data.location_code))
        if location is None:
            errors["location"] = f"unknown location '{data.location_code}'"
        user.location = location
    user.allow_adhoc = data.allow_adhoc and data.role == Role.SHOPPER


def create_user(data: UserInput, actor: User | None = None) -> User:
    """Create a user with a hashed password and their scope."""
    email = normalise_email(data.email)
    errors = _check(data, creating=True)
    with write_transaction() as session:
        if session.scalar(select(User.id).where(func.lower(User.email) == email)):
            raise Conflict(f"a user with email {email} already exists")
        user = User(
            email=email,
            name=data.name.strip(),
            role=data.role,
            password_hash=hash_password(data.password or ""),
        )
        _apply_scope(session, user, data, errors)
        if errors:
            raise Invalid("the user is not valid", errors)
        session.add(user)
        session.flush()
        audit.record("user.create", actor, user, {"email": email, "role": data.role})
    return user


def update_user(user_id: int, data: UserInput, actor: User | None = None) -> User:
    """Change a user's name, role, scope and, if given, password."""
    errors = _check(data, creating=False)
    with write_transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user with id {user_id}")
        email = normalise_email(data.email)
        clash = session.scalar(
            select(User.id).where(func.lower(User.email) == email, User.id != user_id)
        )
        if clash:
            errors["email"] = "another user has this email"
        old_role = user.role
        user.email, user.name, user.role = email, data.name.strip(), data.role
        _apply_scope(session, user, data, errors)
        if errors:
            raise Invalid("the user is not valid", errors)
        if data.password:
            user.password_hash = hash_password(data.password)
            sessions.end_all_for(user.id)
        audit.record(
            "user.update",
            actor,
            user,
            {"role": [old_role, data.role], "password_changed": bool(data.password)},
        )
    return user


def set_password(email: str, password: str, actor: User | None = None) -> User:
    """Set a new password and end the user's sessions."""
    if problem := password_problem(password):
        raise Invalid("weak password", {"password": problem})
    with write_transaction() as session:
        user = session.scalar(select(User).where(User.email == normalise_email(email)))
        if user is None:
            raise NotFound(f"no user with email {email}")
        user.password_hash = hash_password(password)
        sessions.end_all_for(user.id)
        audit.record("user.set_password", actor, user)
    return user


def set_active(email_or_id: str | int, active: bool, actor: User | None = None) -> User:
    """Deactivate (ending every session at once) or reactivate a user."""
    with write_transaction() as session:
        if isinstance(email_or_id, int):
            user = session.get(User, email_or_id)
        else:
            user = session.scalar(select(User).where(User.email == normalise_email(email_or_id)))
        if user is None:
            raise NotFound(f"no user {email_or_id}")
        user.active = active
        if not active:
            sessions.end_all_for(user.id)
        audit.record("user.activate" if active else "user.deactivate", actor, user)
    return user


def log_in(email: str, password: str, remember: bool, user_agent: str) -> User | None:
    """Check credentials and start a session; None for any failure (no hint which)."""
    try:
        address = normalise_email(email)
    except Invalid:
        address = email.strip().lower()
    user = db.session.scalar(select(User).where(User.email == address))
    ok = verify_password(user.password_hash if user else None, password)
    with write_transaction() as session:
        if not ok or user is None or not user.active:
            audit.record("login.failed", None, None, {"email": address[:254]})
            return None
        user = session.merge(user)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        sessions.start(user, remember, user_agent)
        audit.record("login", user, user)
    return user


def log_out(user: User | None) -> None:
    """End the session on the server."""
    with write_transaction():
        sessions.end()
        if user is not None and getattr(user, "is_authenticated", False):
            audit.record("logout", user, user)
