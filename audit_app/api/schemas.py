"""API request and response schemas."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_dump,
    pre_load,
    validate,
    validates_schema,
)

from ..checklists.answers import MAX_PHOTOS_PER_ITEM
from ..checklists.model import EVENT_KINDS, ItemType
from ..redaction import identity_words, scrub

# database integer keys are 32-bit on every backend we support
MAX_ID = 2**31 - 1


def id_field(**kwargs) -> fields.Integer:
    """A row id in a request: a positive 32-bit integer."""
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


class StrictSchema(Schema):
    """Unknown fields in a request are an error, not silently dropped."""

    @pre_load(pass_collection=True)
    def refuse_nul_characters(self, data, **kwargs):
        """NUL characters are never meaningful and PostgreSQL text cannot store them."""
        if bad := _nul_paths(data, ""):
            raise ValidationError(
                {path or "_body": ["must not contain NUL characters"] for path in bad}
            )
        return data


def _nul_paths(value, path: str) -> list[str]:
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, dict):
        return [
            p for k, v in value.items() for p in _nul_paths(v, f"{path}.{k}" if path else str(k))
        ]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nul_paths(v, f"{path}[{i}]")]
    return []


DATETIME_HELP = "must be an ISO 8601 date-time with a timezone, e.g. 2026-10-06T10:15:00+08:00"


def aware_datetime(**kwargs) -> fields.AwareDateTime:
    """A date-time that must carry its timezone (a phone's local time alone is ambiguous)."""
    return fields.AwareDateTime(
        error_messages={"invalid": DATETIME_HELP, "invalid_awareness": DATETIME_HELP}, **kwargs
    )


class AnswerIn(StrictSchema):
    item_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    value = fields.Raw(load_default=None, allow_none=True)
    na = fields.Boolean(load_default=False)
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    # no default: a visit sent without photos hashes as it did before photos existed
    photos = fields.List(
        fields.UUID(),
        validate=validate.Length(max=MAX_PHOTOS_PER_ITEM),
        metadata={"description": "UUIDs of photos uploaded first to POST /api/v1/photos"},
    )


class EventIn(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(EVENT_KINDS))
    at = aware_datetime(required=True)


class CheckinIn(StrictSchema):
    at = aware_datetime(load_default=None)
    latitude = fields.Float(required=True, validate=validate.Range(-90, 90))
    longitude = fields.Float(required=True, validate=validate.Range(-180, 180))
    accuracy_m = fields.Float(load_default=None, validate=validate.Range(min=0))


class VisitIn(StrictSchema):
    client_uuid = fields.UUID(
        required=True, metadata={"description": "Made on the phone; the idempotency key"}
    )
    assignment_id = id_field(
        load_default=None,
        metadata={
            "description": "The assignment this visit fulfils (found by location and "
            "window when left out)"
        },
    )
    location_id = id_field(required=True)
    checklist_version = fields.String(
        required=True,
        validate=validate.Regexp(r"^[0-9a-f]{64}$", error="must be a 64-character hex hash"),
        metadata={"description": "The checklist version's content hash"},
    )
    started_at = aware_datetime(required=True)
    ended_at = aware_datetime(load_default=None)
    submitted_at = aware_datetime(load_default=None)
    sent_at = aware_datetime(
        load_default=None,
        metadata={"description": "The phone's clock when this request was sent (not hashed)"},
    )
    checkin = fields.Nested(CheckinIn, load_default=None)
    answers = fields.List(fields.Nested(AnswerIn), required=True, validate=validate.Length(max=500))
    events = fields.List(
        fields.Nested(EventIn), load_default=list, validate=validate.Length(max=100)
    )

    @validates_schema
    def times_in_order(self, data, **kwargs):
        started, ended = data.get("started_at"), data.get("ended_at")
        if started and ended and ended < started:
            raise ValidationError("must not be before started_at", "ended_at")


class AnswerOut(Schema):
    item_id = fields.String()
    section_id = fields.String()
    value = fields.Raw(allow_none=True)
    na = fields.Boolean()
    note = fields.String()
    earned = fields.Float()
    possible = fields.Float()
    met = fields.Boolean(allow_none=True)
    critical_failed = fields.Boolean()


class SectionScoreOut(Schema):
    section_id = fields.String()
    weight = fields.Float()
    earned = fields.Float()
    possible = fields.Float()
    percent = fields.Float(allow_none=True)
    critical_failed = fields.Boolean()


class EventOut(Schema):
    kind = fields.String()
    at = fields.DateTime()


class FlagOut(Schema):
    code = fields.String()
    message = fields.String()


class ShopperOut(Schema):
    id = fields.Integer()
    name = fields.String()


# fields only some roles may see; everyone else gets the visit without them
NOTES_AS_WRITTEN = {"admin", "reviewer", "shopper"}  # a shopper sees only their own visits
RESTRICTED = {
    "shopper": {"admin", "reviewer"},
    "flags": {"admin", "reviewer"},
    "review_comment": {"admin", "reviewer", "shopper"},
    "reviewed_at": {"admin", "reviewer", "shopper"},
    "checkin": {"admin", "reviewer", "shopper"},
}


class VisitPhotoOut(Schema):
    id = fields.Integer()
    uuid = fields.UUID(attribute="client_uuid")
    item_id = fields.String(allow_none=True)
    width = fields.Integer()
    height = fields.Integer()
    removed_at = fields.DateTime(
        allow_none=True,
        metadata={"description": "When the retention policy deleted the files (then 410)"},
    )
    url = fields.Function(lambda p: f"/api/v1/photos/{p.id}")
    thumbnail_url = fields.Function(lambda p: f"/api/v1/photos/{p.id}/thumbnail")


class CheckinOut(Schema):
    latitude = fields.Float(attribute="checkin_latitude")
    longitude = fields.Float(attribute="checkin_longitude")
    accuracy_m = fields.Float(attribute="checkin_accuracy_m", allow_none=True)


def _visit_photos(visit) -> list:
    from ..services.photos import photos_of_visit

    return VisitPhotoOut(many=True).dump(photos_of_visit(visit.id))


def _visit_checkin(visit) -> dict | None:
    if visit.checkin_latitude is None or visit.checkin_longitude is None:
        return None
    return CheckinOut().dump(visit)


class VisitOut(Schema):
    id = fields.Integer()
    assignment_id = fields.Integer(allow_none=True)
    revision = fields.Integer()
    shopper = fields.Nested(ShopperOut, metadata={"description": "Admins and reviewers only"})
    flags = fields.List(
        fields.Nested(FlagOut),
        metadata={"description": "Evidence for reviewers; admins and reviewers only"},
    )
    review_comment = fields.String()
    reviewed_at = fields.DateTime(allow_none=True)
    client_uuid = fields.UUID()
    location_id = fields.Integer()
    checklist_key = fields.Function(lambda v: v.checklist_version.key)
    checklist_version = fields.Function(lambda v: v.checklist_version.content_hash)
    status = fields.String()
    started_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    received_at = fields.DateTime()
    score = fields.Float(allow_none=True)
    passed = fields.Boolean()
    critical_failed = fields.Boolean()
    sections = fields.List(fields.Nested(SectionScoreOut))
    answers = fields.List(fields.Nested(AnswerOut))
    events = fields.List(fields.Nested(EventOut))
    photos = fields.Function(
        _visit_photos, metadata={"description": "Photos linked to the visit's answers"}
    )
    checkin = fields.Function(
        _visit_checkin,
        allow_none=True,
        metadata={"description": "Where the shopper checked in; admins, reviewers, the shopper"},
    )

    @post_dump(pass_original=True)
    def hide_restricted(self, data, visit, **kwargs):
        """Shopper identity and evidence flags stay with admins and reviewers; managers get
        notes and free-text answers without the shopper's name or e-mail."""
        role = getattr(current_user, "role", None)
        for name, roles in RESTRICTED.items():
            if role not in roles:
                data.pop(name, None)
        if role not in NOTES_AS_WRITTEN and visit.shopper is not None:
            secrets = identity_words(visit.shopper.name, visit.shopper.email)
            checklist = visit.checklist_version.checklist
            texts = {item.id for _, item in checklist.items() if item.type is ItemType.TEXT}
            for answer in data.get("answers", []):
                answer["note"] = scrub(answer.get("note") or "", secrets)
                if answer.get("item_id") in texts and isinstance(answer.get("value"), str):
                    answer["value"] = scrub(answer["value"], secrets)
        return data


class VisitSummaryOut(Schema):
    id = fields.Integer()
    client_uuid = fields.UUID()
    location_id = fields.Integer()
    location_name = fields.String(attribute="location.name")
    status = fields.String()
    started_at = fields.DateTime()
    score = fields.Float(allow_none=True)
    passed = fields.Boolean()
    critical_failed = fields.Boolean()
    flag_count = fields.Function(
        lambda v: (
            len(v.flags) if getattr(current_user, "role", None) in ("admin", "reviewer") else None
        )
    )


class VisitQuery(StrictSchema):
    status = fields.String(
        load_default=None, validate=validate.OneOf(["submitted", "approved", "returned"])
    )
    location_id = fields.Integer(load_default=None, validate=validate.Range(1, MAX_ID))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000))


