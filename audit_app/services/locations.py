"""Locations: import from CSV, all rows or none."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, ValidationError, fields, validate, validates
from sqlalchemy import select

from ..checklists.loader import flatten_errors
from ..database import write_transaction
from ..models import Area, Location
from .errors import Invalid

REQUIRED_COLUMNS = ("code", "name", "area_code")
code_rule = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$", error="must be 1-32 letters, digits, '.', '-' or '_'"
)


class LocationRow(Schema):
    code = fields.String(required=True, validate=code_rule)
    name = fields.String(required=True, validate=validate.Length(min=1, max=160))
    area_code = fields.String(required=True, validate=code_rule)
    area_name = fields.String(load_default=None, validate=validate.Length(max=120))
    address = fields.String(load_default="")
    latitude = fields.Float(load_default=None, validate=validate.Range(-90, 90))
    longitude = fields.Float(load_default=None, validate=validate.Range(-180, 180))
    timezone = fields.String(load_default="UTC")
    contact_email = fields.Email(load_default=None)
    language = fields.String(load_default="en", validate=validate.OneOf(["en", "ms", "id"]))

    @validates("timezone")
    def known_timezone(self, value, **kwargs):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(f"unknown time zone '{value}' (use e.g. Asia/Jakarta)") from None


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    areas_created: int


def parse_locations_csv(text: str) -> list[dict]:
    """Parse and validate every row; raise Invalid listing each bad row and field."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise Invalid("missing columns", {"header": "missing column(s): " + ", ".join(missing)})
    known = set(LocationRow().fields)
    unknown = [c for c in reader.fieldnames or [] if c not in known]
    if unknown:
        raise Invalid("unknown columns", {"header": "unknown column(s): " + ", ".join(unknown)})
    rows, errors, seen = [], {}, {}
    for line, raw in enumerate(reader, start=2):  # line 1 is the header
        cleaned = {k: v.strip() for k, v in raw.items() if k and v is not None and v.strip()}
        where = f"line {line}" + (f" ({cleaned['code']})" if cleaned.get("code") else "")
        try:
            row = LocationRow().load(cleaned)
        except ValidationError as exc:
            for path, message in flatten_errors(exc.messages):
                errors[f"{where}: {path}"] = message
            continue
        if row["code"] in seen:
            errors[f"{where}: code"] = f"duplicate code, first on line {seen[row['code']]}"
        seen.setdefault(row["code"], line)
        rows.append(row)
    if errors:
        raise Invalid(f"{len(errors)} problem(s) in the file; nothing was imported", errors)
    if not rows:
        raise Invalid("empty file", {"file": "no location rows"})
    return rows


def import_locations(rows: list[dict]) -> ImportResult:
    """Create or update locations by code in one transaction."""
    created = updated = areas_created = 0
    with write_transaction() as session:
        areas = {a.code: a for a in session.scalars(select(Area))}
        existing = {loc.code: loc for loc in session.scalars(select(Location))}
        for row in rows:
            area = areas.get(row["area_code"])
            if area is None:
                area = Area(code=row["area_code"], name=row["area_name"] or row["area_code"])
                session.add(area)
                areas[area.code] = area
                areas_created += 1
            elif row["area_name"]:
                area.name = row["area_name"]
            location = existing.get(row["code"])
            if location is None:
                location = Location(code=row["code"])
                session.add(location)
                created += 1
            else:
                updated += 1
            location.name = row["name"]
            location.area = area
            for name in (
                "address",
                "latitude",
                "longitude",
                "timezone",
                "contact_email",
                "language",
            ):
                setattr(location, name, row[name])
    return ImportResult(created, updated, areas_created)
