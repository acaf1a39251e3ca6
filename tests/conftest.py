"""Shared fixtures: one migrated database per run (SQLite or PostgreSQL), emptied per test."""

from __future__ import annotations

import io
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.serving import make_server

from audit_app import create_app
from audit_app.config import TestConfig
from audit_app.extensions import db

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent
IN_CI = os.environ.get("CI") == "true"


def pytest_report_header(config):
    return f"database: {os.environ.get('TEST_DATABASE_URL') or 'sqlite (temporary file)'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The app on a freshly migrated database (migrations are what production runs)."""
    checklists = tmp_path_factory.mktemp("checklists")
    shutil.copy(FIXTURES / "mini.yaml", checklists / "mini.yaml")
    app = create_app(
        {**_config_dict(), "SQLALCHEMY_DATABASE_URI": database_url, "CHECKLISTS_DIR": checklists}
    )
    with app.app_context():
        _drop_everything()
        upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def _config_dict() -> dict:
    return {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}


def _drop_everything() -> None:
    """Start from an empty database, whatever an earlier run left."""
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(autouse=True)
def _empty_tables(request) -> Iterator[None]:
    """Empty every table (and the login rate-limit counters) after each test using the app."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    from audit_app.auth import limiter

    limiter.reset()
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The app served by a real threaded HTTP server on loopback."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


# ---- factories --------------------------------------------------------------------------


@pytest.fixture
def mini_version(app):
    """The mini checklist stored as a version; returns its content hash."""
    from audit_app.checklists import load_file
    from audit_app.services.checklists import sync_checklists

    with app.app_context():
        result = sync_checklists([load_file(FIXTURES / "mini.yaml")])[0]
        db.session.remove()
    return result.content_hash


@pytest.fixture
def make_location(app):
    """Create a location (and its area) and return its id."""
    from audit_app.models import Area, Location

    counter = iter(range(1, 10_000))

    def make(area_code: str = "KL", **fields) -> int:
        n = next(counter)
        with app.app_context():
            area = db.session.query(Area).filter_by(code=area_code).one_or_none()
            if area is None:
                area = Area(code=area_code, name=f"Area {area_code}")
                db.session.add(area)
            location = Location(
                code=fields.pop("code", f"{area_code}-{n:03d}"),
                name=fields.pop("name", f"Branch {n}"),
                area=area,
                timezone=fields.pop("timezone", "Asia/Kuala_Lumpur"),
                **fields,
            )
            db.session.add(location)
            db.session.commit()
            location_id = location.id
            db.session.remove()
        return location_id

    return make


PASSWORD = "correct horse battery"


@pytest.fixture
def make_user(app):
    """Create a user through the service (argon2 hash, scope) and return its id."""
    from audit_app.services.accounts import UserInput, create_user

    counter = iter(range(1, 10_000))

    def make(
        role: str = "shopper",
        *,
        email: str | None = None,
        name: str | None = None,
        areas: tuple[str, ...] = (),
        location_code: str | None = None,
        allow_adhoc: bool = False,
        password: str = PASSWORD,
    ) -> int:
        n = next(counter)
        with app.app_context():
            user = create_user(
                UserInput(
                    email=email or f"{role}{n}@example.com",
                    name=name or f"{role.title()} {n}",
                    role=role,
                    password=password,
                    area_codes=areas,
                    location_code=location_code,
                    allow_adhoc=allow_adhoc,
                )
            )
            user_id = user.id
            db.session.remove()
        return user_id

    return make


def csrf_token(client) -> str:
    return client.get("/api/v1/auth/csrf").json["csrf_token"]


def api_login(client, email: str, password: str = PASSWORD, remember: bool = False):
    """Log in through the API; later writes from this client carry the CSRF header."""
    response = client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": password, "remember": remember},
        headers={"X-CSRFToken": csrf_token(client)},
    )
    if response.status_code == 200:
        client.environ_base["HTTP_X_CSRFTOKEN"] = response.json["csrf_token"]
    return response


@pytest.fixture
def login_as(app, make_user):
    """A test client logged in as a new user of a role (kwargs go to make_user)."""

    def login(role: str = "shopper", **kwargs):
        from audit_app.extensions import db as _db
        from audit_app.models import User

        user_id = make_user(role, **kwargs)
        with app.app_context():
            email = _db.session.get(User, user_id).email
            _db.session.remove()
        client = app.test_client()
        response = api_login(client, email)
        assert response.status_code == 200, response.json
        client.user_id = user_id
        client.email = email
        return client

    return login


def requests_login(base_url: str, email: str, password: str = PASSWORD):
    """A requests.Session logged in on a live server, sending the CSRF header."""
    import requests

    session = requests.Session()
    token = session.get(f"{base_url}/api/v1/auth/csrf", timeout=10).json()["csrf_token"]
    response = session.post(
        f"{base_url}/api/v1/auth/login",
        timeout=10,
        json={"email": email, "password": password},
        headers={"X-CSRFToken": token},
    )
    response.raise_for_status()
    session.headers["X-CSRFToken"] = response.json()["csrf_token"]
    return session


def iso(dt: datetime) -> str:
    return dt.isoformat()


@pytest.fixture
def visit_payload(mini_version, make_location):
    """Build a valid visit payload for the mini checklist; override fields with kwargs."""
    location_id = make_location()

    def build(**overrides) -> dict:
        start = datetime(2026, 10, 6, 3, 0, tzinfo=UTC)
        payload = {
            "client_uuid": str(uuid.uuid4()),
            "location_id": location_id,
            "checklist_version": mini_version,
            "started_at": iso(start),
            "ended_at": iso(start + timedelta(minutes=20)),
            "answers": [
                {"item_id": "greeted", "value": True},
                {"item_id": "name_used", "na": True},
                {"item_id": "warmth", "value": 4, "note": "friendly"},
                {"item_id": "rude", "value": True},
                {"item_id": "farewell", "value": "scripted"},
            ],
            "events": [
                {"kind": "entered", "at": iso(start)},
                {"kind": "greeted", "at": iso(start + timedelta(seconds=20))},
            ],
        }
        payload.update(overrides)
        return payload

    return build


# ---- photos and the shop-visit checklist (photo rules) ---------------------------------

SHOP_VISIT = Path(__file__).parent / "pwa" / "fixtures" / "shop-visit.yaml"


def image_bytes(fmt="JPEG", size=(800, 600), color=(200, 80, 40), exif=True, mode="RGB") -> bytes:
    """An image as a camera or a phone would send it (a JPEG carries EXIF with GPS)."""
    from PIL import Image

    image = Image.new(mode, size, color if mode == "RGB" else (*color, 128))
    out = io.BytesIO()
    kwargs = {}
    if exif and fmt == "JPEG":
        tags = Image.Exif()
        tags[0x010F] = "PhoneMaker"
        tags[0x8825] = {1: "N", 2: (3.0, 8.0, 52.0), 3: "E", 4: (101.0, 42.0, 48.0)}
        kwargs["exif"] = tags
    image.save(out, fmt, **kwargs)
    return out.getvalue()


@pytest.fixture
def photo_dir(app, tmp_path, monkeypatch) -> Path:
    """Photos go to a temporary folder, never the checkout's instance folder."""
    folder = tmp_path / "photos"
    monkeypatch.setitem(app.config, "PHOTO_DIR", str(folder))
    return folder


