"""The send log service: who got which report, and what is still to send."""

from __future__ import annotations

from sqlalchemy import select

from ..database import write_transaction
from ..extensions import db
from ..models import Location, Role, SendLog, SendStatus, User


def recipients(location: Location) -> list[str]:
    """A branch's addresses: its contact e-mail and its active branch managers, lower-cased."""
    found = [location.contact_email] if location.contact_email else []
    found += db.session.scalars(
        select(User.email).where(
            User.role == Role.BRANCH_MANAGER, User.location_id == location.id, User.active
        )
    )
    return sorted({e.strip().lower() for e in found if e and e.strip()})


def already_sent(location_id: int, period: str) -> set[str]:
    """Recipients that got this location's report for this period."""
    return set(
        db.session.scalars(
            select(SendLog.recipient).where(
                SendLog.location_id == location_id,
                SendLog.period == period,
                SendLog.status == SendStatus.SENT,
            )
        )
    )


def record(
    location_id: int,
    period: str,
    recipient: str,
    status: SendStatus,
    *,
    method: str = "",
    message_id: str = "",
    error: str = "",
) -> None:
    """Log one attempt, committed at once so a crash later keeps what was sent."""
    with write_transaction() as session:
        session.add(
            SendLog(
                location_id=location_id,
                period=period,
                recipient=recipient,
                status=status,
                method=method,
                message_id=message_id,
                error=error[:2000],
            )
        )
