"""Checklists: the pure model, its schema and the file loader (no Flask, no SQLAlchemy)."""

from .loader import ChecklistError, content_hash, from_snapshot, load_directory, load_file
from .model import EVENT_KINDS, Checklist, Item, ItemType, Section

__all__ = [
    "EVENT_KINDS",
    "Checklist",
    "ChecklistError",
    "Item",
    "ItemType",
    "Section",
    "content_hash",
    "from_snapshot",
    "load_directory",
    "load_file",
]