@pytest.fixture
def shop_version(app) -> str:
    """The shop-visit checklist (a photo-required item) stored; returns its content hash."""
    from audit_app.checklists import load_file
    from audit_app.services.checklists import sync_checklists

    with app.app_context():
        digest = sync_checklists([load_file(SHOP_VISIT)])[0].content_hash
        db.session.remove()
    return digest


@pytest.fixture
def shop_payload(shop_version, make_location):
    """Build a valid shop-visit body; the receipt needs a photo (pass its UUIDs)."""
    location_id = make_location()

    def build(receipt_photos: list[str], **overrides) -> dict:
        start = datetime(2026, 10, 6, 3, 0, tzinfo=UTC)
        payload = {
            "client_uuid": str(uuid.uuid4()),
            "location_id": location_id,
            "checklist_version": shop_version,
            "started_at": iso(start),
            "answers": [
                {"item_id": "greeted_promptly", "value": True},
                {"item_id": "smile", "value": 5},
                {"item_id": "time_to_greeting", "value": 12},
                {"item_id": "receipt", "value": True, "photos": receipt_photos},
                {"item_id": "fetch_time", "na": True},
                {"item_id": "farewell", "value": "personal"},
                {"item_id": "name_used", "value": False},
            ],
            "events": [],
        }
        payload.update(overrides)
        return payload

    return build


@pytest.fixture
def add_visit(app, mini_version):
    """Submit a visit through the service as a shopper, then set its status
    (tests/analytics/conftest.py)."""
    from tests.analytics.conftest import visit_adder

    return visit_adder(app, mini_version)


@pytest.fixture
def network(app, make_location, add_visit):
    """The small network of the analytics tests, figures worked out by hand
    (tests/analytics/conftest.py, build_network)."""
    from tests.analytics.conftest import build_network

    return build_network(app, make_location, add_visit)
