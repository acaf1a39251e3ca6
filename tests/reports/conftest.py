"""A location with approved visits whose notes and name carry HTML, CSS and URLs."""

from __future__ import annotations

import http.server
import subprocess
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import api_login

SHOPPER_NAME = "Zelda Quixote"
SHOPPER_EMAIL = "zelda.quixote@shoppers.example"


class Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    """A live HTTP server on loopback that records every request it gets."""
    Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


@dataclass
class World:
    location_id: int
    other_location_id: int
    shopper_id: int
    hostile: str


def hostile_text(port: int) -> str:
    return (
        '<img src="file:///etc/passwd"> <img src="http://127.0.0.1:'
        f'{port}/leak.png"> <style>/* url(http://127.0.0.1:{port}/css.png) */</style>'
    )


@pytest.fixture
def world(app, make_location, make_user, mini_version, recorder):
    """An approved-visit location in KL, named and commented with hostile markup."""
    from audit_app.extensions import db
    from audit_app.models import User
    from audit_app.services.review import approve

    port = recorder.server_address[1]
    hostile = hostile_text(port)
    location_id = make_location(
        "KL", code="KL-900", name=f"Mall {hostile}", contact_email="branch900@example.com"
    )
    other = make_location("JKT", code="JKT-900", contact_email="jkt900@example.com")
    shopper_id = make_user("shopper", email=SHOPPER_EMAIL, name=SHOPPER_NAME, allow_adhoc=True)
    reviewer_id = make_user("reviewer")
    client = app.test_client()
    assert api_login(client, SHOPPER_EMAIL).status_code == 200
    ids = []
    for day, loc in [(6, location_id), (9, location_id), (14, location_id), (20, location_id),
                     (7, other), (8, other), (10, other)]:  # fmt: skip
        start = datetime(2026, 10, day, 3 + day % 9, 0, tzinfo=UTC)
        payload = {
            "client_uuid": str(uuid.uuid4()),
            "location_id": loc,
            "checklist_version": mini_version,
            "started_at": start.isoformat(),
            "ended_at": (start + timedelta(minutes=20)).isoformat(),
            "answers": [
                {"item_id": "greeted", "value": day % 2 == 0},
                {"item_id": "name_used", "na": True},
                {
                    "item_id": "warmth",
                    "value": 4,
                    "note": f"{hostile} I am {SHOPPER_NAME}, mail {SHOPPER_EMAIL}",
                },
                {"item_id": "rude", "value": True},
                {"item_id": "farewell", "value": "scripted"},
            ],
            "events": [
                {"kind": "entered", "at": start.isoformat()},
                {"kind": "greeted", "at": (start + timedelta(seconds=20)).isoformat()},
            ],
        }
        response = client.post("/api/v1/visits", json=payload)
        assert response.status_code in (200, 201), response.json
        ids.append(response.json["id"])
    with app.app_context():
        reviewer = db.session.get(User, reviewer_id)
        for visit_id in ids:
            approve(visit_id, reviewer)
        db.session.remove()
    return World(location_id, other, shopper_id, hostile)


def pdf_text(data: bytes, tmp_path) -> str:
    """The PDF's text as pdftotext extracts it."""
    path = tmp_path / f"{uuid.uuid4().hex}.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout
