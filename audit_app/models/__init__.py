"""Persistence only: typed SQLAlchemy models."""

from .checklist import ChecklistVersion
from .org import Area, Location
from .types import UTCDateTime, utcnow
from .visit import Answer, SectionScore, Visit, VisitEvent, VisitStatus

__all__ = [
    "Answer",
    "Area",
    "ChecklistVersion",
    "Location",
    "SectionScore",
    "UTCDateTime",
    "Visit",
    "VisitEvent",
    "VisitStatus",
    "utcnow",
]
