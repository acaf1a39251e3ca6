"""Score a visit against its checklist. Pure: the server's authoritative rules, nothing else.

Rules (PRODUCT.md "Scoring"):
- yes_no: yes earns the points, no earns 0; N/A (only where allowed) removes the item.
- scale (min..max): points x (value - min) / (max - min).
- timed: at or under the threshold earns the points.
- choice: each option carries a fraction of the points.
- text: not scored.
- section % = earned / possible x 100; a section with nothing possible has no score.
- visit % = weighted mean of the section %s that have a score.
- a failed critical item (one that earns nothing) zeroes its section, or the whole visit
  when the checklist's critical_rule is "visit", and always fails the visit.
- a visit passes at or above the pass mark with no failed critical item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .checklists.model import Checklist, CriticalRule, Item, ItemType

# Tolerance for comparing a computed percentage with the pass mark (float sums).
EPSILON = 1e-9


@dataclass(frozen=True)
class Answer:
    value: Any = None
    na: bool = False


@dataclass(frozen=True)
class ItemResult:
    item_id: str
    section_id: str
    answered: bool
    na: bool
    fraction: float | None  # share of the points earned; None when not scored
    earned: float
    possible: float
    met: bool | None  # None when not scored (text, N/A, unanswered)
    critical_failed: bool


@dataclass(frozen=True)
class SectionResult:
    section_id: str
    weight: float
    earned: float
    possible: float
    percent: float | None
    critical_failed: bool


@dataclass(frozen=True)
class VisitScore:
    percent: float | None
    passed: bool
    critical_failed: bool
    sections: tuple[SectionResult, ...]
    items: tuple[ItemResult, ...]

    def item(self, item_id: str) -> ItemResult:
        return next(r for r in self.items if r.item_id == item_id)

    def section(self, section_id: str) -> SectionResult:
        return next(r for r in self.sections if r.section_id == section_id)


def item_fraction(item: Item, value: Any) -> float:
    """Return the share (0..1) of an item's points that an answer value earns."""
    match item.type:
        case ItemType.YES_NO:
            return 1.0 if value is True else 0.0
        case ItemType.SCALE:
            assert item.scale_min is not None and item.scale_max is not None
            span = item.scale_max - item.scale_min
            return min(1.0, max(0.0, (float(value) - item.scale_min) / span))
        case ItemType.TIMED:
            assert item.threshold_seconds is not None
            return 1.0 if float(value) <= item.threshold_seconds else 0.0
        case ItemType.CHOICE:
            option = item.option(value)
            return option.fraction if option else 0.0
    raise ValueError(f"item '{item.id}' of type {item.type} is not scored")


def score_item(
    item: Item, section_id: str, answer: Answer | None, met_fraction: float
) -> ItemResult:
    """Score one item; unanswered, N/A and text items add nothing to the possible points."""
    answered = answer is not None and (answer.na or answer.value is not None)
    na = bool(answer and answer.na)
    if item.type is ItemType.TEXT or not answered or na:
        return ItemResult(item.id, section_id, answered, na, None, 0.0, 0.0, None, False)
    fraction = item_fraction(item, answer.value)
    return ItemResult(
        item_id=item.id,
        section_id=section_id,
        answered=True,
        na=False,
        fraction=fraction,
        earned=item.points * fraction,
        possible=item.points,
        met=fraction >= met_fraction,
        critical_failed=item.critical and fraction == 0.0,
    )


def score(checklist: Checklist, answers: Mapping[str, Answer]) -> VisitScore:
    """Score a visit: item, section and visit results."""
    items: list[ItemResult] = []
    sections: list[SectionResult] = []
    for section in checklist.sections:
        results = [
            score_item(item, section.id, answers.get(item.id), checklist.met_fraction)
            for item in section.items
        ]
        items.extend(results)
        earned = sum(r.earned for r in results)
        possible = sum(r.possible for r in results)
        critical = any(r.critical_failed for r in results)
        percent = earned / possible * 100 if possible > 0 else None
        if critical:
            percent = 0.0
        sections.append(
            SectionResult(section.id, section.weight, earned, possible, percent, critical)
        )

    critical_failed = any(s.critical_failed for s in sections)
    scored = [s for s in sections if s.percent is not None]
    total_weight = sum(s.weight for s in scored)
    percent = sum(s.weight * s.percent for s in scored) / total_weight if scored else None
    if critical_failed and checklist.critical_rule is CriticalRule.VISIT:
        percent = 0.0
    passed = (
        percent is not None and not critical_failed and percent + EPSILON >= checklist.pass_mark
    )
    return VisitScore(percent, passed, critical_failed, tuple(sections), tuple(items))
