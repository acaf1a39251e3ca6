"""flask checklists validate|sync."""

from __future__ import annotations

from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import ChecklistVersion


def versions(app) -> list[tuple[str, int]]:
    with app.app_context():
        rows = db.session.execute(
            select(ChecklistVersion.key, ChecklistVersion.version).order_by(ChecklistVersion.id)
        ).all()
        db.session.remove()
    return [tuple(r) for r in rows]


def test_validate_reports_each_checklist(runner):
    result = runner.invoke(args=["checklists", "validate"])
    assert result.exit_code == 0, result.output
    assert "ok  mini  2 sections, 7 items" in result.output


def test_validate_bad_file_exits_nonzero_with_one_line_per_problem(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "key: bad\ntitle: Bad\nlanguages: [en]\npass_mark: 80\nsections:\n"
        "  - id: s\n    title: S\n    weight: 1\n    items:\n"
        "      - {id: a, text: A, type: yes_no, points: -2}\n"
    )
    result = runner.invoke(args=["checklists", "validate", str(bad)])
    assert result.exit_code == 1
    assert f"error: {bad}: sections[0].items[0].points: must be at least 0" in result.output


def test_sync_stores_new_versions_and_keeps_old_ones(app, runner, tmp_path):
    first = runner.invoke(args=["checklists", "sync"])
    again = runner.invoke(args=["checklists", "sync"])
    assert "new        mini v1" in first.output
    assert "unchanged  mini v1" in again.output

    changed = tmp_path / "mini.yaml"
    source = app.config["CHECKLISTS_DIR"] / "mini.yaml"
    changed.write_text(source.read_text().replace("pass_mark: 80", "pass_mark: 75"))
    third = runner.invoke(args=["checklists", "sync", str(changed)])

    assert third.exit_code == 0 and "new        mini v2" in third.output
    assert versions(app) == [("mini", 1), ("mini", 2)]


def test_sync_with_a_bad_file_stores_nothing(app, runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: bad\n")
    good = app.config["CHECKLISTS_DIR"] / "mini.yaml"
    result = runner.invoke(args=["checklists", "sync", str(good), str(bad)])
    assert result.exit_code == 1 and "bad.yaml: pass_mark: is required" in result.output
    assert versions(app) == []


def test_users_deactivate_and_activate(app, runner, make_user):
    make_user("shopper", email="cli@example.com")
    off = runner.invoke(args=["users", "deactivate", "cli@example.com"])
    on = runner.invoke(args=["users", "activate", "cli@example.com"])
    missing = runner.invoke(args=["users", "deactivate", "nobody@example.com"])
    assert off.output.strip() == "deactivated cli@example.com"
    assert on.output.strip() == "activated cli@example.com"
    assert missing.exit_code == 1 and "no user nobody@example.com" in missing.output
