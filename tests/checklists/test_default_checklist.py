"""The shipped default checklist: complete, trilingual, covering the behavioural parameters."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from audit_app.checklists import ItemType, load_file

PATH = Path(__file__).parent.parent.parent / "checklists" / "service-standards.yaml"


@pytest.fixture(scope="module")
def checklist():
    return load_file(PATH)


def test_default_checklist_has_the_required_breadth(checklist):
    items = [item for _, item in checklist.items()]
    types = Counter(item.type for item in items)
    assert len(checklist.sections) >= 8
    assert len(items) >= 30
    assert sum(item.critical for item in items) >= 3
    assert types[ItemType.TIMED] >= 4
    assert types[ItemType.SCALE] >= 1 and types[ItemType.CHOICE] >= 1
    assert checklist.languages == ("en", "ms", "id")
    assert any(item.from_event == "entered" and item.to_event == "greeted" for item in items)


def test_every_text_exists_in_english_malay_and_indonesian(checklist):
    missing = []
    for section, item in checklist.items():
        texts = {"title": section.title, "text": item.text}
        if item.scored:
            texts["guidance"] = item.guidance
        texts.update({f"option {o.id}": o.text for o in item.options})
        for name, text in texts.items():
            for lang in ("en", "ms", "id"):
                if not text.get(lang):
                    missing.append(f"{item.id} {name} [{lang}]")
    assert missing == []


def test_every_scored_item_has_a_dimension(checklist):
    assert [i.id for _, i in checklist.items() if i.scored and i.dimension is None] == []
