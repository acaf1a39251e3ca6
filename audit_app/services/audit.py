"""The audit log: add an entry inside the caller's unit of work."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from ..extensions import db
from ..models import AuditEntry, User


def record(
    action: str,
    actor: User | None = None,
    target: Any = None,
    details: dict[str, Any] | None = None,
    summary: str = "",
) -> AuditEntry:
    """Add an audit entry to the current transaction (committed with the action it logs)."""
    actor, target = _unwrap(actor), _unwrap(target)
    entry = AuditEntry(
        action=action,
        actor_id=actor.id if actor is not None else None,
        target_type=type(target).__tablename__ if target is not None else "",
        target_id=str(target.id) if target is not None else "",
        details=details or {},
        summary=summary,
        ip=(request.remote_addr or "") if has_request_context() else "cli",
    )
    db.session.add(entry)
    return entry


def _unwrap(value: Any) -> Any:
    """current_user is a proxy; the log needs the object behind it."""
    getter = getattr(value, "_get_current_object", None)
    return getter() if getter is not None else value
