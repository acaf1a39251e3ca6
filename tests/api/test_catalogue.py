"""Checklists and locations as the phone reads them; the OpenAPI document."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate


@pytest.fixture
def client(login_as):
    return login_as("shopper")


def test_checklist_list_and_version_lookup(client, mini_version):
    listing = client.get("/api/v1/checklists")
    assert listing.status_code == 200
    (entry,) = listing.json
    assert entry["key"] == "mini" and entry["content_hash"] == mini_version
    assert [v["version"] for v in entry["versions"]] == [1]

    for ref in ("latest", "1", mini_version):
        detail = client.get(f"/api/v1/checklists/mini/versions/{ref}")
        assert detail.status_code == 200
        item = detail.json["checklist"]["sections"][0]["items"][0]
        assert item["text"] == {"en": "Greeted within 10 seconds", "ms": "Disapa dalam 10 saat"}


def test_unknown_checklist_version_is_404(client, mini_version):
    response = client.get("/api/v1/checklists/mini/versions/7")
    assert response.status_code == 404
    assert response.json["message"] == "checklist 'mini' has no version '7'"


def test_locations_list_has_area_but_no_contact_email(client, make_location):
    make_location(code="KL-9", name="Mid Valley", contact_email="boss@example.com")
    (location,) = client.get("/api/v1/locations").json
    assert location["code"] == "KL-9" and location["area"]["code"] == "KL"
    assert "contact_email" not in location


def test_openapi_document_is_valid_openapi_3(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert {
        "/api/v1/visits",
        "/api/v1/visits/{visit_id}",
        "/api/v1/checklists",
        "/api/v1/locations",
    } <= set(spec["paths"])
    assert spec["paths"]["/api/v1/visits"]["post"]["summary"].startswith("Submit a visit")


def test_health_endpoint(client):
    assert client.get("/healthz").json == {"status": "ok"}
