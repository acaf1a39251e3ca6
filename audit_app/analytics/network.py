"""Network aggregates of a date range: the month chunks of the rollup store, added up."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import rollups
from .moments import Counts, Moments
from .rollups import Kind


def _add_into(target: dict, source: dict) -> None:
    """target[key] += source[key] for every key (Moments and Counts add up)."""
    for key, value in source.items():
        before = target.get(key)
        target[key] = value if before is None else before + value


def _nested_into(target: dict, source: dict, keys=None) -> None:
    """The same one level down: {outer: {inner: value}}, only outer keys in `keys` if given."""
    for outer in source if keys is None else (k for k in keys if k in source):
        _add_into(target.setdefault(outer, {}), source[outer])


def total(values: Iterable[Any], zero: Any) -> Any:
    """Add up Moments or Counts (zero when there are none)."""
    out = zero
    for value in values:
        out = out + value
    return out


def totals(maps: Iterable[dict[str, Any]], zero: Any) -> dict[str, Any]:
    """Add up {key: Moments or Counts} maps key by key."""
    out: dict[str, Any] = {}
    for mapping in maps:
        for key, value in mapping.items():
            out[key] = out.get(key, zero) + value
    return out


@dataclass(frozen=True)
class Ranges:
    """The chunks of one checklist's approved visits in some ranges, read through the store."""

    version_ids: tuple[int, ...]
    ranges: tuple[tuple[date, date], ...]

    @classmethod
    def of(cls, version_ids: Sequence[int], start: date, end: date) -> Ranges:
        return cls(tuple(version_ids), tuple(rollups.split_by_month(start, end)))

    def _chunks(self, kind: str) -> list[dict]:
        return rollups.for_app().get(kind, self.version_ids, self.ranges)

    def locations(self) -> tuple[dict[int, Moments], dict[int, Moments]]:
        """Visit-score moments per location and per area (shared: do not change them)."""

        def combine(chunks: list[dict]) -> tuple[dict[int, Moments], dict[int, Moments]]:
            if len(chunks) == 1:
                return chunks[0]["location"], chunks[0]["area"]
            by_location: dict[int, Moments] = {}
            by_area: dict[int, Moments] = {}
            for chunk in chunks:
                _add_into(by_location, chunk["location"])
                _add_into(by_area, chunk["area"])
            return by_location, by_area

        store = rollups.for_app()
        return store.combined(Kind.LOCATIONS, self.version_ids, self.ranges, combine)

    def items(self) -> dict[int, dict[str, Counts]]:
        """Per area, per standard: counts (shared: do not change them)."""

        def combine(chunks: list[dict]) -> dict[int, dict[str, Counts]]:
            by_area: dict[int, dict[str, Counts]] = {}
            for chunk in chunks:
                _nested_into(by_area, chunk["area"])
            return by_area

        store = rollups.for_app()
        return store.combined(Kind.ITEMS, self.version_ids, self.ranges, combine)

    def sections(
        self, location_ids: Iterable[int] = ()
    ) -> tuple[dict[int, dict[str, Moments]], dict[int, dict[str, Moments]]]:
        """Section-percentage moments per area, and per location for the locations asked for."""
        wanted = list(location_ids)
        by_location: dict[int, dict[str, Moments]] = {}
        by_area: dict[int, dict[str, Moments]] = {}
        for chunk in self._chunks(Kind.SECTIONS):
            _nested_into(by_location, chunk["location"], wanted)
            _nested_into(by_area, chunk["area"])
        return by_location, by_area

    def slots(self) -> dict[int, dict[tuple[int, int], Moments]]:
        """Per area, per (weekend, daypart): visit-score moments."""
        by_area: dict[int, dict[tuple[int, int], Moments]] = {}
        for chunk in self._chunks(Kind.SLOTS):
            _nested_into(by_area, chunk["area"])
        return by_area


def per_bucket_locations(
    version_ids: Sequence[int], buckets: Sequence[tuple[date, date]]
) -> list[tuple[dict[int, Moments], dict[int, Moments]]]:
    """Moments per location and per area for each bucket (a month or a quarter)."""
    parts = [rollups.split_by_month(start, end) for start, end in buckets]
    chunks = rollups.for_app().get(
        Kind.LOCATIONS, tuple(version_ids), [r for ranges in parts for r in ranges]
    )
    out, position = [], 0
    for ranges in parts:
        by_location: dict[int, Moments] = {}
        by_area: dict[int, Moments] = {}
        for chunk in chunks[position : position + len(ranges)]:
            if len(ranges) == 1:  # a month: the chunk's own maps, read-only
                by_location, by_area = chunk["location"], chunk["area"]
            else:
                _add_into(by_location, chunk["location"])
                _add_into(by_area, chunk["area"])
        position += len(ranges)
        out.append((by_location, by_area))
    return out