class ReturnIn(StrictSchema):
    comment = fields.String(required=True, validate=validate.Length(min=3, max=2000))


class CorrectionIn(StrictSchema):
    item_id = fields.String(required=True)
    value = fields.Raw(load_default=None, allow_none=True)
    na = fields.Boolean(load_default=False)
    reason = fields.String(required=True, validate=validate.Length(min=3, max=1000))


class AuditOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.Nested(ShopperOut, allow_none=True)
    action = fields.String()
    details = fields.Dict()
    summary = fields.String()


class LoginIn(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(
        required=True, validate=validate.Length(min=1, max=256), load_only=True
    )
    remember = fields.Boolean(
        load_default=False, metadata={"description": "Remember this phone (shoppers)"}
    )


class MeOut(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String()
    allow_adhoc = fields.Boolean()
    csrf_token = fields.String(metadata={"description": "Send as X-CSRFToken on writes"})


class CsrfOut(Schema):
    csrf_token = fields.String()


class AssignmentIn(StrictSchema):
    location_id = id_field(required=True)
    checklist_key = fields.String(required=True, validate=validate.Length(min=1, max=64))
    shopper_id = id_field(required=True)
    window_start = aware_datetime(required=True)
    window_end = aware_datetime(required=True)
    scenario = fields.String(load_default="", validate=validate.Length(max=2000))


class LocationBriefOut(Schema):
    """What a shopper needs to find a branch."""

    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    address = fields.String()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    timezone = fields.String()


class AssignmentOut(Schema):
    id = fields.Integer()
    location = fields.Nested(LocationBriefOut)
    checklist_key = fields.String()
    shopper = fields.Nested(ShopperOut)
    window_start = fields.DateTime()
    window_end = fields.DateTime()
    scenario = fields.String()
    status = fields.String()


class AreaOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class LocationOut(LocationBriefOut):
    language = fields.String()
    area = fields.Nested(AreaOut)


class ChecklistVersionOut(Schema):
    key = fields.String()
    version = fields.Integer()
    content_hash = fields.String()
    title = fields.String()
    created_at = fields.DateTime()


class ChecklistSummaryOut(Schema):
    key = fields.String(attribute="latest.key")
    version = fields.Integer(attribute="latest.version")
    content_hash = fields.String(attribute="latest.content_hash")
    title = fields.String(attribute="latest.title")
    created_at = fields.DateTime(attribute="latest.created_at")
    versions = fields.List(fields.Nested(ChecklistVersionOut))


class ChecklistDetailOut(ChecklistVersionOut):
    checklist = fields.Dict(
        attribute="snapshot",
        metadata={"description": "Sections, items and texts in every language"},
    )
