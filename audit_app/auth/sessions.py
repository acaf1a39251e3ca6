"""Server-side login sessions: rotated at login, ended at logout, idle and absolute limits."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, session
from sqlalchemy import select, update

from ..database import write_transaction
from ..extensions import db
from ..models import LoginSession, Role, User, utcnow

SESSION_KEY = "sid"
# write last_seen_at at most this often, so reads stay reads
TOUCH_EVERY = timedelta(seconds=60)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def limits_for(user: User, remember: bool) -> tuple[timedelta, timedelta]:
    """(idle limit, absolute limit) for a login: long on a remembered shopper's phone."""
    cfg = current_app.config
    if user.role == Role.SHOPPER and remember:
        return timedelta(days=cfg["SHOPPER_IDLE_DAYS"]), timedelta(days=cfg["SHOPPER_SESSION_DAYS"])
    return timedelta(minutes=cfg["STAFF_IDLE_MINUTES"]), timedelta(hours=cfg["STAFF_SESSION_HOURS"])


def start(user: User, remember: bool, user_agent: str) -> None:
    """Begin a new login: a fresh token (never reuse a pre-login session) stored hashed."""
    idle, absolute = limits_for(user, remember)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        LoginSession(
            token_hash=_digest(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + absolute,
            idle_seconds=int(idle.total_seconds()),
            user_agent=user_agent[:255],
        )
    )
    session.clear()  # drops any pre-login state, including the old CSRF token
    session[SESSION_KEY] = token
    session.permanent = True


def current() -> LoginSession | None:
    """The live login session of this request, or None (expired, ended, user deactivated)."""
    token = session.get(SESSION_KEY)
    if not token:
        return None
    login = db.session.scalar(select(LoginSession).where(LoginSession.token_hash == _digest(token)))
    now = utcnow()
    if (
        login is None
        or login.ended_at is not None
        or now >= login.expires_at
        or now - login.last_seen_at >= timedelta(seconds=login.idle_seconds)
        or not login.user.active
    ):
        return None
    if now - login.last_seen_at >= TOUCH_EVERY:
        with write_transaction() as s:
            s.execute(
                update(LoginSession).where(LoginSession.id == login.id).values(last_seen_at=now)
            )
    return login


def end() -> None:
    """End this request's login on the server and forget the cookie's contents."""
    token = session.get(SESSION_KEY)
    if token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == _digest(token), LoginSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
    session.clear()


def end_all_for(user_id: int) -> None:
    """End every login of a user (deactivation, password change)."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
