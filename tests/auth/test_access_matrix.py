"""Every role x every endpoint -> the expected status; plus IDOR cases and the deny default."""

from __future__ import annotations

import uuid

import pytest

from audit_app.auth import PUBLIC_ENDPOINTS
from audit_app.auth.access import rule_for
from tests.auth.conftest import ROLES
from tests.conftest import csrf_token

# (method, path, statuses for: anonymous, shopper, reviewer, area_manager, branch_manager, admin)
# POST bodies are empty or invalid on purpose: a permitted role gets 4xx/re-render, no change.
MATRIX = [
    ("GET", "/", (302, 302, 302, 302, 302, 302)),  # each role to its start (branch: its page)
    ("GET", "/healthz", (200, 200, 200, 200, 200, 200)),
    ("GET", "/readyz", (200, 200, 200, 200, 200, 200)),
    ("GET", "/login", (200, 200, 200, 200, 200, 200)),
    ("POST", "/login", (401, 401, 401, 401, 401, 401)),
    ("GET", "/admin/areas", (302, 403, 403, 403, 403, 200)),
    ("POST", "/admin/areas", (302, 403, 403, 403, 403, 200)),
    ("GET", "/admin/areas/{KL}", (302, 403, 403, 403, 403, 200)),
    # an edit form posted without fields keeps the stored values: saved, redirected
    ("POST", "/admin/areas/{KL}", (302, 403, 403, 403, 403, 302)),
    ("GET", "/admin/locations", (302, 403, 403, 403, 403, 200)),
    ("POST", "/admin/locations", (302, 403, 403, 403, 403, 200)),
    ("GET", "/admin/locations/{L1}", (302, 403, 403, 403, 403, 200)),
    ("POST", "/admin/locations/{L1}", (302, 403, 403, 403, 403, 302)),
    ("POST", "/admin/locations/import", (302, 403, 403, 403, 403, 422)),
    ("GET", "/admin/users", (302, 403, 403, 403, 403, 200)),
    ("POST", "/admin/users", (302, 403, 403, 403, 403, 200)),
    ("GET", "/admin/users/{U_spare}", (302, 403, 403, 403, 403, 200)),
    ("POST", "/admin/users/{U_spare}", (302, 403, 403, 403, 403, 302)),
    ("POST", "/admin/users/{U_spare}/active", (302, 403, 403, 403, 403, 302)),
    ("GET", "/admin/assignments", (302, 403, 403, 200, 403, 200)),
    ("POST", "/admin/assignments", (302, 403, 403, 200, 403, 200)),
    ("POST", "/admin/assignments/{AS2}/cancel", (302, 403, 403, 302, 403, 302)),
    ("GET", "/admin/audit", (302, 403, 403, 403, 403, 200)),
    ("GET", "/admin/review", (302, 403, 200, 403, 403, 200)),
    ("GET", "/admin/review/{V2}", (302, 403, 200, 403, 403, 200)),
    ("POST", "/admin/review/{V1}/approve", (302, 403, 302, 403, 403, 302)),
    ("POST", "/admin/review/{V2}/return", (302, 403, 422, 403, 403, 422)),
    ("POST", "/admin/review/{V2}/correct", (302, 403, 422, 403, 403, 422)),
    ("GET", "/api/v1/openapi.json", (200, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/auth/csrf", (200, 200, 200, 200, 200, 200)),
    ("POST", "/api/v1/auth/login", (422, 422, 422, 422, 422, 422)),
    ("GET", "/api/v1/auth/me", (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/checklists", (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/checklists/mini/versions/latest", (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/locations", (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/assignments", (401, 200, 200, 200, 403, 200)),
    ("POST", "/api/v1/assignments", (401, 403, 403, 422, 403, 422)),
    ("GET", "/api/v1/assignments/{AS1}", (401, 200, 200, 200, 403, 200)),
    ("POST", "/api/v1/assignments/{AS2}/cancel", (401, 403, 403, 409, 403, 409)),
    ("GET", "/api/v1/visits", (401, 200, 200, 200, 200, 200)),
    ("POST", "/api/v1/visits", (401, 422, 403, 403, 403, 403)),
    ("GET", "/api/v1/visits/{V1}", (401, 200, 200, 200, 200, 200)),
    # IDOR: shopper A asks for shopper B's visit; the KL area manager for a JKT visit
    ("GET", "/api/v1/visits/{V2}", (401, 404, 200, 404, 404, 200)),
    ("GET", "/api/v1/visits/{V2}/history", (401, 403, 200, 403, 403, 200)),
    ("POST", "/api/v1/visits/{V1}/approve", (401, 403, 409, 403, 403, 409)),
    ("POST", "/api/v1/visits/{V1}/return", (401, 403, 422, 403, 403, 422)),
    ("POST", "/api/v1/visits/{V2}/corrections", (401, 403, 422, 403, 403, 422)),
    # the shopper's app: the same shell for everyone, the data behind a login
    ("GET", "/app", (200, 200, 200, 200, 200, 200)),
    ("GET", "/sw.js", (200, 200, 200, 200, 200, 200)),
    ("GET", "/manifest.webmanifest", (200, 200, 200, 200, 200, 200)),
    ("GET", "/favicon.ico", (200, 200, 200, 200, 200, 200)),
    ("POST", "/api/v1/photos", (401, 422, 403, 403, 403, 403)),
    # P1: shopper A's photo in V1 (approved, KL-100); P2: shopper B's in V2 (JKT)
    ("GET", "/api/v1/photos/{P1}", (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/photos/{P1}/thumbnail", (401, 200, 200, 200, 200, 200)),
    ("GET", "/api/v1/photos/{P2}", (401, 404, 200, 404, 404, 200)),
    ("GET", "/api/v1/photos/{P2}/thumbnail", (401, 404, 200, 404, 404, 200)),
    ("POST", "/api/v1/imports", (401, 422, 403, 403, 403, 422)),
    # reports: without ?period= a permitted role gets 422; out of scope is 404
    ("GET", "/locations/{L1}/report.pdf", (302, 403, 403, 422, 422, 422)),
    ("GET", "/locations/{L3}/report.pdf", (302, 403, 403, 404, 404, 422)),
    ("GET", "/r/not-a-valid-token", (403, 403, 403, 403, 403, 403)),
    ("GET", "/admin/send-log", (302, 403, 403, 403, 403, 200)),
    # dashboard: managers compare; a branch manager reads only their own location (L1)
    ("GET", "/dashboard", (302, 403, 200, 200, 302, 200)),
    ("GET", "/dashboard/compare", (302, 403, 200, 200, 403, 200)),
    ("GET", "/dashboard/locations/{L1}", (302, 403, 200, 200, 200, 200)),
    ("GET", "/dashboard/locations/{L3}", (302, 403, 200, 404, 404, 200)),
    ("GET", "/dashboard/visits/{V1}", (302, 403, 200, 200, 200, 200)),
    ("GET", "/dashboard/visits/{V2}", (302, 403, 200, 404, 404, 200)),
    ("GET", "/dashboard/export/compare.csv", (302, 403, 200, 200, 403, 200)),
    ("GET", "/dashboard/export/visits.xlsx", (302, 403, 200, 200, 200, 200)),
    ("GET", "/api/v1/analytics/overview", (401, 403, 200, 200, 403, 200)),
    ("GET", "/api/v1/analytics/compare", (401, 403, 200, 200, 403, 200)),
    ("GET", "/api/v1/analytics/locations/{L1}", (401, 403, 200, 200, 200, 200)),
    ("GET", "/api/v1/analytics/locations/{L3}", (401, 403, 200, 404, 404, 200)),
    # last: these end the sessions (the page logout runs with a fresh CSRF token)
    ("POST", "/api/v1/auth/logout", (401, 204, 204, 204, 204, 204)),
    ("POST", "/logout", (302, 302, 302, 302, 302, 302)),
]


@pytest.fixture
def photos(world, app, tmp_path, monkeypatch):
    """Two stored photos: shopper A's in visit V1, shopper B's in visit V2 (ids P1, P2)."""
    import io

    from PIL import Image

    from audit_app.extensions import db
    from audit_app.models import Photo, Visit
    from audit_app.services.photos import encode, photo_path, write_atomically

    monkeypatch.setitem(app.config, "PHOTO_DIR", str(tmp_path / "photos"))
    with app.test_request_context():
        for key, visit_key in (("P1", "V1"), ("P2", "V2")):
            data = io.BytesIO()
            Image.new("RGB", (40, 30), (10, 200, 30)).save(data, "PNG")
            encoded = encode(data.getvalue())
            write_atomically(photo_path(encoded.sha256), encoded.data)
            write_atomically(photo_path(encoded.sha256, thumbnail=True), encoded.thumb)
            visit = db.session.get(Visit, world.ids[visit_key])
            photo = Photo(
                client_uuid=uuid.uuid4(),
                shopper_id=visit.shopper_id,
                upload_sha256=encoded.sha256,
                sha256=encoded.sha256,
                original_format="PNG",
                width=encoded.width,
                height=encoded.height,
                size_bytes=len(encoded.data),
                thumb_width=encoded.thumb_size[0],
                thumb_height=encoded.thumb_size[1],
                visit_id=visit.id,
                item_id="greeted",
            )
            db.session.add(photo)
            db.session.commit()
            world.ids[key] = photo.id
        db.session.remove()
    return world


def test_every_role_gets_the_expected_status_on_every_endpoint(world, photos):
    mismatches = []
    for method, template, expected in MATRIX:
        path = template.format(**world.ids)
        for role, status in zip(ROLES, expected, strict=True):
            client = world.clients[role]
            if template == "/logout":  # the API logout above cleared the CSRF token too
                client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token(client)
            if method == "GET":
                response = client.get(path)
            elif path.startswith("/api/"):
                response = client.post(path, json={})
            else:
                response = client.post(path, data={})
            if response.status_code != status:
                mismatches.append(
                    f"{role:15} {method} {template}: {response.status_code} (expected {status})"
                )
    assert not mismatches, "\n".join(mismatches)


def test_matrix_covers_every_route_and_method(app):
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    covered = set()
    for method, template, _ in MATRIX:
        for rule in app.url_map.iter_rules():
            if method in rule.methods and _matches(rule, template):
                covered.add((method, rule.rule))
    assert routes - covered == set()


def _matches(rule, template: str) -> bool:
    import re

    pattern = re.sub(r"<[^>]+>", "[^/]+", rule.rule)
    return re.fullmatch(pattern, re.sub(r"\{[^}]+\}", "1", template)) is not None


def test_every_route_declares_its_access_rule(app):
    undeclared = [
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC_ENDPOINTS
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if rule_for(app, rule.endpoint, method) is None
    ]
    assert undeclared == []


def test_a_route_without_a_declaration_is_refused(app):
    def forgotten():
        return "secret"

    app.view_functions["forgotten"] = forgotten
    app.url_map.add(app.url_rule_class("/forgotten", endpoint="forgotten", methods=["GET"]))
    response = app.test_client().get("/forgotten")
    assert response.status_code == 403 and b"secret" not in response.data


@pytest.mark.parametrize("role", ["reviewer", "admin", "area_manager", "branch_manager"])
def test_only_admins_and_reviewers_see_who_the_shopper_was(world, role):
    body = world.clients[role].get(f"/api/v1/visits/{world.ids['V1']}").json
    if role in ("reviewer", "admin"):
        assert body["shopper"]["id"] == world.ids["U_shopper"]
    else:
        assert "shopper" not in body and "flags" not in body
        assert "a@example.com" not in str(body)


def test_branch_manager_sees_only_approved_visits_of_their_branch(world):
    listed = world.clients["branch_manager"].get("/api/v1/visits").json
    assert [v["id"] for v in listed] == [world.ids["V1"]]
    locations = world.clients["branch_manager"].get("/api/v1/locations").json
    assert [loc["code"] for loc in locations] == ["KL-100"]


def test_area_manager_lists_only_their_areas(world):
    codes = {loc["code"] for loc in world.clients["area_manager"].get("/api/v1/locations").json}
    assert codes == {"KL-001", "KL-100", "KL-200"}  # KL-001 comes from visit_payload
    visits = world.clients["area_manager"].get("/api/v1/visits").json
    assert {v["id"] for v in visits} == {world.ids["V1"]}


def test_no_api_response_contains_password_hashes_or_other_users_emails(world):
    client = world.clients["shopper"]
    for path in (
        "/api/v1/auth/me",
        "/api/v1/visits",
        f"/api/v1/visits/{world.ids['V1']}",
        "/api/v1/assignments",
        "/api/v1/locations",
    ):
        text = client.get(path).get_data(as_text=True)
        assert "argon2" not in text and "password" not in text
        assert "rev@example.com" not in text and "b@example.com" not in text
