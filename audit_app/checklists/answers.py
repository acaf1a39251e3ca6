"""Check a visit's answers against its checklist and derive timed values from event marks."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from .model import Checklist, Item, ItemType, PhotoRule

MAX_TEXT = 5000
MAX_SECONDS = 24 * 3600
MAX_PHOTOS_PER_ITEM = 10


def timed_from_events(item: Item, events: Mapping[str, datetime]) -> float | None:
    """Seconds between the item's two event marks, or None when a mark is missing."""
    if not item.from_event or not item.to_event:
        return None
    start, end = events.get(item.from_event), events.get(item.to_event)
    if start is None or end is None:
        return None
    return round((end - start).total_seconds(), 1)


def first_marks(events: Sequence[tuple[str, datetime]]) -> dict[str, datetime]:
    """The first time each event kind was marked (a repeated tap keeps the first)."""
    marks: dict[str, datetime] = {}
    for kind, at in sorted(events, key=lambda e: e[1]):
        marks.setdefault(kind, at)
    return marks


def _value_error(item: Item, value: Any) -> str | None:
    if item.type is ItemType.YES_NO:
        return None if isinstance(value, bool) else "must be true or false"
    if item.type is ItemType.TEXT:
        if not isinstance(value, str):
            return "must be a string"
        return None if len(value) <= MAX_TEXT else f"must be at most {MAX_TEXT} characters"
    if item.type is ItemType.CHOICE:
        ids = [o.id for o in item.options]
        return None if value in ids else "must be one of: " + ", ".join(ids)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "must be a number"
    if item.type is ItemType.SCALE:
        if not item.scale_min <= value <= item.scale_max:
            return f"must be between {item.scale_min:g} and {item.scale_max:g}"
        return None
    if not 0 <= value <= MAX_SECONDS:  # timed
        return f"must be between 0 and {MAX_SECONDS} seconds"
    return None


def check_answers(checklist: Checklist, answers: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Return {field path: message} for every problem; empty when the answers are valid.

    Each answer is a mapping with item_id, value, na (and note, not checked here). Timed
    values derived from event marks must already be filled in.
    """
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for index, answer in enumerate(answers):
        path = f"answers[{index}]"
        item_id = answer.get("item_id")
        item = checklist.item(item_id) if isinstance(item_id, str) else None
        if item is None:
            errors[f"{path}.item_id"] = f"unknown item '{item_id}' in checklist '{checklist.key}'"
            continue
        if item_id in seen:
            errors[f"{path}.item_id"] = f"item '{item_id}' is answered more than once"
            continue
        seen.add(item_id)
        value, na = answer.get("value"), bool(answer.get("na"))
        if na:
            if not item.na_allowed:
                errors[f"{path}.na"] = f"N/A is not allowed for item '{item_id}'"
            elif value is not None:
                errors[f"{path}.value"] = "must be empty when the item is N/A"
        elif value is None:
            if item.required:
                errors[f"{path}.value"] = f"item '{item_id}' is required"
        elif message := _value_error(item, value):
            errors[f"{path}.value"] = f"item '{item_id}' ({item.type.value}): {message}"
    given = {a.get("item_id") for a in answers}
    for _, item in checklist.items():
        if item.required and item.id not in given:
            errors[f"answers.{item.id}"] = f"required item '{item.id}' is not answered"
    return errors


def check_photos(
    checklist: Checklist, answers: Sequence[Mapping[str, Any]], require: bool = True
) -> dict[str, str]:
    """Return {field path: message} for answers breaking their item's photo rule.

    An item with `photo: required` that is answered (not N/A) needs at least one photo
    (unless `require` is false); an item with `photo: none` takes none; a photo is listed
    once. Each answer's `photos` is a list of photo ids (whether they were uploaded is the
    caller's business).
    """
    errors: dict[str, str] = {}
    for index, answer in enumerate(answers):
        item_id = answer.get("item_id")
        item = checklist.item(item_id) if isinstance(item_id, str) else None
        if item is None:
            continue
        photos = list(answer.get("photos") or [])
        path = f"answers[{index}].photos"
        if photos and item.photo is PhotoRule.NONE:
            errors[path] = f"item '{item_id}' takes no photos"
        elif len(set(photos)) != len(photos):
            errors[path] = "a photo is listed more than once"
        elif len(photos) > MAX_PHOTOS_PER_ITEM:
            errors[path] = f"at most {MAX_PHOTOS_PER_ITEM} photos per item"
        elif (
            require
            and item.photo is PhotoRule.REQUIRED
            and not answer.get("na")
            and answer.get("value") is not None
            and not photos
        ):
            errors[path] = f"item '{item_id}' needs a photo"
    return errors
