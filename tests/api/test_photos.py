"""POST/GET /api/v1/photos: sniffed types, EXIF removed, idempotent by UUID, atomic storage;
photos linked to answers at submission, photo rules, and the reused-photo evidence flag."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from PIL import Image
from sqlalchemy import func, select

from audit_app.extensions import db
from audit_app.models import Photo, Visit
from tests.conftest import image_bytes, requests_login


@pytest.fixture
def shopper(login_as, photo_dir):
    return login_as("shopper", allow_adhoc=True)


def upload(client, data: bytes, photo_uuid: str | None = None, name: str = "photo.jpg"):
    return client.post(
        "/api/v1/photos",
        data={"uuid": photo_uuid or str(uuid.uuid4()), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def stored_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def count_photos(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Photo))
        db.session.remove()
    return count


# ---- upload ----------------------------------------------------------------------------


def test_photo_is_stored_by_content_hash_without_exif_and_downscaled(shopper, photo_dir):
    response = upload(shopper, image_bytes(size=(2400, 1800)))

    assert response.status_code == 201, response.json
    body = response.json
    assert (body["width"], body["height"]) == (1600, 1200)
    assert body["original_format"] == "JPEG" and body["content_type"] == "image/jpeg"
    full = photo_dir / "full" / body["sha256"][:2] / f"{body['sha256']}.jpg"
    assert hashlib.sha256(full.read_bytes()).hexdigest() == body["sha256"]
    with Image.open(full) as stored:
        assert stored.format == "JPEG" and stored.size == (1600, 1200)
        assert not stored.getexif() and "exif" not in stored.info
    thumb = photo_dir / "thumbs" / body["sha256"][:2] / f"{body['sha256']}.jpg"
    with Image.open(thumb) as small:
        assert max(small.size) == 320
    assert not [p for p in stored_files(photo_dir) if p.name.startswith(".upload-")]


def test_the_same_photo_again_returns_the_stored_one(shopper, app):
    photo_uuid = str(uuid.uuid4())
    data = image_bytes()
    first = upload(shopper, data, photo_uuid)
    again = upload(shopper, data, photo_uuid)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert count_photos(app) == 1


def test_the_same_uuid_with_other_bytes_is_a_conflict(shopper, app):
    photo_uuid = str(uuid.uuid4())
    upload(shopper, image_bytes(color=(1, 2, 3)), photo_uuid)
    response = upload(shopper, image_bytes(color=(200, 200, 200)), photo_uuid)

    assert response.status_code == 409
    assert "different content" in response.json["message"]
    assert count_photos(app) == 1


def test_concurrent_uploads_of_one_photo_store_one_row(app, make_user, live_server, photo_dir):
    make_user("shopper", email="racer@example.com")
    session = requests_login(live_server, "racer@example.com")
    photo_uuid, data = str(uuid.uuid4()), image_bytes(size=(1200, 900))
    statuses, barrier = [], threading.Barrier(6)

    def send():
        local = requests.Session()
        local.cookies.update(session.cookies)
        local.headers.update(session.headers)
        barrier.wait()
        r = local.post(
            f"{live_server}/api/v1/photos",
            data={"uuid": photo_uuid},
            files={"file": ("p.jpg", data, "image/jpeg")},
            timeout=30,
        )
        statuses.append(r.status_code)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] * 5 + [201]
    assert count_photos(app) == 1


@pytest.mark.parametrize(
    ("fmt", "mode"),
    [("PNG", "RGB"), ("PNG", "RGBA"), ("WEBP", "RGB")],
    ids=["png", "alpha", "webp"],
)
def test_png_and_webp_are_accepted_and_stored_as_jpeg(shopper, photo_dir, fmt, mode):
    response = upload(shopper, image_bytes(fmt, mode=mode), name="x.bin")

    assert response.status_code == 201, response.json
    assert response.json["original_format"] == fmt
    [full] = [p for p in stored_files(photo_dir) if "full" in p.parts]
    with Image.open(full) as stored:
        assert stored.format == "JPEG" and stored.mode == "RGB"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a" + b"\x00" * 100, "must be a JPEG, PNG or WebP image"),
        (image_bytes("GIF", exif=False), "must be a JPEG, PNG or WebP image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "must be a JPEG, PNG or WebP image"),
        (b"", "the file is empty"),
        (image_bytes(size=(400, 300))[:600], "damaged"),
    ],
    ids=["fake-gif", "gif", "svg", "empty", "truncated"],
)
def test_what_is_not_a_usable_image_is_refused_and_nothing_stored(
    shopper, app, photo_dir, data, message
):
    response = upload(shopper, data, name="looks-like.jpg")

    assert response.status_code == 422
    assert message in response.json["errors"]["json"]["file"][0]
    assert count_photos(app) == 0 and stored_files(photo_dir) == []


def test_photo_over_the_size_or_pixel_limit_is_refused(shopper, app, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", 1000)
    big = upload(shopper, image_bytes(size=(600, 600)))
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", 10_000_000)
    monkeypatch.setitem(app.config, "PHOTO_MAX_PIXELS", 10_000)
    many = upload(shopper, image_bytes(size=(200, 100)))

    assert big.status_code == 422 and "at most" in big.json["errors"]["json"]["file"][0]
    assert many.status_code == 422 and "200x100" in many.json["errors"]["json"]["file"][0]
    assert count_photos(app) == 0


def test_missing_fields_are_named(shopper):
    response = shopper.post("/api/v1/photos", data={}, content_type="multipart/form-data")

    assert response.status_code == 422
    fields = response.json["errors"]["multipart"]
    assert set(fields) == {"uuid", "file"}


@pytest.mark.parametrize(
    ("code", "status"), [(errno.ENOSPC, 507), (errno.EACCES, 503)], ids=["disk-full", "denied"]
)
def test_storage_failure_is_a_clear_error_and_nothing_is_half_written(
    shopper, app, photo_dir, monkeypatch, code, status
):
    real_fsync = os.fsync

    def failing_fsync(fd):
        real_fsync(fd)
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    response = upload(shopper, image_bytes())

    assert response.status_code == status
    assert "nothing was stored" in response.json["message"]
    assert count_photos(app) == 0
    assert stored_files(photo_dir) == []  # no temporary or partial file left behind

    monkeypatch.setattr(os, "fsync", real_fsync)
    assert upload(shopper, image_bytes()).status_code == 201  # and it works once fixed


# ---- reading ---------------------------------------------------------------------------


def test_owner_reads_the_photo_and_its_thumbnail_other_shoppers_do_not(shopper, login_as):
    photo = upload(shopper, image_bytes()).json

    full = shopper.get(photo["url"])
    thumb = shopper.get(photo["thumbnail_url"])
    other = login_as("shopper").get(photo["url"])

    assert full.status_code == 200 and full.mimetype == "image/jpeg"
    assert hashlib.sha256(full.data).hexdigest() == photo["sha256"]
    assert "private" in full.headers["Cache-Control"]
    assert thumb.status_code == 200 and len(thumb.data) < len(full.data)
    assert other.status_code == 404
    again = shopper.get(photo["url"], headers={"If-None-Match": f'"{photo["sha256"]}"'})
    assert again.status_code == 304


# ---- photos in visits ------------------------------------------------------------------


def test_submitted_visit_links_its_photos_to_the_answers(shopper, shop_payload, app):
    photo = upload(shopper, image_bytes()).json

    response = shopper.post("/api/v1/visits", json=shop_payload([photo["uuid"]]))

    assert response.status_code == 201, response.json
    assert [(p["uuid"], p["item_id"]) for p in response.json["photos"]] == [
        (photo["uuid"], "receipt")
    ]
    with app.app_context():
        stored = db.session.get(Photo, photo["id"])
        assert (stored.visit_id, stored.item_id) == (response.json["id"], "receipt")
        db.session.remove()


def test_resending_a_visit_with_photos_is_idempotent(shopper, shop_payload, app):
    photo = upload(shopper, image_bytes()).json
    body = shop_payload([photo["uuid"]])

    first = shopper.post("/api/v1/visits", json=body)
    again = shopper.post("/api/v1/visits", json=body)
    other = shopper.post("/api/v1/visits", json={**body, "answers": body["answers"][:-1]})

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Visit)) == 1
        db.session.remove()


def test_photo_rules_are_checked_at_submission(shopper, shop_payload, login_as):
    stranger = login_as("shopper")
    theirs = upload(stranger, image_bytes(color=(9, 9, 9))).json["uuid"]
    mine = upload(shopper, image_bytes()).json["uuid"]
    never = str(uuid.uuid4())

    no_photo = shopper.post("/api/v1/visits", json=shop_payload([]))
    unknown = shopper.post("/api/v1/visits", json=shop_payload([never]))
    not_mine = shopper.post("/api/v1/visits", json=shop_payload([theirs]))
    twice = shopper.post("/api/v1/visits", json=shop_payload([mine, mine]))
    body = shop_payload([mine])
    body["answers"][0]["photos"] = [str(uuid.uuid4())]  # greeted_promptly takes no photos
    wrong_item = shopper.post("/api/v1/visits", json=body)

    assert no_photo.status_code == 422
    assert no_photo.json["errors"]["json"] == {
        "answers[3].photos": ["item 'receipt' needs a photo"]
    }
    assert unknown.json["errors"]["json"]["answers[3].photos[0]"] == [
        f"photo {never} has not been uploaded (POST /api/v1/photos)"
    ]
    assert "answers[3].photos[0]" in not_mine.json["errors"]["json"]
    assert twice.json["errors"]["json"]["answers[3].photos"] == ["a photo is listed more than once"]
    assert wrong_item.json["errors"]["json"]["answers[0].photos"] == [
        "item 'greeted_promptly' takes no photos"
    ]


def test_na_or_unanswered_items_need_no_photo(shopper, shop_payload):
    body = shop_payload([])
    body["answers"][3] = {"item_id": "receipt", "value": False, "na": False}
    refused = shopper.post("/api/v1/visits", json=body)

    assert refused.status_code == 422  # "No" is an answer: the receipt still needs its photo
    assert list(refused.json["errors"]["json"]) == ["answers[3].photos"]


def test_a_photo_belongs_to_one_visit(shopper, shop_payload):
    mine = upload(shopper, image_bytes()).json["uuid"]
    first = shopper.post("/api/v1/visits", json=shop_payload([mine]))
    second = shopper.post("/api/v1/visits", json=shop_payload([mine]))

    assert first.status_code == 201
    assert second.status_code == 422
    assert second.json["errors"]["json"]["answers[3].photos[0]"] == [
        f"photo {mine} belongs to another visit"
    ]


def test_the_same_image_in_another_visit_is_flagged_for_the_reviewer(
    shopper, shop_payload, login_as
):
    data = image_bytes(color=(12, 34, 56))
    first_photo = upload(shopper, data).json["uuid"]
    first = shopper.post("/api/v1/visits", json=shop_payload([first_photo])).json
    reused_photo = upload(shopper, data).json["uuid"]  # a new UUID, the same picture
    second = shopper.post("/api/v1/visits", json=shop_payload([reused_photo])).json

    reviewer = login_as("reviewer")
    flags_first = reviewer.get(f"/api/v1/visits/{first['id']}").json["flags"]
    flags_second = reviewer.get(f"/api/v1/visits/{second['id']}").json["flags"]

    assert [f["code"] for f in flags_first] == []
    assert [f["code"] for f in flags_second] == ["photo_reused"]
    assert f"visit {first['id']}" in flags_second[0]["message"]
    assert "receipt" in flags_second[0]["message"]


def test_a_resubmitted_visit_keeps_only_the_photos_it_names(shopper, shop_payload, login_as, app):
    old = upload(shopper, image_bytes(color=(1, 1, 1))).json
    new = upload(shopper, image_bytes(color=(250, 250, 250))).json
    body = shop_payload([old["uuid"]])
    visit = shopper.post("/api/v1/visits", json=body).json
    login_as("reviewer").post(
        f"/api/v1/visits/{visit['id']}/return", json={"comment": "Photo is blurred"}
    )

    body["answers"][3]["photos"] = [new["uuid"]]
    body["submitted_at"] = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    again = shopper.post("/api/v1/visits", json=body)

    assert again.status_code == 200, again.json
    assert [p["uuid"] for p in again.json["photos"]] == [new["uuid"]]
    with app.app_context():
        assert db.session.get(Photo, old["id"]).visit_id is None
        db.session.remove()
