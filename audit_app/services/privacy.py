"""Data protection: export a person's data, erase it while the visits stay (anonymised)."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import delete, or_, select, update

from ..auth.passwords import hash_password
from ..database import write_transaction
from ..extensions import db
from ..models import AuditEntry, LoginSession, Role, User, Visit, utcnow
from . import audit
from .accounts import normalise_email
from .errors import Invalid, NotFound


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"no user with email {email}")
    return user


def export_personal_data(email: str) -> dict[str, Any]:
    """Everything stored about a person, as one JSON-ready document."""
    user = _user(email)
    visits = db.session.scalars(
        select(Visit).where(Visit.shopper_id == user.id).order_by(Visit.started_at)
    ).all()
    sessions = db.session.scalars(
        select(LoginSession)
        .where(LoginSession.user_id == user.id)
        .order_by(LoginSession.created_at)
    ).all()
    actions = db.session.scalars(
        select(AuditEntry).where(AuditEntry.actor_id == user.id).order_by(AuditEntry.at)
    ).all()
    return {
        "exported_at": utcnow().isoformat(),
        "profile": {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "active": user.active,
            "created_at": user.created_at.isoformat(),
        },
        "logins": [
            {
                "created_at": s.created_at.isoformat(),
                "last_seen_at": s.last_seen_at.isoformat(),
                "ended_at": s.ended_at.isoformat() if s.ended_at else None,
                "user_agent": s.user_agent,
            }
            for s in sessions
        ],
        "activity": [
            {
                "at": a.at.isoformat(),
                "action": a.action,
                "ip": a.ip,
                "target": f"{a.target_type} {a.target_id}".strip(),
            }
            for a in actions
        ],
        "visits": [
            {
                "id": v.id,
                "client_uuid": str(v.client_uuid),
                "location": v.location.code,
                "started_at": v.started_at.isoformat(),
                "status": v.status,
                "score": v.score,
                "checkin": {
                    "latitude": v.checkin_latitude,
                    "longitude": v.checkin_longitude,
                    "accuracy_m": v.checkin_accuracy_m,
                },
                "answers": [
                    {"item_id": a.item_id, "value": a.value, "na": a.na, "note": a.note}
                    for a in v.answers
                ],
            }
            for v in visits
        ],
    }


def erase_personal_data(email: str, actor: User | None = None) -> User:
    """Remove a person's identity and traces; their visits stay for the statistics.

    The account is kept as an anonymous, unusable row so visits and logs still point
    somewhere; name, email, password, sessions, IP addresses and check-in positions go.
    """
    user = _user(email)
    if actor is not None and actor.id == user.id:
        raise Invalid("cannot erase yourself", {"email": "ask another admin"})
    with write_transaction() as session:
        user = session.get(User, user.id)
        old_email = user.email
        user.name = f"Erased user {user.id}"
        user.email = f"erased-{user.id}@erased.invalid"
        user.password_hash = hash_password(secrets.token_urlsafe(32))
        user.active = False
        user.areas = []
        user.location = None
        session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
        session.execute(
            update(AuditEntry)
            .where(or_(AuditEntry.actor_id == user.id, AuditEntry.target_id == str(user.id)))
            .values(ip="")
        )
        for entry in session.scalars(select(AuditEntry).where(AuditEntry.action == "login.failed")):
            if entry.details.get("email") == old_email:
                entry.details = {"email": user.email}
        for entry in session.scalars(
            select(AuditEntry).where(
                AuditEntry.target_type == "users", AuditEntry.target_id == str(user.id)
            )
        ):
            if "email" in entry.details:
                entry.details = {**entry.details, "email": user.email}
        if user.role == Role.SHOPPER:
            session.execute(
                update(Visit)
                .where(Visit.shopper_id == user.id)
                .values(
                    checkin_latitude=None,
                    checkin_longitude=None,
                    checkin_accuracy_m=None,
                    device_clock_offset_s=None,
                )
            )
        audit.record("user.erase", actor, user, {"by": "request of the person"})
    return user
