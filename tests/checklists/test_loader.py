"""Loading checklist files: normalisation, versions and clear errors naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from audit_app.checklists import ChecklistError, ItemType, load_directory, load_file
from audit_app.checklists.model import Dimension

FIXTURES = Path(__file__).parent.parent / "fixtures"
MINI = yaml.safe_load((FIXTURES / "mini.yaml").read_text())


def write(tmp_path: Path, doc, name: str = "x.yaml") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc, allow_unicode=True))
    return path


def mini(**changes) -> dict:
    doc = yaml.safe_load(yaml.safe_dump(MINI))
    doc.update(changes)
    return doc


def error_lines(path: Path) -> list[str]:
    with pytest.raises(ChecklistError) as caught:
        load_file(path, display_name=f"checklists/{path.name}")
    return caught.value.lines()


def test_mini_checklist_loads_into_frozen_model():
    checklist = load_file(FIXTURES / "mini.yaml")
    assert [s.id for s in checklist.sections] == ["conduct", "speed"]
    greeted = checklist.item("greeted")
    assert greeted.type is ItemType.YES_NO and greeted.points == 4.0
    assert greeted.dimension is Dimension.RESPONSIVENESS
    assert greeted.text == {"en": "Greeted within 10 seconds", "ms": "Disapa dalam 10 saat"}
    # plain strings become a map in the default language
    assert checklist.sections[0].title == {"en": "Conduct"}
    assert checklist.item("comments").required is False
    assert checklist.item("rude").required is True
    with pytest.raises(AttributeError):
        greeted.points = 1  # frozen


def test_content_hash_is_the_version_identity(tmp_path):
    base = load_file(FIXTURES / "mini.yaml")
    same = load_file(write(tmp_path, mini()))
    changed = mini()
    changed["sections"][0]["items"][0]["points"] = 5
    assert base.content_hash == same.content_hash
    assert load_file(write(tmp_path, changed, "y.yaml")).content_hash != base.content_hash
    # integer vs float spelling of a number is the same content
    floats = mini(pass_mark=80.0)
    assert load_file(write(tmp_path, floats, "z.yaml")).content_hash == base.content_hash


def _set(path_fn):
    doc = mini()
    path_fn(doc)
    return doc


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["sections"][1]["items"][0].update(points=-1),
            "checklists/x.yaml: sections[1].items[0].points: must be at least 0",
        ),
        (
            lambda d: d["sections"][0]["items"][1].update(id="greeted"),
            "checklists/x.yaml: sections[0].items[1].id: duplicate item id 'greeted' "
            "(first used at sections[0].items[0])",
        ),
        (
            lambda d: d["sections"][0]["items"][0].update(type="stars"),
            "checklists/x.yaml: sections[0].items[0].type: must be one of: yes_no, scale, timed, "
            "choice, text",
        ),
        (
            lambda d: d["sections"][0]["items"][0].update(colour="red"),
            "checklists/x.yaml: sections[0].items[0].colour: unknown field (check the spelling)",
        ),
        (
            lambda d: d["sections"][0]["items"][2].pop("scale"),
            "checklists/x.yaml: sections[0].items[2].scale: scale items need scale: {min, max}",
        ),
        (
            lambda d: d["sections"][0]["items"][2].update(scale={"min": 5, "max": 1}),
            "checklists/x.yaml: sections[0].items[2].scale.max: must be greater than min",
        ),
        (
            lambda d: d["sections"][1]["items"][0].update(to_event="entered"),
            "checklists/x.yaml: sections[1].items[0].to_event: must come after from_event "
            "'entered'",
        ),
        (
            lambda d: d["sections"][1]["items"][1]["options"][0].update(fraction=0.9),
            "checklists/x.yaml: sections[1].items[1].options: one option must have fraction 1",
        ),
        (
            lambda d: d["sections"][1]["items"][2].update(critical=True),
            "checklists/x.yaml: sections[1].items[2].critical: text items cannot be critical",
        ),
        (
            lambda d: d["sections"][0].update(weight=0),
            "checklists/x.yaml: sections[0].weight: must be greater than 0",
        ),
        (
            lambda d: d["sections"][0]["items"][0].update(text={"fr": "Bonjour"}),
            "checklists/x.yaml: sections[0].items[0].text: language 'fr' is not in the "
            "checklist's languages",
        ),
        (
            lambda d: d["sections"][0]["items"][0].update(text={"ms": "Disapa"}),
            "checklists/x.yaml: sections[0].items[0].text: needs a text in the default "
            "language 'en'",
        ),
        (lambda d: d.pop("pass_mark"), "checklists/x.yaml: pass_mark: is required"),
        (
            lambda d: d.update(pass_mark=120),
            "checklists/x.yaml: pass_mark: must be between 0 and 100",
        ),
        (
            lambda d: d.update(critical_rule="branch"),
            "checklists/x.yaml: critical_rule: must be one of: section, visit",
        ),
        (
            lambda d: d["sections"][0]["items"][0].update(threshold_seconds=30),
            "checklists/x.yaml: sections[0].items[0].threshold_seconds: only allowed on timed "
            "items",
        ),
    ],
)
def test_bad_field_gives_one_line_naming_file_and_path(tmp_path, change, expected):
    assert expected in error_lines(write(tmp_path, _set(change)))


def test_duplicate_yaml_keys_are_refused(tmp_path):
    text = (
        (FIXTURES / "mini.yaml")
        .read_text()
        .replace("pass_mark: 80", "pass_mark: 80\npass_mark: 70")
    )
    (line,) = error_lines(write(tmp_path, text))
    assert line.startswith("checklists/x.yaml: line ") and "duplicate key 'pass_mark'" in line


def test_invalid_yaml_names_line_and_column(tmp_path):
    (line,) = error_lines(write(tmp_path, "key: x\nsections: [\n  - {id: a\n"))
    assert line.startswith("checklists/x.yaml: line ") and "invalid YAML" in line


def test_document_that_is_not_a_mapping_is_refused(tmp_path):
    (line,) = error_lines(write(tmp_path, "- just\n- a list\n"))
    assert line == "checklists/x.yaml: the document must be a mapping (key, title, sections, ...)"


def test_directory_collects_errors_from_every_file(tmp_path):
    write(tmp_path, mini(pass_mark=-1), "a.yaml")
    write(tmp_path, mini(key="other", critical_rule="x"), "b.yaml")
    with pytest.raises(ChecklistError) as caught:
        load_directory(tmp_path)
    lines = caught.value.lines()
    assert any(line.startswith(f"{tmp_path.name}/a.yaml: pass_mark") for line in lines)
    assert any(line.startswith(f"{tmp_path.name}/b.yaml: critical_rule") for line in lines)


def test_two_files_with_the_same_key_are_refused(tmp_path):
    write(tmp_path, mini(), "a.yaml")
    write(tmp_path, mini(pass_mark=70), "b.yaml")
    with pytest.raises(ChecklistError, match="used by more than one file: mini"):
        load_directory(tmp_path)
