"""POST/GET /api/v1/visits: scoring, idempotency, conflicts, concurrency and bad input."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from audit_app.extensions import db
from audit_app.models import Answer, SectionScore, Visit, VisitEvent
from tests.conftest import requests_login


@pytest.fixture
def client(login_as):
    """A shopper who may submit ad-hoc visits, logged in."""
    return login_as("shopper", allow_adhoc=True)


def live_poster(base_url: str, email: str):
    """A function posting visits on the live server as a logged-in shopper."""
    session = requests_login(base_url, email)
    local = threading.local()

    def post(payload):
        # one HTTP session per thread, all sharing the same login
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.cookies.update(session.cookies)
            local.session.headers.update(session.headers)
        return local.session.post(f"{base_url}/api/v1/visits", json=payload, timeout=30)

    return post


def count_rows(app) -> dict[str, int]:
    with app.app_context():
        out = {
            m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Visit, Answer, VisitEvent, SectionScore)
        }
        db.session.remove()
    return out


def test_submitted_visit_is_stored_with_server_scores(client, visit_payload):
    response = client.post("/api/v1/visits", json=visit_payload())

    assert response.status_code == 201, response.json
    body = response.json
    # conduct: 4 + 3 (warmth 4 of 1..5) + 5 = 12 of 13; speed: 3 (20 s from marks) + 1 = 4 of 5
    sections = {s["section_id"]: s for s in body["sections"]}
    assert sections["conduct"]["percent"] == pytest.approx(92.31)
    assert sections["speed"]["percent"] == pytest.approx(80.0)
    assert body["score"] == pytest.approx(88.21)
    assert body["passed"] is True and body["critical_failed"] is False
    answers = {a["item_id"]: a for a in body["answers"]}
    assert answers["time_to_greeting"]["value"] == 20.0  # derived from entered -> greeted
    assert answers["name_used"]["na"] is True and answers["name_used"]["possible"] == 0
    assert answers["warmth"]["note"] == "friendly"

    fetched = client.get(f"/api/v1/visits/{body['id']}")
    assert fetched.status_code == 200
    assert fetched.json["score"] == body["score"]


def test_failed_critical_item_zeroes_section_and_fails_visit(client, visit_payload):
    payload = visit_payload()
    payload["answers"][3]["value"] = False  # "rude" is critical

    body = client.post("/api/v1/visits", json=payload).json

    sections = {s["section_id"]: s for s in body["sections"]}
    assert sections["conduct"]["percent"] == 0 and sections["conduct"]["critical_failed"]
    assert body["score"] == pytest.approx(80 / 3, abs=0.01)
    assert body["passed"] is False and body["critical_failed"] is True


def test_resending_the_same_visit_returns_the_stored_one(app, client, visit_payload):
    payload = visit_payload()
    first = client.post("/api/v1/visits", json=payload)
    # a retry may carry a different send time and answers in another order
    retry = dict(
        payload, sent_at="2026-10-06T04:00:00+00:00", answers=list(reversed(payload["answers"]))
    )
    second = client.post("/api/v1/visits", json=retry)

    assert first.status_code == 201 and second.status_code == 200
    assert second.json["id"] == first.json["id"]
    assert count_rows(app)["visits"] == 1


def test_same_uuid_with_different_content_is_a_conflict(app, client, visit_payload):
    payload = visit_payload()
    client.post("/api/v1/visits", json=payload)
    changed = dict(
        payload, answers=[*payload["answers"][:4], {"item_id": "farewell", "value": "personal"}]
    )

    response = client.post("/api/v1/visits", json=changed)

    assert response.status_code == 409
    assert payload["client_uuid"] in response.json["message"]
    with app.app_context():
        stored = db.session.scalar(select(Answer).where(Answer.item_id == "farewell"))
        assert stored.value == "scripted"  # the first upload is what counts


def test_same_uuid_from_another_shopper_is_another_visit(app, client, login_as, visit_payload):
    payload = visit_payload()
    client.post("/api/v1/visits", json=payload)
    other = login_as("shopper", allow_adhoc=True)
    response = other.post("/api/v1/visits", json=payload)
    assert response.status_code == 201
    assert count_rows(app)["visits"] == 2


def test_concurrent_duplicates_create_one_row(app, client, live_server, visit_payload):
    payload = visit_payload()
    post = live_poster(live_server, client.email)

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda _: post(payload), range(16)))

    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 1 and codes.count(200) == 15, codes
    assert len({r.json()["id"] for r in responses}) == 1
    assert count_rows(app)["visits"] == 1


def test_concurrent_different_visits_are_all_stored(app, client, live_server, visit_payload):
    payloads = [visit_payload() for _ in range(12)]
    post = live_poster(live_server, client.email)

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(post, payloads))

    assert [r.status_code for r in responses] == [201] * 12, responses[0].text
    assert count_rows(app)["visits"] == 12


BAD_INPUTS = [
    (
        "unknown item",
        lambda p: p["answers"].append({"item_id": "nope", "value": True}),
        "answers[5].item_id",
        "unknown item 'nope'",
    ),
    (
        "missing required item",
        lambda p: p["answers"].pop(0),
        "answers.greeted",
        "required item 'greeted' is not answered",
    ),
    (
        "wrong type",
        lambda p: p["answers"][0].update(value="yes"),
        "answers[0].value",
        "must be true or false",
    ),
    (
        "scale out of range",
        lambda p: p["answers"][2].update(value=9),
        "answers[2].value",
        "must be between 1 and 5",
    ),
    (
        "choice not an option",
        lambda p: p["answers"][4].update(value="maybe"),
        "answers[4].value",
        "must be one of: personal, scripted, none",
    ),
    (
        "N/A not allowed",
        lambda p: p["answers"][0].update(value=None, na=True),
        "answers[0].na",
        "N/A is not allowed",
    ),
    (
        "answered twice",
        lambda p: p["answers"].append({"item_id": "greeted", "value": False}),
        "answers[5].item_id",
        "more than once",
    ),
    (
        "unknown checklist version",
        lambda p: p.update(checklist_version="f" * 64),
        "checklist_version",
        "unknown checklist version",
    ),
    (
        "unknown location",
        lambda p: p.update(location_id=999999),
        "location_id",
        "no active location with id 999999",
    ),
    (
        "naive datetime",
        lambda p: p.update(started_at="2026-10-06T03:00:00"),
        "started_at",
        "timezone",
    ),
    (
        "ended before started",
        lambda p: p.update(ended_at="2026-10-05T03:00:00+00:00"),
        "ended_at",
        "must not be before started_at",
    ),
    ("bad uuid", lambda p: p.update(client_uuid="not-a-uuid"), "client_uuid", "not a valid uuid"),
    (
        "unknown event",
        lambda p: p["events"].append({"kind": "danced", "at": "2026-10-06T03:01:00+00:00"}),
        "events[2].kind",
        "must be one of",
    ),
    ("unknown field", lambda p: p.update(colour="red"), "colour", "unknown field"),
    (
        "timed value negative",
        lambda p: p["answers"].append({"item_id": "time_to_greeting", "value": -3}),
        "answers[5].value",
        "must be between 0 and 86400 seconds",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "path", "message"), [b[1:] for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS]
)
def test_bad_input_names_the_field_and_stores_nothing(
    app, client, visit_payload, mutate, path, message
):
    payload = visit_payload()
    mutate(payload)

    response = client.post("/api/v1/visits", json=payload)

    assert response.status_code == 422, response.json
    errors = response.json["errors"]["json"]
    assert path in errors, errors
    assert message.lower() in " ".join(errors[path]).lower()
    assert count_rows(app) == {"visits": 0, "answers": 0, "visit_events": 0, "section_scores": 0}


def test_body_that_is_not_json_is_refused(client, visit_payload):
    response = client.post(
        "/api/v1/visits", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert response.is_json


def test_unknown_visit_is_404_json(client, mini_version):
    response = client.get("/api/v1/visits/4242")
    assert response.status_code == 404
    assert response.json["message"] == "no visit with id 4242"


def test_uuid_is_case_and_format_insensitive(app, client, visit_payload):
    payload = visit_payload()
    client.post("/api/v1/visits", json=payload)
    upper = dict(payload, client_uuid=str(uuid.UUID(payload["client_uuid"])).upper())
    assert client.post("/api/v1/visits", json=upper).status_code == 200


def test_local_date_weekday_and_hour_follow_the_location_time_zone(
    app, client, visit_payload, make_location
):
    jakarta = make_location("JKT", timezone="Asia/Jakarta")
    # 2026-10-10 20:30 UTC is Sunday 03:30 in Jakarta (UTC+7)
    payload = visit_payload(
        location_id=jakarta,
        started_at="2026-10-10T20:30:00+00:00",
        ended_at="2026-10-10T20:50:00+00:00",
        events=[],
    )
    payload["answers"].append({"item_id": "time_to_greeting", "value": 25})
    response = client.post("/api/v1/visits", json=payload)
    assert response.status_code == 201, response.json
    with app.app_context():
        visit = db.session.get(Visit, response.json["id"])
        assert (str(visit.local_date), visit.local_weekday, visit.local_hour) == (
            "2026-10-11",
            6,
            3,
        )


def test_nul_characters_are_refused_with_the_field_named(app, client, visit_payload):
    payload = visit_payload()
    payload["answers"][2]["note"] = "bad\x00note"
    response = client.post("/api/v1/visits", json=payload)
    assert response.status_code == 422
    assert response.json["errors"]["json"]["answers[2].note"] == ["must not contain NUL characters"]
    assert count_rows(app)["visits"] == 0
