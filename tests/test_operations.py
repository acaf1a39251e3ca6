"""Operations: readiness, request ids, JSON logs, database outages answered with 503."""

from __future__ import annotations

import json
import logging

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from audit_app.extensions import db
from audit_app.models import Answer, Visit


def test_readyz_reports_database_migrations_and_storage(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "ready"
    assert body["checks"]["migrations"]["revision"]
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["storage"] == {"ok": True}


def test_readyz_is_503_when_storage_is_not_writable(app, client, tmp_path):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    old = app.config.get("PHOTO_DIR")
    app.config["PHOTO_DIR"] = str(blocked / "photos")
    try:
        response = client.get("/readyz")
    finally:
        app.config["PHOTO_DIR"] = old
    assert response.status_code == 503
    assert response.json["checks"]["storage"]["ok"] is False


def test_every_response_carries_a_request_id(client):
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    echoed = client.get("/healthz", headers={"X-Request-ID": "lb-1234"})
    assert echoed.headers["X-Request-ID"] == "lb-1234"
    hostile = client.get("/healthz", headers={"X-Request-ID": "<script>" * 20})
    assert hostile.headers["X-Request-ID"] != "<script>" * 20


def test_json_log_lines_carry_the_request_id(app):
    from audit_app.observability import JsonFormatter

    records = []

    class Capture(logging.Handler):
        def emit(self, record):
            records.append(JsonFormatter().format(record))

    handler = Capture()
    logging.getLogger("audit_app.access").addHandler(handler)
    try:
        app.test_client().get("/healthz", headers={"X-Request-ID": "trace-42"})
    finally:
        logging.getLogger("audit_app.access").removeHandler(handler)
    line = json.loads(records[-1])
    assert line["request_id"] == "trace-42" and line["status"] == 200
    assert line["path"] == "/healthz" and "duration_ms" in line


def _outage_midway_then_retry(app, client, payload, monkeypatch, fail) -> None:
    """Submit with `fail(session)` run after the answers were inserted: 503 and nothing
    stored; then the phone's retry of the same visit is stored once."""
    from audit_app.services import visits as visit_service

    real_insert = visit_service._insert_children

    def insert_then_fail(session, visit, *rows):
        real_insert(session, visit, *rows)
        fail(session)

    monkeypatch.setattr(visit_service, "_insert_children", insert_then_fail)
    response = client.post("/api/v1/visits", json=payload)

    assert response.status_code == 503, response.json
    assert response.headers["Retry-After"] == "5"
    assert "nothing was stored" in response.json["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Visit.id))) == 0
        assert db.session.scalar(select(func.count(Answer.id))) == 0
    monkeypatch.undo()
    assert client.post("/api/v1/visits", json=payload).status_code == 201
    with app.app_context():
        assert db.session.scalar(select(func.count(Visit.id))) == 1


def test_database_outage_during_submission_is_a_503_and_stores_nothing(
    app, login_as, visit_payload, monkeypatch
):
    def line_drops(session):
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    client = login_as("shopper", allow_adhoc=True)
    _outage_midway_then_retry(app, client, visit_payload(), monkeypatch, line_drops)


def test_proxy_fix_trusts_the_configured_number_of_proxies():
    from flask import Flask, request

    from audit_app import trust_proxies

    app = Flask(__name__)
    seen = {}

    @app.get("/")
    def index():
        seen["scheme"], seen["addr"] = request.scheme, request.remote_addr
        return "ok"

    trust_proxies(app, 1)
    app.test_client().get(
        "/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7, 203.0.113.9"}
    )
    assert seen == {"scheme": "https", "addr": "203.0.113.9"}  # only the last hop is trusted


def test_postgres_connection_killed_mid_submission_is_a_503_and_the_retry_succeeds(
    app, login_as, visit_payload, monkeypatch
):
    """A real outage: the server ends the connection after the answers were inserted."""
    import pytest
    from sqlalchemy import text

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL only: SQLite has no server connection to lose")

    def server_ends_connection(session):
        session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))

    client = login_as("shopper", allow_adhoc=True)
    _outage_midway_then_retry(app, client, visit_payload(), monkeypatch, server_ends_connection)
