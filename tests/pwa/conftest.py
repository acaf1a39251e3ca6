"""The shopper's app in real headless Chromium, against the app served on loopback.

Chromium is the system package (/usr/bin/chromium, or $CHROMIUM) driven by Playwright. When
it is missing the browser tests are skipped locally and fail in CI (CI=true).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.serving import make_server

from audit_app.extensions import db
from tests.conftest import IN_CI

HERE = Path(__file__).parent
CHECKLIST = HERE / "fixtures" / "shop-visit.yaml"
AXE = HERE / "vendor" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 640}
# Kuala Lumpur, near the test branch
GEO = {"latitude": 3.1478, "longitude": 101.7133, "accuracy": 15}
SHOTS = os.environ.get("PWA_SCREENSHOTS")  # a folder: save a screenshot of every screen


def _need_chromium():
    reason = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "the playwright package is not installed"
    if reason is None and not os.path.exists(CHROMIUM):
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if reason:
        if IN_CI:
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def playwright_driver():
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


# ---- a server the tests can break ------------------------------------------------------


class Switch:
    """WSGI middleware: make chosen POST paths fail, or store and then lose the response."""

    def __init__(self, app):
        self.app = app
        self.mode: str | None = None  # None | "fail" (500, nothing stored) | "lose" (stored, 502)
        self.paths: set[str] = set()
        self.hits: list[tuple[str, str, int]] = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ["REQUEST_METHOD"]
        if self.mode and method == "POST" and path in self.paths:
            if self.mode == "lose":
                result = self.app(environ, lambda *args, **kwargs: None)
                try:
                    for _ in result:
                        pass
                finally:
                    if hasattr(result, "close"):
                        result.close()
            status = "500 INTERNAL SERVER ERROR" if self.mode == "fail" else "502 BAD GATEWAY"
            with self.lock:
                self.hits.append((method, path, int(status[:3])))
            body = json.dumps({"code": int(status[:3]), "message": "test: server failure"})
            start_response(status, [("Content-Type", "application/json")])
            return [body.encode()]
        return self.app(environ, start_response)


class LiveServer:
    """The app on a real threaded server on loopback that can be stopped and restarted."""

    def __init__(self, app):
        self.app = app
        self.switch = Switch(app)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.server = None
        self.thread = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        for _ in range(50):
            try:
                self.server = make_server("127.0.0.1", self.port, self.switch, threaded=True)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"port {self.port} did not come free")
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(5)
            self.server = None


@pytest.fixture
def server(app, photo_dir) -> Iterator[LiveServer]:
    live = LiveServer(app)
    yield live
    live.stop()


# ---- the world: a shopper with an open assignment ------------------------------------


class World:
    def __init__(self, app, shopper_id, email, location_id, assignment_id, version_hash):
        self.app = app
        self.shopper_id = shopper_id
        self.email = email
        self.location_id = location_id
        self.assignment_id = assignment_id
        self.version_hash = version_hash

    def visits(self):
        """The shopper's stored visits, with answers, events and photos loaded."""
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        from audit_app.models import Photo, Visit

        with self.app.app_context():
            rows = db.session.scalars(
                select(Visit)
                .where(Visit.shopper_id == self.shopper_id)
                .options(selectinload(Visit.answers), selectinload(Visit.events))
            ).all()
            out = []
            for visit in rows:
                photos = db.session.scalars(select(Photo).where(Photo.visit_id == visit.id)).all()
                out.append(
                    {
                        "id": visit.id,
                        "client_uuid": str(visit.client_uuid),
                        "score": visit.score,
                        "passed": visit.passed,
                        "status": visit.status,
                        "assignment_id": visit.assignment_id,
                        "checkin": (visit.checkin_latitude, visit.checkin_longitude),
                        "answers": {
                            a.item_id: {"value": a.value, "na": a.na, "note": a.note}
                            for a in visit.answers
                        },
                        "events": [e.kind for e in visit.events],
                        "photos": [
                            {"item_id": p.item_id, "width": p.width, "height": p.height}
                            for p in photos
                        ],
                        "flags": visit.flags,
                        "checklist": visit.checklist_version.checklist,
                    }
                )
            db.session.remove()
        return out

    def photo_count(self) -> int:
        from sqlalchemy import func, select

        from audit_app.models import Photo

        with self.app.app_context():
            count = db.session.scalar(select(func.count()).select_from(Photo))
            db.session.remove()
        return count

    def end_logins(self) -> None:
        """End every login of the shopper on the server (an expired session)."""
        from audit_app.auth.sessions import end_all_for

        with self.app.app_context():
            end_all_for(self.shopper_id)
            db.session.commit()
            db.session.remove()


@pytest.fixture
def world(app, make_location, make_user) -> World:
    from audit_app.checklists import load_file
    from audit_app.models import Assignment, User
    from audit_app.services.checklists import sync_checklists

    with app.app_context():
        version_hash = sync_checklists([load_file(CHECKLIST)])[0].content_hash
        db.session.remove()
    location_id = make_location(
        "KL", code="KL-PWA", name="Pavilion KL", latitude=3.1490, longitude=101.7130
    )
    shopper_id = make_user("shopper", email="phone@example.com", name="Sam Shopper")
    now = datetime.now(UTC)
    with app.app_context():
        assignment = Assignment(
            location_id=location_id,
            checklist_key="shop-visit",
            shopper_id=shopper_id,
            window_start=now - timedelta(hours=2),
            window_end=now + timedelta(days=5),
            scenario="Ask for a size not on display; pay by card.",
        )
        db.session.add(assignment)
        db.session.commit()
        assignment_id = assignment.id
        email = db.session.get(User, shopper_id).email
        db.session.remove()
    return World(app, shopper_id, email, location_id, assignment_id, version_hash)


# ---- pages ---------------------------------------------------------------------------


@pytest.fixture
def new_context(browser):
    """Make browser contexts (a phone each); all are closed after the test."""
    made = []

    def make(**kwargs):
        options = {
            "viewport": PHONE,
            "geolocation": GEO,
            "permissions": ["geolocation"],
            "locale": "en-GB",
            "timezone_id": "Asia/Kuala_Lumpur",
            "accept_downloads": True,
            **kwargs,
        }
        context = browser.new_context(**options)
        context.set_default_timeout(15000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


def watch(page) -> list[str]:
    """Collect the page's uncaught errors and CSP violations (tests assert there are none)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def console(message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            errors.append(message.text)

    page.on("console", console)
    return errors


@pytest.fixture
def photo_file(tmp_path) -> Path:
    """A 2400x1800 JPEG with GPS in its EXIF, as a phone camera makes them."""
    image = Image.new("RGB", (2400, 1800), (200, 120, 40))
    for x in range(0, 2400, 200):
        image.paste((30, 60, 160), (x, 0, x + 100, 1800))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (3.0, 8.0, 52.0), 3: "E", 4: (101.0, 42.0, 48.0)}  # GPS
    path = tmp_path / "receipt.jpg"
    image.save(path, "JPEG", quality=90, exif=exif)
    return path


def screenshot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the page (injected by the test, never served by the app)."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                          nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' '))}))"""
    )
    return [v for v in found if v["impact"] in impacts]
