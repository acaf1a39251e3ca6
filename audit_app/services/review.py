"""Review workflow: approve, return with a comment, correct answers with an audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from .. import scoring
from ..checklists.answers import check_answers
from ..database import write_transaction
from ..models import AuditEntry, User, Visit, VisitStatus, utcnow
from . import audit
from .errors import Conflict, Invalid, NotFound

REVIEWABLE = (VisitStatus.SUBMITTED,)


def _load(session, visit_id: int) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound(f"no visit with id {visit_id}")
    return visit


def approve(visit_id: int, reviewer: User) -> Visit:
    """Approve a submitted visit: from now on it counts in analytics and reports."""
    with write_transaction() as session:
        visit = _load(session, visit_id)
        if visit.status != VisitStatus.SUBMITTED:
            raise Conflict(
                f"visit {visit_id} is {visit.status}; only submitted visits can be approved"
            )
        visit.status = VisitStatus.APPROVED
        visit.reviewed_by_id, visit.reviewed_at = reviewer.id, utcnow()
        audit.record("visit.approve", reviewer, visit, {"score": visit.score})
    return visit


def return_to_shopper(visit_id: int, reviewer: User, comment: str) -> Visit:
    """Send a submitted visit back to its shopper with a comment saying what to fix."""
    comment = (comment or "").strip()
    if len(comment) < 3:
        raise Invalid("a comment is required", {"comment": "tell the shopper what to fix"})
    with write_transaction() as session:
        visit = _load(session, visit_id)
        if visit.status != VisitStatus.SUBMITTED:
            raise Conflict(
                f"visit {visit_id} is {visit.status}; only submitted visits can be returned"
            )
        visit.status = VisitStatus.RETURNED
        visit.review_comment = comment
        visit.reviewed_by_id, visit.reviewed_at = reviewer.id, utcnow()
        audit.record("visit.return", reviewer, visit, {"comment": comment})
    return visit


def correct_answer(
    visit_id: int, reviewer: User, item_id: str, value: Any, na: bool, reason: str
) -> Visit:
    """Change one answer, recompute every score, and log old -> new with the reason."""
    from .visits import set_scores

    reason = (reason or "").strip()
    if len(reason) < 3:
        raise Invalid("a reason is required", {"reason": "say why the answer is corrected"})
    with write_transaction() as session:
        visit = _load(session, visit_id)
        if visit.status not in (VisitStatus.SUBMITTED, VisitStatus.APPROVED):
            raise Conflict(f"visit {visit_id} is {visit.status} and cannot be corrected now")
        checklist = visit.checklist_version.checklist
        if checklist.item(item_id) is None:
            raise Invalid("unknown item", {"item_id": f"unknown item '{item_id}'"})
        answers = [
            {"item_id": a.item_id, "value": a.value, "na": a.na, "note": a.note}
            for a in visit.answers
        ]
        old = next((a for a in answers if a["item_id"] == item_id), None)
        new = {
            "item_id": item_id,
            "value": None if na else value,
            "na": na,
            "note": old["note"] if old else "",
        }
        answers = [a for a in answers if a["item_id"] != item_id] + [new]
        errors = check_answers(checklist, answers)
        if errors:
            raise Invalid(
                "the corrected answer is not valid", {"value": "; ".join(errors.values())}
            )
        old_score = visit.score
        result = scoring.score(
            checklist, {a["item_id"]: scoring.Answer(a["value"], a["na"]) for a in answers}
        )
        set_scores(visit, checklist, answers, result)
        session.flush()
        audit.record(
            "answer.correct",
            reviewer,
            visit,
            {
                "item_id": item_id,
                "old": {"value": old["value"], "na": old["na"]} if old else None,
                "new": {"value": new["value"], "na": na},
                "reason": reason,
                "score": [old_score, visit.score],
            },
            summary=f"{item_id}: {_show(old)} -> {_show(new)} ({reason})",
        )
    return visit


def _show(answer: dict | None) -> str:
    if answer is None:
        return "(no answer)"
    return "N/A" if answer["na"] else repr(answer["value"])


def history(visit_id: int) -> list[AuditEntry]:
    """A visit's audit trail, oldest first."""
    from ..extensions import db

    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == "visits", AuditEntry.target_id == str(visit_id))
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    )
