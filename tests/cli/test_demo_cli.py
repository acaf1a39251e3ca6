"""flask demo seed: deterministic and realistic demo data."""

from __future__ import annotations

from sqlalchemy import func, select

from audit_app.extensions import db
from audit_app.models import Location, Visit, VisitStatus


def snapshot(app):
    with app.app_context():
        visits = db.session.execute(
            select(Visit.client_uuid, Visit.score, Visit.status, Visit.started_at).order_by(
                Visit.client_uuid
            )
        ).all()
        locations = db.session.scalar(select(func.count(Location.id)))
        db.session.remove()
    return locations, [tuple(v) for v in visits]


def wipe(app):
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


def test_same_seed_gives_the_same_data(app, runner):
    args = [
        "demo",
        "seed",
        "--seed",
        "3",
        "--locations",
        "6",
        "--months",
        "3",
        "--until",
        "2026-10",
    ]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "6 locations" in first.output
    one = snapshot(app)
    wipe(app)
    runner.invoke(args=args)
    assert snapshot(app) == one


def test_demo_data_has_variation_reviews_and_critical_failures(app, runner):
    runner.invoke(
        args=[
            "demo",
            "seed",
            "--seed",
            "1",
            "--locations",
            "12",
            "--months",
            "6",
            "--until",
            "2026-10",
        ]
    )
    with app.app_context():
        statuses = dict(
            db.session.execute(select(Visit.status, func.count()).group_by(Visit.status)).all()
        )
        scores = db.session.scalars(select(Visit.score)).all()
        critical = db.session.scalar(select(func.count()).where(Visit.critical_failed))
    assert statuses[VisitStatus.APPROVED] > statuses.get(VisitStatus.SUBMITTED, 0) > 0
    assert critical > 0
    assert max(scores) - min(scores) > 40  # steady and weak branches differ


def test_if_empty_does_nothing_when_visits_exist(runner):
    runner.invoke(args=["demo", "seed", "--locations", "2", "--months", "1"])
    result = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert "nothing to do" in result.output


def test_bad_month_is_a_clear_error(runner):
    result = runner.invoke(args=["demo", "seed", "--until", "October"])
    assert result.exit_code != 0 and "'October' is not a month like 2026-10" in result.output


def test_evidence_adds_photos_and_flags_but_the_same_scores(app, runner, monkeypatch):
    from tests.conftest import ROOT

    # the default checklist: its standards ask for or allow photos (the test one does not)
    monkeypatch.setitem(app.config, "CHECKLISTS_DIR", ROOT / "checklists")
    args = ["demo", "seed", "--seed", "5", "--locations", "12", "--months", "6"]
    args += ["--until", "2026-10"]
    plain = runner.invoke(args=[*args, "--no-evidence"])
    assert plain.exit_code == 0, plain.output
    without = snapshot(app)
    wipe(app)
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert snapshot(app) == without  # the same visits, answers and scores
    from audit_app.models import Photo
    from audit_app.services.photos import photo_path

    with app.app_context():
        photos = db.session.scalars(select(Photo)).all()
        flags = [f["code"] for v in db.session.scalars(select(Visit.flags)) for f in v]
        assert photos and all(p.visit_id is not None for p in photos)
        assert all(photo_path(p.sha256, thumbnail=True).is_file() for p in photos)
        db.session.remove()
    assert f"({len(photos)} with a photo)" in result.output
    assert "far_from_branch" in flags and "photo_reused" in flags
