"""Marshmallow schemas that validate a checklist document and normalise it to a snapshot."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from .model import EVENT_KINDS, CriticalRule, Dimension, ItemType, PhotoRule

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
slug = validate.Regexp(SLUG, error="must be lower-case letters, digits, '-' or '_' (max 64)")


def at_least(n: float) -> validate.Range:
    return validate.Range(min=n, error=f"must be at least {n:g}")


def between(lo: float, hi: float) -> validate.Range:
    return validate.Range(min=lo, max=hi, error=f"must be between {lo:g} and {hi:g}")


def one_of(choices: list[str]) -> validate.OneOf:
    return validate.OneOf(choices, error="must be one of: " + ", ".join(choices))


class TextField(fields.Field):
    """A text: either a plain string or a map language -> string."""

    def _deserialize(self, value: Any, attr, data, **kwargs):
        if isinstance(value, str):
            if not value.strip():
                raise ValidationError("must not be empty")
            return value.strip()
        if isinstance(value, dict) and value:
            out = {}
            for lang, text in value.items():
                if not isinstance(lang, str) or not LANGUAGE.match(lang):
                    raise ValidationError(f"'{lang}' is not a language code such as 'en' or 'ms'")
                if not isinstance(text, str) or not text.strip():
                    raise ValidationError(f"the '{lang}' text must be a non-empty string")
                out[lang] = text.strip()
            return out
        raise ValidationError("must be a string or a map of language code to string")


class BaseSchema(Schema):
    class Meta:
        unknown = RAISE


class ScaleSchema(BaseSchema):
    min = fields.Float(required=True)
    max = fields.Float(required=True)

    @validates_schema
    def max_above_min(self, data, **kwargs):
        if data["max"] <= data["min"]:
            raise ValidationError("must be greater than min", "max")


class OptionSchema(BaseSchema):
    id = fields.String(required=True, validate=slug)
    text = TextField(required=True)
    fraction = fields.Float(required=True, validate=between(0, 1))


TYPE_FIELDS = {
    "scale": ItemType.SCALE,
    "threshold_seconds": ItemType.TIMED,
    "from_event": ItemType.TIMED,
    "to_event": ItemType.TIMED,
    "options": ItemType.CHOICE,
}


class ItemSchema(BaseSchema):
    id = fields.String(required=True, validate=slug)
    text = TextField(required=True)
    type = fields.String(required=True, validate=one_of([t.value for t in ItemType]))
    points = fields.Float(load_default=0.0, validate=at_least(0))
    required = fields.Boolean(load_default=None)
    na_allowed = fields.Boolean(load_default=False)
    critical = fields.Boolean(load_default=False)
    photo = fields.String(load_default="none", validate=one_of([p.value for p in PhotoRule]))
    guidance = TextField(load_default=None)
    dimension = fields.String(load_default=None, validate=one_of([d.value for d in Dimension]))
    scale = fields.Nested(ScaleSchema, load_default=None)
    threshold_seconds = fields.Float(load_default=None, validate=at_least(1))
    from_event = fields.String(load_default=None, validate=one_of(list(EVENT_KINDS)))
    to_event = fields.String(load_default=None, validate=one_of(list(EVENT_KINDS)))
    options = fields.List(fields.Nested(OptionSchema), load_default=None)

    @validates_schema
    def type_rules(self, data, **kwargs):
        kind = data.get("type")
        errors: dict[str, list[str]] = {}
        for name, owner in TYPE_FIELDS.items():
            if data.get(name) is not None and kind != owner:
                errors.setdefault(name, []).append(f"only allowed on {owner.value} items")
        if kind == ItemType.SCALE and data.get("scale") is None:
            errors.setdefault("scale", []).append("scale items need scale: {min, max}")
        if kind == ItemType.TIMED:
            if data.get("threshold_seconds") is None:
                errors.setdefault("threshold_seconds", []).append("timed items need a threshold")
            start, end = data.get("from_event"), data.get("to_event")
            if (start is None) != (end is None):
                errors.setdefault("to_event" if end is None else "from_event", []).append(
                    "from_event and to_event go together"
                )
            elif start is not None and EVENT_KINDS.index(start) >= EVENT_KINDS.index(end):
                errors.setdefault("to_event", []).append(f"must come after from_event '{start}'")
        if kind == ItemType.CHOICE:
            self._check_options(data.get("options"), errors)
        if kind == ItemType.TEXT:
            if data.get("points"):
                errors.setdefault("points", []).append("text items are not scored: use 0")
            if data.get("critical"):
                errors.setdefault("critical", []).append("text items cannot be critical")
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _check_options(options, errors):
        if not options or len(options) < 2:
            errors.setdefault("options", []).append("choice items need at least 2 options")
            return
        seen: set[str] = set()
        for index, option in enumerate(options):
            if option["id"] in seen:
                errors.setdefault("options", []).append(
                    f"[{index}].id: duplicate option id '{option['id']}'"
                )
            seen.add(option["id"])
        if max(o["fraction"] for o in options) != 1:
            errors.setdefault("options", []).append("one option must have fraction 1")

    @post_load
    def defaults(self, data, **kwargs):
        if data["required"] is None:
            data["required"] = data["type"] != ItemType.TEXT
        return {k: v for k, v in data.items() if v is not None}


class SectionSchema(BaseSchema):
    id = fields.String(required=True, validate=slug)
    title = TextField(required=True)
    weight = fields.Float(
        required=True,
        validate=validate.Range(min=0, min_inclusive=False, error="must be greater than 0"),
    )
    items = fields.List(
        fields.Nested(ItemSchema),
        required=True,
        validate=validate.Length(min=1, error="must list at least one item"),
    )


class ChecklistSchema(BaseSchema):
    key = fields.String(required=True, validate=slug)
    title = TextField(required=True)
    description = TextField(load_default=None)
    languages = fields.List(
        fields.String(validate=validate.Regexp(LANGUAGE, error="must be a language code")),
        required=True,
        validate=validate.Length(min=1, error="must list at least one language"),
    )
    default_language = fields.String(load_default=None)
    pass_mark = fields.Float(required=True, validate=between(0, 100))
    critical_rule = fields.String(
        load_default="section", validate=one_of([r.value for r in CriticalRule])
    )
    met_fraction = fields.Float(
        load_default=0.75,
        validate=validate.Range(
            min=0, max=1, min_inclusive=False, error="must be above 0 and at most 1"
        ),
    )
    sections = fields.List(
        fields.Nested(SectionSchema),
        required=True,
        validate=validate.Length(min=1, error="must list at least one section"),
    )

    @validates_schema
    def unique_ids_and_languages(self, data, **kwargs):
        languages = data.get("languages") or []
        default = data.get("default_language") or (languages[0] if languages else None)
        errors: dict[str, Any] = {}
        if data.get("default_language") and default not in languages:
            errors["default_language"] = ["must be one of the checklist's languages"]
        sections_err: dict[int, Any] = {}
        seen_sections: dict[str, int] = {}
        seen_items: dict[str, str] = {}
        for s_index, section in enumerate(data.get("sections") or []):
            s_err: dict[str, Any] = {}
            if section["id"] in seen_sections:
                s_err["id"] = [f"duplicate section id '{section['id']}'"]
            seen_sections.setdefault(section["id"], s_index)
            self._check_text(section["title"], languages, default, s_err, "title")
            for i_index, item in enumerate(section["items"]):
                i_err: dict[str, Any] = {}
                where = f"sections[{s_index}].items[{i_index}]"
                if item["id"] in seen_items:
                    i_err["id"] = [
                        f"duplicate item id '{item['id']}' (first used at {seen_items[item['id']]})"
                    ]
                seen_items.setdefault(item["id"], where)
                for name in ("text", "guidance"):
                    self._check_text(item.get(name), languages, default, i_err, name)
                for o_index, option in enumerate(item.get("options") or []):
                    o_err: dict[str, Any] = {}
                    self._check_text(option["text"], languages, default, o_err, "text")
                    if o_err:
                        i_err.setdefault("options", {})[o_index] = o_err
                if i_err:
                    s_err.setdefault("items", {})[i_index] = i_err
            if s_err:
                sections_err[s_index] = s_err
        if sections_err:
            errors["sections"] = sections_err
        for name in ("title", "description"):
            self._check_text(data.get(name), languages, default, errors, name)
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _check_text(text, languages, default, errors, name):
        if text is None or isinstance(text, str) or not languages:
            return
        unknown = [lang for lang in text if lang not in languages]
        if unknown:
            errors[name] = [f"language '{unknown[0]}' is not in the checklist's languages"]
        elif default not in text:
            errors[name] = [f"needs a text in the default language '{default}'"]

    @post_load
    def normalise(self, data, **kwargs):
        """Turn plain-string texts into maps so every snapshot has one shape."""
        default = data.get("default_language") or data["languages"][0]
        data["default_language"] = default

        def as_map(text):
            return {default: text} if isinstance(text, str) else text

        for name in ("title", "description"):
            if data.get(name) is not None:
                data[name] = as_map(data[name])
        for section in data["sections"]:
            section["title"] = as_map(section["title"])
            for item in section["items"]:
                for name in ("text", "guidance"):
                    if name in item:
                        item[name] = as_map(item[name])
                for option in item.get("options", []):
                    option["text"] = as_map(option["text"])
        return {k: v for k, v in data.items() if v is not None}
