"""Review workflow: approve, return with a comment, resubmit, correct with an audit trail."""

from __future__ import annotations

import pytest

from tests.conftest import api_login


@pytest.fixture
def shopper(login_as):
    return login_as("shopper", allow_adhoc=True)


@pytest.fixture
def reviewer(login_as):
    return login_as("reviewer")


def submit(shopper, payload):
    response = shopper.post("/api/v1/visits", json=payload)
    assert response.status_code in (200, 201), response.json
    return response.json


def test_submitted_visit_is_approved_by_a_reviewer(shopper, reviewer, visit_payload):
    visit = submit(shopper, visit_payload())
    assert visit["status"] == "submitted"

    approved = reviewer.post(f"/api/v1/visits/{visit['id']}/approve")

    assert approved.status_code == 200 and approved.json["status"] == "approved"
    again = reviewer.post(f"/api/v1/visits/{visit['id']}/approve")
    assert again.status_code == 409 and "only submitted visits" in again.json["message"]


def test_returned_visit_is_resubmitted_by_the_shopper_then_approved(
    shopper, reviewer, visit_payload
):
    payload = visit_payload()
    visit = submit(shopper, payload)
    returned = reviewer.post(
        f"/api/v1/visits/{visit['id']}/return",
        json={"comment": "The farewell answer contradicts your note."},
    )
    assert returned.status_code == 200 and returned.json["status"] == "returned"
    seen = shopper.get(f"/api/v1/visits/{visit['id']}").json
    assert seen["review_comment"] == "The farewell answer contradicts your note."

    fixed = dict(
        payload, answers=[*payload["answers"][:4], {"item_id": "farewell", "value": "personal"}]
    )
    resubmitted = shopper.post("/api/v1/visits", json=fixed)

    assert resubmitted.status_code == 200
    body = resubmitted.json
    assert body["id"] == visit["id"] and body["status"] == "submitted" and body["revision"] == 2
    assert body["score"] > visit["score"]
    # the same corrected content again is a plain retry
    assert shopper.post("/api/v1/visits", json=fixed).json["revision"] == 2
    assert reviewer.post(f"/api/v1/visits/{visit['id']}/approve").json["status"] == "approved"
    actions = [h["action"] for h in reviewer.get(f"/api/v1/visits/{visit['id']}/history").json]
    assert actions == ["visit.return", "visit.resubmit", "visit.approve"]


def test_returning_needs_a_comment(shopper, reviewer, visit_payload):
    visit = submit(shopper, visit_payload())
    response = reviewer.post(f"/api/v1/visits/{visit['id']}/return", json={"comment": ""})
    assert response.status_code == 422 and "comment" in response.json["errors"]["json"]


def test_correction_recomputes_scores_and_is_logged_old_to_new(shopper, reviewer, visit_payload):
    visit = submit(shopper, visit_payload())
    assert visit["passed"] is True

    corrected = reviewer.post(
        f"/api/v1/visits/{visit['id']}/corrections",
        json={"item_id": "rude", "value": False, "reason": "Shopper's note says the clerk swore."},
    )

    assert corrected.status_code == 200
    body = corrected.json
    assert body["critical_failed"] is True and body["passed"] is False
    assert body["score"] == pytest.approx(80 / 3, abs=0.01)
    (entry,) = reviewer.get(f"/api/v1/visits/{visit['id']}/history").json
    assert entry["action"] == "answer.correct"
    assert entry["details"]["old"] == {"value": True, "na": False}
    assert entry["details"]["new"] == {"value": False, "na": False}
    assert entry["details"]["reason"] == "Shopper's note says the clerk swore."
    assert entry["actor"]["name"].startswith("Reviewer")


def test_invalid_correction_changes_nothing(shopper, reviewer, visit_payload):
    visit = submit(shopper, visit_payload())
    bad = reviewer.post(
        f"/api/v1/visits/{visit['id']}/corrections",
        json={"item_id": "warmth", "value": 11, "reason": "typo"},
    )
    assert bad.status_code == 422 and "must be between 1 and 5" in str(bad.json)
    no_reason = reviewer.post(
        f"/api/v1/visits/{visit['id']}/corrections",
        json={"item_id": "warmth", "value": 2, "reason": ""},
    )
    assert no_reason.status_code == 422
    assert reviewer.get(f"/api/v1/visits/{visit['id']}").json["score"] == visit["score"]
    assert reviewer.get(f"/api/v1/visits/{visit['id']}/history").json == []


