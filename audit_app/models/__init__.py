"""Persistence only: typed SQLAlchemy models."""

from .accounts import AuditEntry, LoginSession, Role, User, user_areas
from .assignment import Assignment, AssignmentStatus
from .checklist import ChecklistVersion
from .org import Area, Location
from .photo import Photo
from .sendlog import SendLog, SendStatus
from .types import UTCDateTime, utcnow
from .visit import Answer, SectionScore, Visit, VisitEvent, VisitStatus

__all__ = [
    "Answer",
    "Area",
    "Assignment",
    "AssignmentStatus",
    "AuditEntry",
    "ChecklistVersion",
    "Location",
    "LoginSession",
    "Photo",
    "Role",
    "SectionScore",
    "SendLog",
    "SendStatus",
    "UTCDateTime",
    "User",
    "Visit",
    "VisitEvent",
    "VisitStatus",
    "user_areas",
    "utcnow",
]
