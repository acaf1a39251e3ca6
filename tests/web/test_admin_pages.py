"""The admin pages as a new user meets them: forms, errors beside fields, the whole flow."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import Area, AuditEntry, Location, User
from tests.conftest import PASSWORD, api_login


def token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def form_login(client, email: str, password: str = PASSWORD):
    page = client.get("/login").get_data(as_text=True)
    return client.post(
        "/login", data={"csrf_token": token(page), "email": email, "password": password}
    )


def post_form(client, path: str, data: dict, **kwargs):
    page = client.get(path).get_data(as_text=True)
    return client.post(path, data={"csrf_token": token(page), **data}, **kwargs)


def field_error(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', html)
    return match.group(1) if match else ""


def test_new_admin_builds_a_network_and_a_visit_goes_through_review(app, runner, mini_version):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "boss@example.com",
            "--name",
            "Boss",
            "--role",
            "admin",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    admin = app.test_client()
    assert form_login(admin, "boss@example.com").status_code == 302

    assert (
        post_form(admin, "/admin/areas", {"code": "KL", "name": "Kuala Lumpur"}).status_code == 302
    )
    assert post_form(admin, "/admin/areas", {"code": "JKT", "name": "Jakarta"}).status_code == 302
    with app.app_context():
        kl = db.session.scalar(select(Area.id).where(Area.code == "KL"))
        jkt = db.session.scalar(select(Area.id).where(Area.code == "JKT"))
    for code, area in (("KL-1", kl), ("JKT-1", jkt)):
        response = post_form(
            admin,
            "/admin/locations",
            {
                "code": code,
                "name": f"Branch {code}",
                "area_id": area,
                "timezone": "Asia/Jakarta",
                "language": "en",
                "active": "y",
                "latitude": "",
                "longitude": "",
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    users = [
        {"email": "shop@example.com", "name": "Sam Shopper", "role": "shopper"},
        {"email": "rev@example.com", "name": "Rae Reviewer", "role": "reviewer"},
        {"email": "am@example.com", "name": "Ann Area", "role": "area_manager", "areas": "KL"},
        {
            "email": "bm@example.com",
            "name": "Bob Branch",
            "role": "branch_manager",
            "location": "JKT-1",
        },
    ]
    for user in users:
        response = post_form(admin, "/admin/users", {**user, "password": PASSWORD})
        assert response.status_code == 302, field_error(response.get_data(as_text=True), "password")
    with app.app_context():
        kl1 = db.session.scalar(select(Location.id).where(Location.code == "KL-1"))
        shopper_id = db.session.scalar(select(User.id).where(User.email == "shop@example.com"))
    response = post_form(
        admin,
        "/admin/assignments",
        {
            "location_id": kl1,
            "checklist_key": "mini",
            "shopper_id": shopper_id,
            "window_start": "2026-10-06T00:00",
            "window_end": "2026-10-08T00:00",
            "scenario": "Ask to return an item.",
        },
    )
    assert response.status_code == 302
    assert "Ask to return an item." in admin.get("/admin/assignments").get_data(as_text=True)

    phone = app.test_client()
    assert api_login(phone, "shop@example.com").status_code == 200
    (assignment,) = phone.get("/api/v1/assignments?upcoming=false").json
    visit = phone.post(
        "/api/v1/visits",
        json={
            "client_uuid": "6f1c1d1e-2b1a-4c7e-9a57-0d9b5d3f0a11",
            "location_id": kl1,
            "checklist_version": mini_version,
            "assignment_id": assignment["id"],
            "started_at": "2026-10-07T03:00:00+00:00",
            "answers": [
                {"item_id": "greeted", "value": True},
                {"item_id": "name_used", "na": True},
                {"item_id": "warmth", "value": 5},
                {"item_id": "rude", "value": True},
                {"item_id": "time_to_greeting", "value": 12},
                {"item_id": "farewell", "value": "personal"},
            ],
        },
    )
    assert visit.status_code == 201, visit.json

    reviewer = app.test_client()
    form_login(reviewer, "rev@example.com")
    page = reviewer.get(f"/admin/review/{visit.json['id']}").get_data(as_text=True)
    assert "Sam Shopper" in page
    approve_token = re.search(
        r'id="approve-csrf_token" name="approve-csrf_token" '
        r'type="hidden" value="([^"]+)"',
        page,
    ).group(1)
    approved = reviewer.post(
        f"/admin/review/{visit.json['id']}/approve", data={"approve-csrf_token": approve_token}
    )
    assert approved.status_code == 302

    area_manager, other_branch = app.test_client(), app.test_client()
    api_login(area_manager, "am@example.com")
    api_login(other_branch, "bm@example.com")
    seen = area_manager.get(f"/api/v1/visits/{visit.json['id']}")
    assert seen.status_code == 200 and seen.json["status"] == "approved"
    assert "shopper" not in seen.json
    assert other_branch.get(f"/api/v1/visits/{visit.json['id']}").status_code == 404
    assert other_branch.get("/api/v1/visits").json == []

    log = admin.get("/admin/audit").get_data(as_text=True)
    for action in (
        "area.create",
        "location.create",
        "user.create",
        "assignment.create",
        "visit.approve",
        "login",
    ):
        assert f"<td>{action}</td>" in log


def test_forms_show_errors_beside_the_fields(app, login_as):
    admin = login_as("admin")
    area = admin.post("/admin/areas", data={"code": "bad code!", "name": ""})
    html = area.get_data(as_text=True)
    assert "letters, digits" in field_error(html, "code")
    assert "required" in field_error(html, "name").lower()

    user = admin.post(
        "/admin/users",
        data={"email": "not-an-email", "name": "X", "role": "area_manager", "password": "short"},
    )
    html = user.get_data(as_text=True)
    assert "Invalid email" in field_error(html, "email")
    assert "at least 10" in field_error(html, "password")

    location = admin.post(
        "/admin/locations",
        data={"code": "X-1", "name": "X", "timezone": "Mars/Base", "latitude": "99"},
    )
    html = location.get_data(as_text=True)
    assert "Unknown time zone" in field_error(html, "timezone")
    assert "between -90" in field_error(html, "latitude")


def test_area_manager_without_areas_is_refused_beside_the_field(app, login_as):
    admin = login_as("admin")
    response = admin.post(
        "/admin/users",
        data={
            "email": "am2@example.com",
            "name": "No Area",
            "role": "area_manager",
            "password": PASSWORD,
        },
    )
    assert "needs at least one area" in field_error(response.get_data(as_text=True), "areas")
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "am2@example.com")) is None


def test_csv_import_page_reports_each_bad_row_and_imports_nothing(app, login_as):
    admin = login_as("admin")
    csv = b"code,name,area_code,latitude\nKL-1,Good,KL,3.1\nKL-2,Bad,KL,123\n"
    response = admin.post(
        "/admin/locations/import",
        content_type="multipart/form-data",
        data={"import-file": (io.BytesIO(csv), "branches.csv")},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "line 3 (KL-2): latitude" in html and "nothing was imported" in html
    with app.app_context():
        assert db.session.scalars(select(Location)).all() == []

    good = admin.post(
        "/admin/locations/import",
        content_type="multipart/form-data",
        data={"import-file": (io.BytesIO(b"code,name,area_code\nKL-1,One,KL\n"), "b.csv")},
    )
    assert good.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Location.code)) == "KL-1"
        assert db.session.scalar(
            select(AuditEntry.action).where(AuditEntry.action == "location.import")
        )


def test_deactivating_from_the_users_page_ends_the_session(app, login_as):
    admin = login_as("admin")
    victim = login_as("shopper")
    response = admin.post(f"/admin/users/{victim.user_id}/active")
    assert response.status_code == 302
    assert victim.get("/api/v1/auth/me").status_code == 401