def test_reviewer_sees_evidence_flags(app, shopper, reviewer, visit_payload, make_location):
    far = make_location(code="KL-FAR", latitude=3.1390, longitude=101.6869)
    payload = visit_payload(
        location_id=far,
        checkin={"latitude": 3.2000, "longitude": 101.6869, "accuracy_m": 20},
        sent_at="2020-01-01T00:00:00+00:00",
    )
    visit = submit(shopper, payload)
    flags = {
        f["code"]: f["message"] for f in reviewer.get(f"/api/v1/visits/{visit['id']}").json["flags"]
    }
    assert set(flags) == {"far_from_branch", "device_clock"}
    assert "m from the branch" in flags["far_from_branch"]
    assert "flags" not in shopper.get(f"/api/v1/visits/{visit['id']}").json


def test_shopper_without_adhoc_needs_an_open_assignment(app, login_as, visit_payload):
    planner = login_as("admin")
    shopper = login_as("shopper")  # no ad-hoc visits
    payload = visit_payload()
    refused = shopper.post("/api/v1/visits", json=payload)
    assert refused.status_code == 422
    assert "no open assignment" in refused.json["errors"]["json"]["assignment_id"][0]

    created = planner.post(
        "/api/v1/assignments",
        json={
            "location_id": payload["location_id"],
            "checklist_key": "mini",
            "shopper_id": shopper.user_id,
            "window_start": "2026-10-06T00:00:00+00:00",
            "window_end": "2026-10-07T00:00:00+00:00",
            "scenario": "Ask to return an item bought last week.",
        },
    )
    assert created.status_code == 201, created.json
    upcoming = shopper.get("/api/v1/assignments").json
    assert [a["scenario"] for a in upcoming] == ["Ask to return an item bought last week."]

    stored = shopper.post("/api/v1/visits", json=payload)
    assert stored.status_code == 201 and stored.json["assignment_id"] == created.json["id"]
    assert shopper.get(f"/api/v1/assignments/{created.json['id']}").json["status"] == "completed"
    second = shopper.post("/api/v1/visits", json=visit_payload())
    assert second.status_code == 422  # the assignment is used up


def test_visit_naming_someone_elses_assignment_is_refused(app, login_as, visit_payload):
    planner = login_as("admin")
    other = login_as("shopper")
    shopper = login_as("shopper", allow_adhoc=True)
    payload = visit_payload()
    assignment = planner.post(
        "/api/v1/assignments",
        json={
            "location_id": payload["location_id"],
            "checklist_key": "mini",
            "shopper_id": other.user_id,
            "window_start": "2026-10-06T00:00:00+00:00",
            "window_end": "2026-10-07T00:00:00+00:00",
        },
    ).json
    response = shopper.post("/api/v1/visits", json=dict(payload, assignment_id=assignment["id"]))
    assert response.status_code == 422
    assert response.json["errors"]["json"]["assignment_id"] == [
        f"no assignment {assignment['id']} for you"
    ]


def test_area_manager_cannot_assign_outside_their_areas(
    app, login_as, make_location, make_user, mini_version
):
    make_location("KL", code="KL-9")
    jkt = make_location("JKT", code="JKT-9")
    shopper = make_user("shopper")
    manager = login_as("area_manager", areas=("KL",))
    response = manager.post(
        "/api/v1/assignments",
        json={
            "location_id": jkt,
            "checklist_key": "mini",
            "shopper_id": shopper,
            "window_start": "2026-10-06T00:00:00+00:00",
            "window_end": "2026-10-05T00:00:00+00:00",
        },
    )
    assert response.status_code == 422
    errors = response.json["errors"]["json"]
    assert errors["location_id"] == [f"no active location {jkt} in your areas"]
    assert errors["window_end"] == ["must be after window_start"]


def test_login_as_shopper_through_api_then_visit_then_review_end_to_end(
    app, make_user, visit_payload
):
    make_user("shopper", email="e2e@example.com", allow_adhoc=True)
    make_user("reviewer", email="e2e-rev@example.com")
    phone, laptop = app.test_client(), app.test_client()
    assert api_login(phone, "e2e@example.com").status_code == 200
    assert api_login(laptop, "e2e-rev@example.com").status_code == 200
    visit = submit(phone, visit_payload())
    queue = laptop.get("/admin/review").get_data(as_text=True)
    assert f"/admin/review/{visit['id']}" in queue
