"""flask photos cleanup: old approved visits' photo files deleted, rows marked, evidence under
review and images still used elsewhere kept, dry run, idempotence, and what users then see."""

from __future__ import annotations

import io
import itertools
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import AuditEntry, Photo, Visit
from tests.conftest import image_bytes

COLOURS = itertools.count(1)


@pytest.fixture
def shopper(login_as, photo_dir):
    return login_as("shopper", allow_adhoc=True)


@pytest.fixture
def reviewer(login_as):
    return login_as("reviewer")


@pytest.fixture
def visit_with_photo(shopper, reviewer, shop_payload):
    """Submit a visit started `days_ago` with one uploaded photo, then review it."""

    def make(days_ago: int, status: str = "approved", image: bytes | None = None) -> dict:
        n = next(COLOURS)
        data = image or image_bytes(color=(n * 37 % 256, n * 91 % 256, n * 13 % 256))
        photo = shopper.post(
            "/api/v1/photos",
            data={"uuid": str(uuid.uuid4()), "file": (io.BytesIO(data), "photo.jpg")},
            content_type="multipart/form-data",
        ).json
        started = datetime.now(UTC) - timedelta(days=days_ago)
        body = shop_payload([photo["uuid"]], started_at=started.isoformat())
        visit = shopper.post("/api/v1/visits", json=body)
        assert visit.status_code == 201, visit.json
        visit_id = visit.json["id"]
        if status == "approved":
            assert reviewer.post(f"/api/v1/visits/{visit_id}/approve").status_code == 200
        elif status == "returned":
            returned = reviewer.post(
                f"/api/v1/visits/{visit_id}/return", json={"comment": "Blurred photo"}
            )
            assert returned.status_code == 200
        return {**photo, "visit_id": visit_id}

    return make


def files_of(photo_dir: Path, photo: dict) -> list[Path]:
    sha = photo["sha256"]
    return [photo_dir / kind / sha[:2] / f"{sha}.jpg" for kind in ("full", "thumbs")]


def removed_at(app, photo: dict):
    with app.app_context():
        value = db.session.get(Photo, photo["id"]).removed_at
        db.session.remove()
    return value


def audit_entries(app) -> list[AuditEntry]:
    with app.app_context():
        entries = list(
            db.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "photo.retention_remove")
            )
        )
        db.session.remove()
    return entries


def cleanup(runner, *args: str):
    return runner.invoke(args=["photos", "cleanup", *args])


def test_old_approved_visit_loses_its_photo_files_and_the_row_is_marked(
    app, runner, photo_dir, visit_with_photo
):
    old = visit_with_photo(days_ago=400)
    assert all(p.is_file() for p in files_of(photo_dir, old))

    result = cleanup(runner, "--older-than", "365")

    assert result.exit_code == 0, result.output
    assert "removed 1 photo(s) of 1 approved visit(s)" in result.output
    assert "deleted 2 file(s)" in result.output
    assert not any(p.exists() for p in files_of(photo_dir, old))
    assert removed_at(app, old) is not None
    [entry] = audit_entries(app)
    assert entry.details["photos"] == 1 and entry.details["files_deleted"] == 2
    assert entry.details["older_than_days"] == 365 and entry.ip == "cli"


def test_recent_visits_and_visits_under_review_keep_their_photos(
    app, runner, photo_dir, visit_with_photo
):
    recent = visit_with_photo(days_ago=30)
    submitted = visit_with_photo(days_ago=400, status="submitted")
    returned = visit_with_photo(days_ago=400, status="returned")

    result = cleanup(runner, "--older-than", "365")

    assert result.exit_code == 0, result.output
    assert "removed 0 photo(s)" in result.output
    for photo in (recent, submitted, returned):
        assert all(p.is_file() for p in files_of(photo_dir, photo))
        assert removed_at(app, photo) is None
    assert audit_entries(app) == []


def test_an_image_still_used_by_a_newer_visit_is_kept_until_that_one_expires(
    app, runner, photo_dir, visit_with_photo
):
    image = image_bytes(color=(9, 99, 199))
    old = visit_with_photo(days_ago=400, image=image)
    newer = visit_with_photo(days_ago=30, image=image)
    assert old["sha256"] == newer["sha256"] and old["id"] != newer["id"]

    first = cleanup(runner, "--older-than", "365")

    assert first.exit_code == 0, first.output
    assert "removed 1 photo(s)" in first.output and "deleted 0 file(s)" in first.output
    assert "kept 1 image(s) still used by other photos" in first.output
    assert removed_at(app, old) is not None and removed_at(app, newer) is None
    assert all(p.is_file() for p in files_of(photo_dir, newer))
    with app.app_context():  # the report's visit log leaves the removed one out
        from audit_app.reports.data import visit_inputs

        rows, _ = visit_inputs([db.session.get(Visit, v["visit_id"]) for v in (old, newer)], UTC)
        assert [len(row.photos) for row in rows] == [0, 1]
        db.session.remove()

    later = cleanup(runner, "--older-than", "20")

    assert later.exit_code == 0, later.output
    assert "removed 1 photo(s)" in later.output and "deleted 2 file(s)" in later.output
    assert not any(p.exists() for p in files_of(photo_dir, newer))


