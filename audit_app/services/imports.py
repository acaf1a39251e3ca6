"""Import a backup file exported by the shopper's app: its pending visits and their photos.

Each visit goes through the same idempotent path as a live upload: its photos are stored by
their UUIDs, then the visit by its client UUID. So a file may be imported any number of
times, and a visit that already reached the server is reported as "already stored".

The file (format FORMAT, version 1):

    {"format": "audit-app-backup", "version": 1, "exported_at": "...",
     "user": {"id": 3, "email": "..."},
     "visits": [{"visit": {...the POST /api/v1/visits body...},
                 "photos": [{"uuid": "...", "data": "data:image/jpeg;base64,..."}]}]}
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, select

from ..checklists.loader import flatten_errors
from ..database import write_transaction
from ..extensions import db
from ..models import Role, User
from . import audit, photos, visits
from .errors import Conflict, DomainError, Invalid

FORMAT = "audit-app-backup"
VERSION = 1
MAX_VISITS = 500

CREATED = "created"
ALREADY_STORED = "already_stored"
CONFLICT = "conflict"
INVALID = "invalid"
FAILED = "failed"  # a server-side problem (storage): nothing stored, try again later
STATUSES = (CREATED, ALREADY_STORED, CONFLICT, INVALID, FAILED)


@dataclass
class VisitResult:
    """What happened to one visit of the file."""

    index: int
    client_uuid: str | None
    status: str
    message: str
    visit_id: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ImportReport:
    shopper: User
    results: list[VisitResult]

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(r.status == s for r in self.results) for s in STATUSES}


def check_document(document: Any) -> list[Any]:
    """Check the file's envelope; return its visit entries (Invalid names what is wrong)."""
    if not isinstance(document, Mapping):
        raise Invalid("not a backup file", {"file": "must be a JSON object"})
    if document.get("format") != FORMAT:
        raise Invalid(
            "not a backup file",
            {"file.format": f"must be '{FORMAT}' (a file exported by the shopper's app)"},
        )
    if document.get("version") != VERSION:
        raise Invalid(
            "unsupported backup version",
            {"file.version": f"version {document.get('version')!r} is not supported; expected 1"},
        )
    entries = document.get("visits")
    if not isinstance(entries, list):
        raise Invalid("no visits in the file", {"file.visits": "must be a list"})
    if len(entries) > MAX_VISITS:
        raise Invalid("too many visits", {"file.visits": f"at most {MAX_VISITS} visits per file"})
    return entries


def shopper_for(document: Mapping[str, Any], actor: User, email: str | None) -> User:
    """Whose visits these are: the shopper's own; an admin names the shopper (or the file does)."""
    user = document.get("user") if isinstance(document.get("user"), Mapping) else {}
    named = email or user.get("email")
    if named is not None and (
        not isinstance(named, str) or len(named) > 254 or "\x00" in named or "@" not in named
    ):
        raise Invalid("not an email address", {"shopper_email": "must be an email address"})
    if actor.role == Role.SHOPPER:
        if named and str(named).strip().lower() != actor.email:
            raise Invalid(
                "this backup belongs to another account",
                {"file.user.email": f"the file was exported by {named}; log in as that shopper"},
            )
        return actor
    if not named:
        raise Invalid(
            "whose visits are these?",
            {"shopper_email": "name the shopper (the file does not say whose visits these are)"},
        )
    shopper = db.session.scalar(
        select(User).where(func.lower(User.email) == str(named).strip().lower())
    )
    if shopper is None or shopper.role != Role.SHOPPER or not shopper.active:
        raise Invalid("unknown shopper", {"shopper_email": f"no active shopper '{named}'"})
    return shopper


