"""flask privacy export|erase: a shopper's data on request; visits stay, anonymised."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from audit_app.extensions import db
from audit_app.models import AuditEntry, LoginSession, User, Visit
from tests.conftest import api_login


def test_export_contains_profile_logins_and_visits(app, runner, login_as, visit_payload, tmp_path):
    shopper = login_as("shopper", allow_adhoc=True, name="Siti Shopper")
    payload = visit_payload(checkin={"latitude": 3.1, "longitude": 101.6, "accuracy_m": 9})
    shopper.post("/api/v1/visits", json=payload)
    out = tmp_path / "export.json"
    result = runner.invoke(args=["privacy", "export", shopper.email, "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["profile"]["name"] == "Siti Shopper"
    assert data["logins"] and data["activity"][0]["action"] == "login"
    assert data["visits"][0]["client_uuid"] == payload["client_uuid"]
    assert data["visits"][0]["checkin"]["latitude"] == 3.1


def test_erase_removes_identity_and_traces_but_keeps_the_visit(
    app, runner, login_as, visit_payload
):
    shopper = login_as("shopper", allow_adhoc=True, name="Siti Shopper")
    visit = shopper.post(
        "/api/v1/visits",
        json=visit_payload(checkin={"latitude": 3.1, "longitude": 101.6, "accuracy_m": 9}),
    ).json

    result = runner.invoke(args=["privacy", "erase", shopper.email, "--yes"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.get(User, shopper.user_id)
        assert user.name.startswith("Erased user") and user.email.endswith("@erased.invalid")
        assert not user.active
        assert (
            db.session.scalar(
                select(func.count(LoginSession.id)).where(LoginSession.user_id == user.id)
            )
            == 0
        )
        stored = db.session.get(Visit, visit["id"])
        assert stored.score == visit["score"] and stored.checkin_latitude is None
        ips = db.session.scalars(select(AuditEntry.ip).where(AuditEntry.actor_id == user.id)).all()
        assert ips and set(ips) == {""}
        everything = json.dumps([e.details for e in db.session.scalars(select(AuditEntry))])
        assert shopper.email not in everything
    assert shopper.get("/api/v1/auth/me").status_code == 401
    assert api_login(app.test_client(), shopper.email).status_code == 401


def test_unknown_person_is_a_clear_error(runner, app):
    result = runner.invoke(args=["privacy", "erase", "nobody@example.com", "--yes"])
    assert result.exit_code == 1 and "no user with email nobody@example.com" in result.output
