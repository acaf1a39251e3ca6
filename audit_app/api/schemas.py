"""API request and response schemas."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..checklists.model import EVENT_KINDS


class StrictSchema(Schema):
    """Unknown fields in a request are an error, not silently dropped."""


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
    shopper_ref = fields.String(required=True, validate=validate.Length(min=1, max=64))
    location_id = fields.Integer(required=True, strict=True)
    checklist_version = fields.String(
        required=True,
        validate=validate.Length(equal=64),
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


class VisitOut(Schema):
    id = fields.Integer()
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


class AreaOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class LocationOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    address = fields.String()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    timezone = fields.String()
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