def test_a_dry_run_counts_and_changes_nothing(app, runner, photo_dir, visit_with_photo):
    old = visit_with_photo(days_ago=400)
    visit_with_photo(days_ago=30)

    result = cleanup(runner, "--older-than", "365", "--dry-run")

    assert result.exit_code == 0, result.output
    assert "dry run: would remove 1 photo(s) of 1 approved visit(s)" in result.output
    assert "would delete 2 file(s)" in result.output
    assert all(p.is_file() for p in files_of(photo_dir, old))
    assert removed_at(app, old) is None
    assert audit_entries(app) == []


def test_running_it_again_removes_nothing_more(app, runner, photo_dir, visit_with_photo):
    old = visit_with_photo(days_ago=400)
    kept = visit_with_photo(days_ago=30)
    assert cleanup(runner, "--older-than", "365").exit_code == 0
    first_mark = removed_at(app, old)

    again = cleanup(runner, "--older-than", "365")

    assert again.exit_code == 0, again.output
    assert "removed 0 photo(s) of 0 approved visit(s)" in again.output
    assert "deleted 0 file(s)" in again.output
    assert removed_at(app, old) == first_mark
    assert all(p.is_file() for p in files_of(photo_dir, kept))
    assert len(audit_entries(app)) == 1


def test_the_retention_period_comes_from_the_configuration(
    app, runner, photo_dir, visit_with_photo, monkeypatch
):
    old = visit_with_photo(days_ago=400)

    monkeypatch.setitem(app.config, "PHOTO_RETENTION_DAYS", 0)
    off = cleanup(runner)
    assert off.exit_code == 0 and "photos are kept" in off.output
    assert all(p.is_file() for p in files_of(photo_dir, old))

    monkeypatch.setitem(app.config, "PHOTO_RETENTION_DAYS", 365)
    on = cleanup(runner)
    assert on.exit_code == 0 and "(older than 365 days)" in on.output
    assert not any(p.exists() for p in files_of(photo_dir, old))

    monkeypatch.setitem(app.config, "PHOTO_RETENTION_DAYS", -5)
    negative = cleanup(runner)
    assert negative.exit_code == 1
    assert "error: PHOTO_RETENTION_DAYS: -5 is negative" in negative.output


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-3", "must be a number of days, at least 1 (got -3)"),
        ("0", "must be a number of days, at least 1 (got 0)"),
        ("ninety", "'ninety' is not a valid integer"),
        ("1.5", "'1.5' is not a valid integer"),
    ],
)
def test_a_bad_older_than_is_a_clear_error(app, runner, value, message):
    result = cleanup(runner, "--older-than", value)

    assert result.exit_code == 2
    assert "Invalid value for '--older-than'" in result.output and message in result.output


def test_removed_photos_show_a_placeholder_and_pages_still_work(
    app, runner, shopper, reviewer, login_as, visit_with_photo, tmp_path
):
    old = visit_with_photo(days_ago=400)
    assert cleanup(runner, "--older-than", "365").exit_code == 0

    # an <img> gets a placeholder image saying why; an API client gets JSON
    thumb = reviewer.get(
        f"/api/v1/photos/{old['id']}/thumbnail", headers={"Accept": "image/webp,image/*,*/*;q=0.8"}
    )
    assert thumb.status_code == 410 and thumb.mimetype == "image/svg+xml"
    assert b"Photo removed under the retention policy" in thumb.data
    full = reviewer.get(f"/api/v1/photos/{old['id']}", headers={"Accept": "application/json"})
    assert full.status_code == 410
    assert "photo removed under the retention policy" in full.json["message"]
    visit = reviewer.get(f"/api/v1/visits/{old['visit_id']}").json
    assert visit["photos"][0]["removed_at"] is not None

    admin = login_as("admin")
    page = admin.get(f"/dashboard/visits/{old['visit_id']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"/api/v1/photos/{old['id']}/thumbnail" not in html  # no broken image, and says why
    assert "Photo removed under the retention policy" in html
    started = datetime.now(UTC) - timedelta(days=400)
    with app.app_context():
        location_id = db.session.get(Visit, old["visit_id"]).location_id
        db.session.remove()
    report = admin.get(f"/locations/{location_id}/report.pdf?period={started:%Y-%m}")
    assert report.status_code == 200 and report.data.startswith(b"%PDF-")
    from tests.reports.conftest import pdf_text

    assert "Photos removed under the retention policy: 1" in pdf_text(report.data, tmp_path)


def test_uploading_a_removed_image_again_stores_its_files_again(
    app, runner, photo_dir, visit_with_photo
):
    image = image_bytes(color=(3, 30, 130))
    old = visit_with_photo(days_ago=400, image=image)
    assert cleanup(runner, "--older-than", "365").exit_code == 0
    assert not any(p.exists() for p in files_of(photo_dir, old))

    again = visit_with_photo(days_ago=1, image=image)

    assert again["sha256"] == old["sha256"]
    assert all(p.is_file() for p in files_of(photo_dir, again))
