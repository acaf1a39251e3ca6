"""The standards of a checklist key across its versions: texts, sections, weights, shares.

Analytics aggregate answers by item id over every version of one checklist key, so a
period that spans a checklist change still reads as one series. Texts, sections and
weights come from the newest version; items that only older versions have are kept as
"retired" with their last known text, and get no share of the score.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..checklists import Checklist, from_snapshot
from ..extensions import db
from ..models import ChecklistVersion


@dataclass(frozen=True, slots=True)
class SectionInfo:
    id: str
    title: str
    weight: float
    position: int
    current: bool  # in the newest version


@dataclass(frozen=True, slots=True)
class StandardInfo:
    """One scored item: where it sits and how much of a visit's score it carries."""

    id: str
    text: str
    section_id: str
    section_title: str
    dimension: str | None
    critical: bool
    position: int
    # the item's share of a visit's score in the newest version (0-1); None when retired
    share: float | None

    @property
    def retired(self) -> bool:
        return self.share is None


@dataclass(frozen=True)
class ChecklistInfo:
    key: str
    title: str
    version_ids: tuple[int, ...]
    latest: Checklist
    latest_version: int
    sections: tuple[SectionInfo, ...]
    standards: tuple[StandardInfo, ...]

    @property
    def pass_mark(self) -> float:
        return self.latest.pass_mark

    def standard(self, item_id: str) -> StandardInfo | None:
        return self._standards_by_id().get(item_id)

    def section(self, section_id: str) -> SectionInfo | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def _standards_by_id(self) -> dict[str, StandardInfo]:
        cached = self.__dict__.get("_by_id")
        if cached is None:
            cached = {s.id: s for s in self.standards}
            self.__dict__["_by_id"] = cached
        return cached

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The service-quality dimensions the standards are tagged with, in checklist order."""
        seen: dict[str, None] = {}
        for standard in self.standards:
            if standard.dimension:
                seen.setdefault(standard.dimension, None)
        return tuple(seen)


# versions never change, so a key's info is reusable until a new version is stored
_CACHE: dict[tuple[tuple[int, str], ...], ChecklistInfo] = {}


def keys() -> list[tuple[str, str]]:
    """(key, title) of every stored checklist, the title of its newest version."""
    newest = (
        select(ChecklistVersion.key, func.max(ChecklistVersion.version).label("version"))
        .group_by(ChecklistVersion.key)
        .subquery()
    )
    rows = db.session.execute(
        select(ChecklistVersion.key, ChecklistVersion.title)
        .join(
            newest,
            (ChecklistVersion.key == newest.c.key) & (ChecklistVersion.version == newest.c.version),
        )
        .order_by(ChecklistVersion.key)
    )
    return [(key, title) for key, title in rows]


def load(key: str) -> ChecklistInfo | None:
    """The standards of a checklist key, or None when no version of it is stored."""
    rows = db.session.execute(
        select(ChecklistVersion.id, ChecklistVersion.version, ChecklistVersion.content_hash)
        .where(ChecklistVersion.key == key)
        .order_by(ChecklistVersion.version.desc())
    ).all()
    if not rows:
        return None
    cache_key = tuple((row.id, row.content_hash) for row in rows)
    info = _CACHE.get(cache_key)
    if info is None:
        snapshots = db.session.execute(
            select(ChecklistVersion.snapshot)
            .where(ChecklistVersion.key == key)
            .order_by(ChecklistVersion.version.desc())
        ).scalars()
        checklists = [from_snapshot(snapshot) for snapshot in snapshots]
        info = build(key, [row.id for row in rows], rows[0].version, checklists)
        if len(_CACHE) >= 64:  # only ever a few checklists; this bounds odd cases
            _CACHE.clear()
        _CACHE[cache_key] = info
    return info


def build(
    key: str, version_ids: list[int], latest_version: int, checklists: list[Checklist]
) -> ChecklistInfo:
    """Merge a key's versions (newest first) into one list of sections and standards."""
    latest = checklists[0]
    language = latest.default_language

    def text(value) -> str:
        # an older version may have had another default language
        return value.get(language) or next(iter(value.values()), "")

    sections: dict[str, SectionInfo] = {}
    standards: dict[str, StandardInfo] = {}
    shares = item_shares(latest)
    for checklist in checklists:
        for section in checklist.sections:
            if section.id not in sections:
                sections[section.id] = SectionInfo(
                    section.id,
                    text(section.title),
                    section.weight,
                    len(sections),
                    checklist is latest,
                )
            for item in section.items:
                if not item.scored or item.id in standards:
                    continue
                standards[item.id] = StandardInfo(
                    id=item.id,
                    text=text(item.text),
                    section_id=section.id,
                    section_title=sections[section.id].title,
                    dimension=item.dimension.value if item.dimension else None,
                    critical=item.critical,
                    position=len(standards),
                    share=shares.get(item.id),
                )
    return ChecklistInfo(
        key=key,
        title=text(latest.title),
        version_ids=tuple(version_ids),
        latest=latest,
        latest_version=latest_version,
        sections=tuple(sections.values()),
        standards=tuple(standards.values()),
    )


def item_shares(checklist: Checklist) -> dict[str, float]:
    """Each scored item's share of a visit's score: points / section points x section weight.

    The section's weight is taken relative to the total weight of sections that score at all,
    which is how scoring.score weights a visit when nothing is N/A.
    """
    section_points = {
        section.id: sum(item.points for item in section.items if item.scored)
        for section in checklist.sections
    }
    total_weight = sum(s.weight for s in checklist.sections if section_points[s.id] > 0)
    if total_weight <= 0:
        return {}
    return {
        item.id: item.points / section_points[section.id] * section.weight / total_weight
        for section, item in checklist.items()
        if item.scored
    }
