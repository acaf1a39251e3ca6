"""POST /api/v1/imports: a backup file exported by the shopper's app, imported with the same
idempotency rules as a live upload, with a report per visit."""

from __future__ import annotations

import base64
import errno
import io
import json
import os
import uuid

import pytest
from sqlalchemy import func, select

from audit_app.extensions import db
from audit_app.models import AuditEntry, Photo, User, Visit
from tests.conftest import image_bytes


@pytest.fixture
def shopper(login_as, photo_dir):
    return login_as("shopper", allow_adhoc=True)


def noisy_jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.effect_noise((200, 200), 80).convert("RGB").save(out, "JPEG", quality=95)
    return out.getvalue()


def backup(email: str, *entries) -> dict:
    return {
        "format": "audit-app-backup",
        "version": 1,
        "exported_at": "2026-10-06T12:00:00+08:00",
        "user": {"id": 1, "email": email},
        "visits": list(entries),
    }


def entry(payload: dict, photos: dict[str, bytes] | None = None, data_url: bool = True) -> dict:
    encoded = []
    for photo_uuid, data in (photos or {}).items():
        b64 = base64.b64encode(data).decode()
        encoded.append(
            {"uuid": photo_uuid, "data": f"data:image/jpeg;base64,{b64}" if data_url else b64}
        )
    return {"visit": payload, "photos": encoded}


def send_file(client, document, **form):
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    return client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(raw), "audit-backup.json"), **form},
        content_type="multipart/form-data",
    )


def counts(app) -> tuple[int, int]:
    with app.app_context():
        visits = db.session.scalar(select(func.count()).select_from(Visit))
        photos = db.session.scalar(select(func.count()).select_from(Photo))
        db.session.remove()
    return visits, photos


def test_backup_file_is_imported_and_importing_it_again_changes_nothing(shopper, shop_payload, app):
    photo_uuid = str(uuid.uuid4())
    with_photo = shop_payload([photo_uuid])
    other_photo = str(uuid.uuid4())
    second = shop_payload([other_photo])
    document = backup(
        shopper.email,
        entry(with_photo, {photo_uuid: image_bytes()}),
        entry(second, {other_photo: image_bytes(color=(5, 5, 5))}, data_url=False),
    )

    first = send_file(shopper, document)
    again = shopper.post("/api/v1/imports", json=document)  # the JSON itself works too

    assert first.status_code == 200, first.json
    assert first.json["counts"] == {
        "created": 2,
        "already_stored": 0,
        "conflict": 0,
        "invalid": 0,
        "failed": 0,
    }
    assert [r["client_uuid"] for r in first.json["results"]] == [
        with_photo["client_uuid"],
        second["client_uuid"],
    ]
    assert again.json["counts"]["already_stored"] == 2
    assert [r["visit_id"] for r in again.json["results"]] == [
        r["visit_id"] for r in first.json["results"]
    ]
    assert counts(app) == (2, 2)
    visit = shopper.get(f"/api/v1/visits/{first.json['results'][0]['visit_id']}").json
    assert [(p["uuid"], p["item_id"]) for p in visit["photos"]] == [(photo_uuid, "receipt")]


def test_a_visit_already_sent_live_is_reported_as_already_stored(shopper, shop_payload, app):
    photo_uuid = str(uuid.uuid4())
    data = image_bytes()
    payload = shop_payload([photo_uuid])
    shopper.post(
        "/api/v1/photos",
        data={"uuid": photo_uuid, "file": (io.BytesIO(data), "p.jpg")},
        content_type="multipart/form-data",
    )
    live = shopper.post("/api/v1/visits", json=payload).json

    report = send_file(shopper, backup(shopper.email, entry(payload, {photo_uuid: data}))).json

    assert report["results"][0]["status"] == "already_stored"
    assert report["results"][0]["visit_id"] == live["id"]
    assert counts(app) == (1, 1)


