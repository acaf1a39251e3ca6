"""Checklist domain model: immutable dataclasses, no framework imports."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ItemType(StrEnum):
    YES_NO = "yes_no"
    SCALE = "scale"
    TIMED = "timed"
    CHOICE = "choice"
    TEXT = "text"


class PhotoRule(StrEnum):
    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


class CriticalRule(StrEnum):
    SECTION = "section"  # a failed critical item zeroes its section
    VISIT = "visit"  # a failed critical item zeroes the whole visit


class Dimension(StrEnum):
    TANGIBLES = "tangibles"
    RELIABILITY = "reliability"
    RESPONSIVENESS = "responsiveness"
    ASSURANCE = "assurance"
    EMPATHY = "empathy"


EVENT_KINDS: tuple[str, ...] = ("entered", "greeted", "served", "paid", "left")

# language code -> text; always holds the checklist's default language
Text = Mapping[str, str]


def localize(text: Text, language: str, default_language: str) -> str:
    """Return the text in a language, falling back to the default language."""
    return text.get(language) or text[default_language]


@dataclass(frozen=True)
class Option:
    id: str
    text: Text
    fraction: float


@dataclass(frozen=True)
class Item:
    id: str
    text: Text
    type: ItemType
    points: float
    required: bool = True
    na_allowed: bool = False
    critical: bool = False
    photo: PhotoRule = PhotoRule.NONE
    guidance: Text = field(default_factory=dict)
    dimension: Dimension | None = None
    scale_min: float | None = None
    scale_max: float | None = None
    threshold_seconds: float | None = None
    from_event: str | None = None
    to_event: str | None = None
    options: tuple[Option, ...] = ()

    @property
    def scored(self) -> bool:
        return self.type is not ItemType.TEXT and self.points > 0

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    weight: float
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Checklist:
    key: str
    title: Text
    languages: tuple[str, ...]
    default_language: str
    pass_mark: float
    critical_rule: CriticalRule
    met_fraction: float
    sections: tuple[Section, ...]
    description: Text = field(default_factory=dict)
    # sha256 of the canonical snapshot: the version's identity
    content_hash: str = ""
    # the validated, normalised document this checklist was built from (what is stored)
    snapshot: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def items(self) -> Iterator[tuple[Section, Item]]:
        """Yield every (section, item) pair in checklist order."""
        for section in self.sections:
            for item in section.items:
                yield section, item

    def item(self, item_id: str) -> Item | None:
        return self._items_by_id().get(item_id)

    def _items_by_id(self) -> dict[str, Item]:
        # frozen dataclass: cache via object.__setattr__ on first use
        cached = self.__dict__.get("_index")
        if cached is None:
            cached = {item.id: item for _, item in self.items()}
            object.__setattr__(self, "_index", cached)
        return cached
