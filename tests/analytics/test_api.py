"""The JSON API gives the dashboard's figures, in the same scope, documented in OpenAPI."""

from __future__ import annotations

import statistics

import pytest

from .conftest import NOT_GREETED, PERFECT, SCRIPTED


def test_location_report_as_json(login_as, network):
    client = login_as("area_manager", areas=("KL",))
    body = client.get(f"/api/v1/analytics/locations/{network.ids['A']}?period=2026-10").json
    assert body["subject"]["code"] == "KL-A" and body["period"]["key"] == "2026-10"
    summary = body["summary"]
    scores = [PERFECT, NOT_GREETED, PERFECT, SCRIPTED]
    assert summary["visits"] == 4 and summary["pass_rate"] == 0.75
    assert summary["mean"] == pytest.approx(statistics.mean(scores))
    assert summary["sd"] == pytest.approx(statistics.stdev(scores))
    assert (summary["min"], summary["max"]) == (NOT_GREETED, PERFECT)
    greeted = next(s for s in body["standards"] if s["id"] == "greeted")
    assert greeted["compliance"]["met"] == 3 and greeted["compliance"]["verdict"] == "inconsistent"
    assert greeted["compliance"]["interval"]["low"] == pytest.approx(0.3006, abs=1e-4)
    assert greeted["vs_area"]["direction"] == "not_enough_visits"
    assert [f["id"] for f in body["focus"]] == ["greeted", "farewell"]
    assert body["network_standing"] == {
        "rank": 1,
        "of": 2,
        "shrunk": pytest.approx(body["network_standing"]["shrunk"]),
    }
    assert len(body["trend"]) == 12 and body["thresholds"]["min_n"] == 3
    assert [v["id"] for v in body["visits"]] == list(reversed(network.visits["A"]))
    assert "shopper" not in str(body).lower()


def test_compare_as_json_sorted_and_scoped(login_as, network):
    client = login_as("area_manager", areas=("KL",))
    body = client.get("/api/v1/analytics/compare?period=2026-10&sort=score&dir=asc").json
    assert [row["code"] for row in body["rows"]] == ["KL-A", "KL-B"]
    assert body["rows"][1]["standing"]["rank"] is None
    assert body["network"]["n"] == 9 and body["totals"]["n"] == 6
    assert len(body["trend_buckets"]) == 12


def test_overview_as_json(login_as, network):
    body = login_as("admin").get("/api/v1/analytics/overview?period=2026-10").json
    assert body["subject"]["kind"] == "network" and body["summary"]["n"] == 9
    area = login_as("admin").get(
        f"/api/v1/analytics/overview?period=2026-10&area={network.ids['JKT']}"
    )
    assert area.json["summary"]["n"] == 3


def test_scope_outside_is_not_found(login_as, network):
    manager = login_as("area_manager", areas=("KL",))
    assert manager.get(f"/api/v1/analytics/locations/{network.ids['C']}").status_code == 404
    assert manager.get(f"/api/v1/analytics/compare?area={network.ids['JKT']}").status_code == 404
    branch = login_as("branch_manager", location_code="KL-B")
    assert branch.get(f"/api/v1/analytics/locations/{network.ids['B']}").status_code == 200
    assert branch.get(f"/api/v1/analytics/locations/{network.ids['A']}").status_code == 404
    assert branch.get("/api/v1/analytics/compare").status_code == 403
    assert login_as("shopper").get("/api/v1/analytics/overview").status_code == 403


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("period=2026-13", "period", "no month 13"),
        ("from=2026-10-01", "to", "both dates"),
        ("from=2026-10-31&to=2026-10-01", "period", "before the start"),
        ("checklist=nope", "checklist", "unknown checklist"),
        ("sort=password", "sort", "must be one of"),
    ],
)
def test_bad_arguments_name_the_field(login_as, network, query, field, message):
    response = login_as("admin").get(f"/api/v1/analytics/compare?{query}")
    assert response.status_code == 422
    errors = response.json["errors"]["query"]
    assert message in " ".join(errors[field])


def test_the_analytics_api_is_in_the_openapi_document(app):
    spec = app.test_client().get("/api/v1/openapi.json").json
    assert "/api/v1/analytics/locations/{location_id}" in spec["paths"]
    assert "AnalyticsReport" in spec["components"]["schemas"]
