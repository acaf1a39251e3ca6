"""flask db backup / restore: every visit, answer, photo file and log entry comes back."""

from __future__ import annotations

import tarfile

from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import Answer, AuditEntry, SectionScore, User, Visit, VisitEvent


def snapshot(app) -> dict:
    with app.app_context():
        out = {
            "visits": db.session.execute(
                select(Visit.id, Visit.client_uuid, Visit.score, Visit.status).order_by(Visit.id)
            ).all(),
            "answers": db.session.execute(
                select(Answer.visit_id, Answer.item_id, Answer.value, Answer.note).order_by(
                    Answer.id
                )
            ).all(),
            "sections": db.session.execute(
                select(SectionScore.visit_id, SectionScore.percent).order_by(SectionScore.id)
            ).all(),
            "events": db.session.execute(
                select(VisitEvent.kind, VisitEvent.at).order_by(VisitEvent.id)
            ).all(),
            "audit": db.session.execute(
                select(AuditEntry.action, AuditEntry.target_id).order_by(AuditEntry.id)
            ).all(),
            "users": db.session.execute(
                select(User.email, User.password_hash).order_by(User.id)
            ).all(),
        }
        db.session.remove()
    return out


def wipe(app, photos):
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
    for path in photos.rglob("*"):
        if path.is_file():
            path.unlink()


def test_backup_and_restore_round_trip(app, runner, login_as, visit_payload, tmp_path):
    photos = tmp_path / "photos"
    (photos / "ab").mkdir(parents=True)
    (photos / "ab" / "abcdef.jpg").write_bytes(b"\xff\xd8 pretend jpeg")
    app.config["PHOTO_DIR"] = str(photos)
    try:
        shopper = login_as("shopper", allow_adhoc=True)
        for _ in range(3):
            assert shopper.post("/api/v1/visits", json=visit_payload()).status_code == 201
        before = snapshot(app)
        assert len(before["visits"]) == 3 and before["audit"]

        archive = tmp_path / "backup.tar.gz"
        made = runner.invoke(args=["db", "backup", "--out", str(archive)])
        assert made.exit_code == 0, made.output
        assert "1 files" in made.output
        with tarfile.open(archive) as tar:
            names = tar.getnames()
        assert "manifest.json" in names and "files/ab/abcdef.jpg" in names

        wipe(app, photos)
        assert snapshot(app)["visits"] == []
        restored = runner.invoke(args=["db", "restore", str(archive), "--yes"])
        assert restored.exit_code == 0, restored.output
        assert "row counts match" in restored.output
        assert snapshot(app) == before
        assert (photos / "ab" / "abcdef.jpg").read_bytes() == b"\xff\xd8 pretend jpeg"
    finally:
        app.config.pop("PHOTO_DIR", None)


def test_restore_of_a_broken_archive_changes_nothing(
    app, runner, login_as, visit_payload, tmp_path
):
    shopper = login_as("shopper", allow_adhoc=True)
    shopper.post("/api/v1/visits", json=visit_payload())
    before = snapshot(app)
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"this is not an archive")
    result = runner.invoke(args=["db", "restore", str(broken), "--yes"])
    assert result.exit_code == 1
    assert "not a readable backup archive" in result.output
    assert snapshot(app) == before
