"""Load checklist files: parse YAML, validate, hash, build the frozen model."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from marshmallow import ValidationError

from .model import (
    Checklist,
    CriticalRule,
    Dimension,
    Item,
    ItemType,
    Option,
    PhotoRule,
    Section,
)
from .schema import ChecklistSchema


class ChecklistError(ValueError):
    """A checklist document is invalid; `errors` lists (field path, message) pairs."""

    def __init__(self, source: str, errors: list[tuple[str, str]]):
        self.source = source
        self.errors = errors
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [
            f"{self.source}: {path}: {msg}" if path else f"{self.source}: {msg}"
            for path, msg in self.errors
        ]


class _StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses duplicate keys instead of silently keeping the last."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}' (line {mark.line + 1})", mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def flatten_errors(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Flatten marshmallow's nested error dict into ('sections[2].items[0].points', msg) pairs."""
    if isinstance(messages, str):
        return [(prefix, _tidy(messages))]
    if isinstance(messages, list):
        out: list[tuple[str, str]] = []
        for message in messages:
            out.extend(flatten_errors(message, prefix))
        return out
    out = []
    for key, value in messages.items():
        if key == "_schema":
            path = prefix
        elif isinstance(key, int):
            path = f"{prefix}[{key}]"
        else:
            path = f"{prefix}.{key}" if prefix else str(key)
        out.extend(flatten_errors(value, path))
    return out


def _tidy(message: str) -> str:
    """Make marshmallow's built-in messages read like ours: lower-case, no full stop."""
    message = message.rstrip(".")
    if message == "Unknown field":
        return "unknown field (check the spelling)"
    if message == "Missing data for required field":
        return "is required"
    return message[:1].lower() + message[1:]


def validate_document(data: Any, source: str) -> dict[str, Any]:
    """Validate a parsed checklist document and return its normalised snapshot."""
    if not isinstance(data, Mapping):
        raise ChecklistError(
            source, [("", "the document must be a mapping (key, title, sections, ...)")]
        )
    try:
        return ChecklistSchema().load(data)
    except ValidationError as exc:
        raise ChecklistError(source, sorted(flatten_errors(exc.messages))) from None


def content_hash(snapshot: Mapping[str, Any]) -> str:
    """Return the sha256 of the canonical JSON form: the identity of a checklist version."""
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def parse_yaml(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ChecklistError(source, [(where, f"invalid YAML: {problem}")]) from None


def load_file(path: Path, display_name: str | None = None) -> Checklist:
    """Load and validate one checklist file."""
    source = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ChecklistError(source, [("", f"cannot read the file: {exc}")]) from None
    return from_snapshot(validate_document(parse_yaml(text, source), source))


def load_directory(directory: Path) -> list[Checklist]:
    """Load every *.yaml / *.yml file in a directory; all errors are collected."""
    checklists, errors = [], []
    for path in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        try:
            checklists.append(load_file(path, display_name=f"{directory.name}/{path.name}"))
        except ChecklistError as exc:
            errors.append(exc)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise MultiChecklistError(errors)
    keys = [c.key for c in checklists]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise ChecklistError(
            directory.name,
            [("key", f"used by more than one file: {k}") for k in sorted(duplicates)],
        )
    return checklists


class MultiChecklistError(ChecklistError):
    """Errors in several files."""

    def __init__(self, errors: list[ChecklistError]):
        self.source = ", ".join(e.source for e in errors)
        self.errors = [err for e in errors for err in e.errors]
        self._children = errors
        ValueError.__init__(self, "\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [line for e in self._children for line in e.lines()]


def from_snapshot(snapshot: Mapping[str, Any]) -> Checklist:
    """Build the frozen Checklist from a validated, normalised snapshot."""
    sections = tuple(
        Section(
            id=s["id"],
            title=s["title"],
            weight=s["weight"],
            items=tuple(_item(i) for i in s["items"]),
        )
        for s in snapshot["sections"]
    )
    return Checklist(
        key=snapshot["key"],
        title=snapshot["title"],
        description=snapshot.get("description", {}),
        languages=tuple(snapshot["languages"]),
        default_language=snapshot["default_language"],
        pass_mark=snapshot["pass_mark"],
        critical_rule=CriticalRule(snapshot["critical_rule"]),
        met_fraction=snapshot["met_fraction"],
        sections=sections,
        content_hash=content_hash(snapshot),
        snapshot=snapshot,
    )


def _item(data: Mapping[str, Any]) -> Item:
    scale = data.get("scale") or {}
    return Item(
        id=data["id"],
        text=data["text"],
        type=ItemType(data["type"]),
        points=data.get("points", 0.0),
        required=data["required"],
        na_allowed=data.get("na_allowed", False),
        critical=data.get("critical", False),
        photo=PhotoRule(data.get("photo", "none")),
        guidance=data.get("guidance", {}),
        dimension=Dimension(data["dimension"]) if data.get("dimension") else None,
        scale_min=scale.get("min"),
        scale_max=scale.get("max"),
        threshold_seconds=data.get("threshold_seconds"),
        from_event=data.get("from_event"),
        to_event=data.get("to_event"),
        options=tuple(Option(o["id"], o["text"], o["fraction"]) for o in data.get("options", [])),
    )


def load_snapshot(snapshot: Mapping[str, Any], source: str = "snapshot") -> Checklist:
    """Validate a stored or submitted snapshot and build its Checklist."""
    return from_snapshot(validate_document(snapshot, source))