def import_backup(
    document: Mapping[str, Any],
    actor: User,
    load_visit: Callable[[Any], dict[str, Any]],
    shopper_email: str | None = None,
) -> ImportReport:
    """Store every visit of a backup file that is not stored yet; report on each one.

    `load_visit` validates one visit body (the API's VisitIn schema) and raises
    marshmallow's ValidationError when it is not valid.
    """
    entries = check_document(document)
    shopper = shopper_for(document, actor, shopper_email)
    results = [
        _import_one(index, entry, shopper, load_visit) for index, entry in enumerate(entries)
    ]
    report = ImportReport(shopper, results)
    with write_transaction():
        audit.record(
            "visits.import",
            actor,
            shopper,
            {"counts": report.counts, "visits": [r.client_uuid for r in results]},
            summary=f"imported a backup file of {len(results)} visit(s) for {shopper.email}",
        )
    return report


def _import_one(
    index: int, entry: Any, shopper: User, load_visit: Callable[[Any], dict[str, Any]]
) -> VisitResult:
    raw = entry.get("visit") if isinstance(entry, Mapping) else None
    client_uuid = raw.get("client_uuid") if isinstance(raw, Mapping) else None
    client_uuid = str(client_uuid) if client_uuid is not None else None

    def result(status: str, message: str, **kwargs) -> VisitResult:
        return VisitResult(index, client_uuid, status, message, **kwargs)

    if not isinstance(raw, Mapping):
        return result(INVALID, "no visit in this entry", errors={"visit": ["is missing"]})
    try:
        payload = load_visit(raw)
    except ValidationError as error:
        return result(INVALID, "the visit is not valid", errors=_flat(error.messages))
    try:
        stored_photos = _store_photos(entry.get("photos") or [], shopper)
    except Invalid as error:
        return result(INVALID, error.message, errors=_listed(error.errors))
    except Conflict as error:
        return result(CONFLICT, error.message)
    except photos.StorageUnavailable as error:
        return result(FAILED, error.message)
    try:
        visit, created = visits.submit_visit(payload, shopper)
    except Conflict as error:
        return result(CONFLICT, error.message)
    except Invalid as error:
        return result(INVALID, error.message, errors=_listed(error.errors))
    except DomainError as error:
        return result(INVALID, error.message)
    if created:
        message = f"stored as visit {visit.id} ({stored_photos} new photo(s))"
        return result(CREATED, message, visit_id=visit.id)
    return result(ALREADY_STORED, f"already stored as visit {visit.id}", visit_id=visit.id)


def _store_photos(entries: Any, shopper: User) -> int:
    """Store the photos of one visit; return how many were new."""
    if not isinstance(entries, list):
        raise Invalid("photos must be a list", {"photos": "must be a list"})
    created = 0
    for index, entry in enumerate(entries):
        where = f"photos[{index}]"
        if not isinstance(entry, Mapping):
            raise Invalid("a photo is not valid", {where: "must be an object"})
        try:
            photo_uuid = uuid.UUID(str(entry.get("uuid")))
        except ValueError:
            raise Invalid("a photo is not valid", {f"{where}.uuid": "must be a UUID"}) from None
        data = _decode(entry.get("data"), where)
        try:
            _, new = photos.store_photo(shopper, photo_uuid, data)
        except Invalid as error:
            raise Invalid(
                f"photo {photo_uuid}: {error.message}",
                {f"{where}.data": "; ".join(error.errors.values())},
            ) from None
        created += new
    return created


def _decode(data: Any, where: str) -> bytes:
    """Bytes from a data: URL or plain base64."""
    if not isinstance(data, str) or not data:
        raise Invalid("a photo has no data", {f"{where}.data": "must be a base64 data URL"})
    if data.startswith("data:"):
        header, _, data = data.partition(",")
        if not header.endswith(";base64"):
            raise Invalid("a photo is not valid", {f"{where}.data": "must be base64-encoded"})
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("a photo is not valid", {f"{where}.data": "is not valid base64"}) from None


def _flat(messages: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path, message in flatten_errors(messages):
        out.setdefault(f"visit.{path}" if path else "visit", []).append(message)
    return out


def _listed(errors: Mapping[str, str]) -> dict[str, list[str]]:
    return {path: [message] for path, message in errors.items()}