def test_each_visit_gets_its_own_verdict(shopper, shop_payload, app):
    good_photo, bad_photo = str(uuid.uuid4()), str(uuid.uuid4())
    good = shop_payload([good_photo])
    stored = shop_payload([str(uuid.uuid4())])
    send_file(
        shopper,
        backup(shopper.email, entry(stored, {stored["answers"][3]["photos"][0]: image_bytes()})),
    )
    changed = {
        **stored,
        "answers": [*stored["answers"][:-1], {"item_id": "name_used", "value": True}],
    }
    invalid = shop_payload([])
    invalid["answers"][1]["value"] = 9  # smile is 1..5
    not_an_image = shop_payload([bad_photo])
    malformed = {"client_uuid": "not-a-uuid", "answers": []}

    report = send_file(
        shopper,
        backup(
            shopper.email,
            entry(good, {good_photo: image_bytes(color=(70, 70, 70))}),
            entry(changed),
            entry(invalid),
            entry(not_an_image, {bad_photo: b"this is not a picture"}),
            entry(malformed),
            "not even an object",
        ),
    ).json

    statuses = [r["status"] for r in report["results"]]
    assert statuses == ["created", "conflict", "invalid", "invalid", "invalid", "invalid"]
    assert "different content" in report["results"][1]["message"]
    assert report["results"][2]["errors"]["answers[1].value"] == [
        "item 'smile' (scale): must be between 1 and 5"
    ]
    assert "answers[3].photos" in report["results"][2]["errors"]
    assert report["results"][3]["errors"] == {
        "photos[0].data": ["must be a JPEG, PNG or WebP image"]
    }
    assert "visit.client_uuid" in report["results"][4]["errors"]
    assert "visit.location_id" in report["results"][4]["errors"]
    assert report["results"][5]["errors"] == {"visit": ["is missing"]}
    assert counts(app) == (2, 2)


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        (b"{not json", "file"),
        (json.dumps([1, 2]).encode(), "file"),
        (
            json.dumps({"format": "something-else", "version": 1, "visits": []}).encode(),
            "file.format",
        ),
        (
            json.dumps({"format": "audit-app-backup", "version": 9, "visits": []}).encode(),
            "file.version",
        ),
        (json.dumps({"format": "audit-app-backup", "version": 1}).encode(), "file.visits"),
    ],
    ids=["not-json", "list", "format", "version", "no-visits"],
)
def test_a_file_that_is_not_a_backup_is_refused_with_the_reason(shopper, raw, where):
    response = send_file(shopper, raw)

    assert response.status_code == 422
    assert where in response.json["errors"]["json"]


def test_a_shopper_cannot_import_another_shoppers_file(shopper, shop_payload, app):
    response = send_file(shopper, backup("someone.else@example.com", entry(shop_payload([]))))

    assert response.status_code == 422
    assert "someone.else@example.com" in response.json["errors"]["json"]["file.user.email"][0]
    assert counts(app) == (0, 0)


def test_an_admin_imports_for_the_shopper_the_file_names(
    app, make_user, shop_payload, photo_dir, login_as
):
    shopper_id = make_user("shopper", email="field@example.com", allow_adhoc=True)
    admin = login_as("admin")
    photo_uuid = str(uuid.uuid4())
    document = backup(
        "field@example.com", entry(shop_payload([photo_uuid]), {photo_uuid: image_bytes()})
    )

    report = send_file(admin, document)
    unknown = send_file(admin, document, shopper_email="nobody@example.com")

    assert report.status_code == 200 and report.json["shopper"]["id"] == shopper_id
    assert report.json["counts"]["created"] == 1
    assert unknown.status_code == 422 and "shopper_email" in unknown.json["errors"]["json"]
    with app.app_context():
        visit = db.session.scalar(select(Visit))
        assert visit.shopper_id == shopper_id
        log = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "visits.import"))
        assert log.actor_id == db.session.scalar(select(User.id).where(User.role == "admin"))
        assert log.details["counts"]["created"] == 1
        db.session.remove()


def test_storage_failure_during_import_fails_that_visit_and_stores_nothing(
    shopper, shop_payload, app, monkeypatch
):
    photo_uuid = str(uuid.uuid4())
    document = backup(shopper.email, entry(shop_payload([photo_uuid]), {photo_uuid: image_bytes()}))

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    report = send_file(shopper, document).json

    assert report["results"][0]["status"] == "failed"
    assert "storage is full" in report["results"][0]["message"]
    assert counts(app) == (0, 0)


def test_a_file_over_the_import_limit_is_refused(shopper, app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 2000)
    response = send_file(shopper, backup(shopper.email, {"visit": {"pad": "x" * 5000}}))

    assert response.status_code == 413


def test_the_import_limit_is_larger_than_the_request_limit(shopper, shop_payload, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 5000)
    photo_uuid = str(uuid.uuid4())
    document = backup(shopper.email, entry(shop_payload([photo_uuid]), {photo_uuid: noisy_jpeg()}))
    assert len(json.dumps(document)) > 5000

    response = send_file(shopper, document)

    assert response.status_code == 200 and response.json["counts"]["created"] == 1


@pytest.mark.parametrize("email", ["no-at-sign", "nul\x00@example.com", 42])
def test_a_bad_shopper_email_is_named(login_as, photo_dir, email):
    admin = login_as("admin")
    document = backup("x@example.com")
    document["user"]["email"] = email

    response = admin.post("/api/v1/imports", json=document)

    assert response.status_code == 422
    assert response.json["errors"]["json"] == {"shopper_email": ["must be an email address"]}
