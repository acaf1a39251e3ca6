"""The scoring engine: worked examples and properties that must hold for any answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_app.checklists import ItemType, load_file
from audit_app.checklists.loader import from_snapshot
from audit_app.scoring import Answer, score

ROOT = Path(__file__).parent.parent
MINI = load_file(ROOT / "tests" / "fixtures" / "mini.yaml")
DEFAULT = load_file(ROOT / "checklists" / "service-standards.yaml")

ALL_GOOD = {
    "greeted": Answer(True),
    "name_used": Answer(True),
    "warmth": Answer(5),
    "rude": Answer(True),
    "time_to_greeting": Answer(12),
    "farewell": Answer("personal"),
    "comments": Answer("lovely"),
}


def with_(**changes) -> dict[str, Answer]:
    return {**ALL_GOOD, **changes}


def test_perfect_visit_scores_100_and_passes():
    result = score(MINI, ALL_GOOD)
    assert result.percent == 100 and result.passed and not result.critical_failed


def test_worked_example_with_scale_choice_and_na():
    # conduct: greeted 4 + name N/A + warmth 4 x (3-1)/(5-1) = 2 + rude 5 -> 11 of 13
    result = score(
        MINI,
        with_(
            name_used=Answer(na=True),
            warmth=Answer(3),
            farewell=Answer("scripted"),
            time_to_greeting=Answer(31),
        ),
    )
    conduct, speed = result.sections
    assert (conduct.earned, conduct.possible) == (11, 13)  # 4 + 2 + 5 of 4 + 4 + 5
    assert conduct.percent == pytest.approx(1100 / 13)
    assert (speed.earned, speed.possible) == (1, 5)  # 31 s misses 30 s; scripted = half of 2
    assert speed.percent == pytest.approx(20)
    assert result.percent == pytest.approx((2 * 1100 / 13 + 20) / 3)
    assert result.passed is False
    assert result.item("name_used").possible == 0 and result.item("name_used").met is None
    assert result.item("warmth").fraction == 0.5 and result.item("warmth").met is False


def test_timed_item_at_the_threshold_earns_the_points():
    assert score(MINI, with_(time_to_greeting=Answer(30))).item("time_to_greeting").earned == 3


def test_section_with_nothing_possible_has_no_score_and_is_left_out():
    only_text = from_snapshot(
        {
            **MINI.snapshot,
            "sections": [
                MINI.snapshot["sections"][0],
                {
                    "id": "notes",
                    "title": {"en": "Notes"},
                    "weight": 5,
                    "items": [
                        {
                            "id": "comments",
                            "text": {"en": "c"},
                            "type": "text",
                            "points": 0.0,
                            "required": False,
                        }
                    ],
                },
            ],
        }
    )
    result = score(only_text, ALL_GOOD)
    assert result.section("notes").percent is None
    assert result.percent == 100  # the weight-5 notes section does not dilute the score


def test_failed_critical_zeroes_section_by_default():
    result = score(MINI, with_(rude=Answer(False)))
    assert result.section("conduct").percent == 0 and result.section("speed").percent == 100
    assert result.percent == pytest.approx(100 / 3)
    assert result.critical_failed and not result.passed


def test_failed_critical_zeroes_visit_when_the_checklist_says_so():
    strict = from_snapshot({**MINI.snapshot, "critical_rule": "visit"})
    result = score(strict, with_(rude=Answer(False)))
    assert result.percent == 0 and not result.passed


def test_visit_exactly_at_pass_mark_passes():
    # conduct 100, speed 40 (timed missed, farewell personal: 2 of 5) -> (200 + 40) / 3 = 80
    result = score(MINI, with_(time_to_greeting=Answer(45)))
    assert result.percent == pytest.approx(80)
    assert result.passed


def test_all_na_gives_no_score_and_no_pass():
    result = score(MINI, {})
    assert result.percent is None and not result.passed


# ---- properties, over the default checklist -------------------------------------------------


def answer_for(item):
    """A strategy producing any valid answer for an item (N/A where allowed)."""
    match item.type:
        case ItemType.YES_NO:
            value = st.booleans()
        case ItemType.SCALE:
            value = st.integers(int(item.scale_min), int(item.scale_max))
        case ItemType.TIMED:
            value = st.floats(0, 3600, allow_nan=False)
        case ItemType.CHOICE:
            value = st.sampled_from([o.id for o in item.options])
        case _:
            value = st.text(max_size=20)
    answers = value.map(Answer)
    return st.one_of(answers, st.just(Answer(na=True))) if item.na_allowed else answers


ITEMS = [item for _, item in DEFAULT.items()]
visits = st.fixed_dictionaries({item.id: answer_for(item) for item in ITEMS})


@settings(max_examples=200, deadline=None)
@given(visits)
def test_score_is_always_between_0_and_100(answers):
    result = score(DEFAULT, answers)
    assert result.percent is None or 0 <= result.percent <= 100
    for section in result.sections:
        assert section.percent is None or 0 <= section.percent <= 100


@settings(max_examples=200, deadline=None)
@given(visits, st.data())
def test_na_items_never_change_the_results_of_others(answers, data):
    optional = [i for i in ITEMS if i.na_allowed]
    target = data.draw(st.sampled_from(optional))
    before = score(DEFAULT, {**answers, target.id: Answer(na=True)})
    after = score(DEFAULT, {**answers, target.id: data.draw(answer_for(target))})
    for a, b in zip(before.items, after.items, strict=True):
        if a.item_id != target.id:
            assert a == b


def better(item, answer: Answer) -> st.SearchStrategy[Answer]:
    """Answers for an item that earn at least as much as the given one."""
    if item.type is ItemType.YES_NO:
        return st.just(Answer(True))
    if item.type is ItemType.SCALE:
        return st.integers(int(answer.value), int(item.scale_max)).map(Answer)
    if item.type is ItemType.TIMED:
        return st.floats(0, answer.value).map(Answer)
    if item.type is ItemType.CHOICE:
        now = item.option(answer.value).fraction
        return st.sampled_from([o.id for o in item.options if o.fraction >= now]).map(Answer)
    return st.just(answer)


@settings(max_examples=300, deadline=None)
@given(visits, st.data())
def test_raising_one_answer_never_lowers_the_score(answers, data):
    candidates = [i for i in ITEMS if i.scored and not answers[i.id].na]
    item = data.draw(st.sampled_from(candidates))
    raised = {**answers, item.id: data.draw(better(item, answers[item.id]))}
    before, after = score(DEFAULT, answers), score(DEFAULT, raised)
    assert after.percent >= before.percent - 1e-9
    assert after.passed or not before.passed


@settings(max_examples=200, deadline=None)
@given(visits, st.data())
def test_a_failed_critical_item_always_fails_the_visit(answers, data):
    critical = data.draw(st.sampled_from([i for i in ITEMS if i.critical]))
    result = score(DEFAULT, {**answers, critical.id: Answer(False)})
    assert result.critical_failed and not result.passed
    assert result.item(critical.id).critical_failed
