"""Login, sessions, CSRF, rate limits, headers, cookies and the production secret check."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import AuditEntry, LoginSession
from tests.conftest import PASSWORD, api_login, csrf_token

IN_CI = os.environ.get("CI") == "true"


def entries(app, action):
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
        db.session.remove()
    return rows


def age_sessions(app, **ago: timedelta) -> None:
    """Move stored session times into the past (what time passing would do)."""
    with app.app_context():
        for login in db.session.scalars(select(LoginSession)):
            for name, delta in ago.items():
                setattr(login, name, getattr(login, name) - delta)
        db.session.commit()
        db.session.remove()


def test_password_is_stored_as_argon2id(app, make_user):
    from audit_app.models import User

    user_id = make_user("admin")
    with app.app_context():
        stored = db.session.get(User, user_id).password_hash
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$") and PASSWORD not in stored


def test_login_rotates_the_session_and_logout_ends_it_on_the_server(app, make_user):
    make_user("reviewer", email="r@example.com")
    client = app.test_client()
    token = csrf_token(client)
    before = client.get_cookie("audit_session").value

    response = client.post(
        "/api/v1/auth/login",
        headers={"X-CSRFToken": token},
        json={"email": "r@example.com", "password": PASSWORD},
    )
    assert response.status_code == 200
    after = client.get_cookie("audit_session").value
    assert after != before
    assert response.json["csrf_token"] != token  # the pre-login token is gone
    stolen_cookie = after

    client.environ_base["HTTP_X_CSRFTOKEN"] = response.json["csrf_token"]
    assert client.post("/api/v1/auth/logout").status_code == 204
    # replaying the old cookie after logout does not bring the session back
    replay = app.test_client()
    replay.set_cookie("audit_session", stolen_cookie)
    assert replay.get("/api/v1/auth/me").status_code == 401
    assert entries(app, "logout")


def test_failed_logins_say_the_same_thing_whatever_was_wrong(app, make_user):
    make_user("shopper", email="s@example.com")
    inactive = make_user("shopper", email="gone@example.com")
    from audit_app.services.accounts import set_active

    with app.app_context():
        set_active(inactive, False)
    answers = []
    for email, password in [
        ("s@example.com", "wrong password"),
        ("nobody@example.com", PASSWORD),
        ("gone@example.com", PASSWORD),
    ]:
        response = api_login(app.test_client(), email, password)
        answers.append((response.status_code, response.json["message"]))
    assert len(set(answers)) == 1 and answers[0][0] == 401
    assert len(entries(app, "login.failed")) == 3


def test_login_page_shows_the_error_beside_the_field(app, make_user):
    make_user("admin", email="adm@example.com")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login", data={"csrf_token": token, "email": "adm@example.com", "password": "nope"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert 'id="password-error"' in html and "Email or password is incorrect" in html


def test_login_with_the_form_lands_on_the_role_start_page(app, make_user):
    make_user("reviewer", email="rv@example.com")
    client = app.test_client()
    page = client.get("/login?next=/admin/review").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login?next=https://evil.example/",
        data={"csrf_token": token, "email": "rv@example.com", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/review"  # never an open redirect


def test_staff_session_ends_after_idle_limit(app, login_as):
    client = login_as("reviewer")
    assert client.get("/api/v1/auth/me").status_code == 200
    age_sessions(app, last_seen_at=timedelta(minutes=29))
    assert client.get("/api/v1/auth/me").status_code == 200
    age_sessions(app, last_seen_at=timedelta(minutes=31))
    assert client.get("/api/v1/auth/me").status_code == 401


def test_staff_session_ends_at_absolute_limit_even_when_active(app, login_as):
    client = login_as("admin")
    with app.app_context():
        login = db.session.scalars(select(LoginSession)).one()
        assert login.expires_at - login.created_at == timedelta(hours=12)
        db.session.remove()
    # active a minute ago, but the login is 12 hours and a minute old
    age_sessions(
        app, created_at=timedelta(hours=12, minutes=1), expires_at=timedelta(hours=12, minutes=1)
    )
    assert client.get("/api/v1/auth/me").status_code == 401


def test_remembered_shopper_phone_stays_logged_in_for_weeks(app, make_user):
    make_user("shopper", email="phone@example.com")
    client = app.test_client()
    assert api_login(client, "phone@example.com", remember=True).status_code == 200
    with app.app_context():
        login = db.session.scalars(select(LoginSession)).one()
        assert login.expires_at - login.created_at == timedelta(days=90)
        db.session.remove()
    age_sessions(app, last_seen_at=timedelta(days=10))
    assert client.get("/api/v1/auth/me").status_code == 200


def test_deactivating_a_user_ends_their_sessions_at_once(app, login_as):
    from audit_app.services.accounts import set_active

    client = login_as("shopper")
    with app.app_context():
        set_active(client.user_id, False)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_state_changing_api_call_without_csrf_token_is_refused(app, login_as, visit_payload):
    client = login_as("shopper", allow_adhoc=True)
    del client.environ_base["HTTP_X_CSRFTOKEN"]
    response = client.post("/api/v1/visits", json=visit_payload())
    assert response.status_code == 400
    assert "CSRF" in response.json["message"]
    forged = client.post("/api/v1/visits", json=visit_payload(), headers={"X-CSRFToken": "forged"})
    assert forged.status_code == 400


def test_form_post_without_csrf_token_is_refused(app, login_as):
    client = login_as("admin")
    del client.environ_base["HTTP_X_CSRFTOKEN"]
    response = client.post("/admin/areas", data={"code": "NEW", "name": "New"})
    assert response.status_code == 400
    assert client.get("/admin/areas").get_data(as_text=True).count("NEW") == 0


def test_login_attempts_are_rate_limited_without_naming_the_account(app, make_user):
    make_user("shopper", email="rl@example.com")
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        client = app.test_client()
        codes = [api_login(client, "rl@example.com", "wrong").status_code for _ in range(4)]
        blocked = api_login(client, "rl@example.com", PASSWORD)
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert codes == [401, 401, 401, 429]
    assert blocked.status_code == 429  # even the right password waits
    assert "rl@example.com" not in blocked.get_data(as_text=True)
    assert "Retry-After" in blocked.headers


REDIS_SCRIPT = """
import sys
from audit_app import create_app
from audit_app.extensions import db
from tests.conftest import api_login

config = {"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": sys.argv[1],
          "RATELIMIT_STORAGE_URI": sys.argv[2], "LOGIN_RATE_LIMIT": "2 per minute"}
app = create_app(config)
with app.app_context():
    db.create_all()
print(api_login(app.test_client(), "x@example.com", "wrong").status_code)
"""


def test_rate_limits_are_shared_through_redis_when_configured(tmp_path):
    """Separate app processes behind a balancer share one login counter in Redis."""
    import subprocess
    import sys

    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.ConnectionError:
        if IN_CI:
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    redis.Redis.from_url(url).flushdb()
    database = f"sqlite:///{tmp_path / 'redis-test.db'}"
    codes = []
    try:
        for _ in range(3):  # three processes, like three app servers
            out = subprocess.run(
                [sys.executable, "-c", REDIS_SCRIPT, database, url],
                capture_output=True,
                text=True,
                timeout=60,
                cwd=Path(__file__).parent.parent.parent,
            )
            assert out.returncode == 0, out.stderr
            codes.append(int(out.stdout.strip().splitlines()[-1]))
        keys = redis.Redis.from_url(url).keys("*")
    finally:
        redis.Redis.from_url(url).flushdb()
    assert codes == [401, 401, 429]
    assert keys  # the counters live in Redis, not in a process


def test_security_headers_on_every_response(client):
    for path in ("/login", "/api/v1/openapi.json", "/healthz", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        for directive in (
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
            "script-src 'self'",
        ):
            assert directive in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in headers


def test_https_adds_hsts_and_secure_cookies(app, make_user):
    make_user("admin", email="tls@example.com")
    client = app.test_client()
    token = client.get("/api/v1/auth/csrf", base_url="https://localhost").json["csrf_token"]
    response = client.post(
        "/api/v1/auth/login",
        base_url="https://localhost",
        headers={"X-CSRFToken": token, "Referer": "https://localhost/login"},
        json={"email": "tls@example.com", "password": PASSWORD},
    )
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_httponly_and_samesite(app):
    response = app.test_client().get("/api/v1/auth/csrf")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("secret", [None, "dev-insecure-secret-change-me", "short"])
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    from audit_app import create_app

    config = {
        "ENV_NAME": "production",
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "SECRET_KEY": secret,
    }
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_production_starts_with_a_long_random_secret():
    from audit_app import create_app

    app = create_app(
        {"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 48}
    )
    assert app.config["SECRET_KEY"] == "x" * 48


def test_unexpected_error_shows_a_page_without_internals(app):
    from audit_app.auth.access import PUBLIC, allow

    @allow(PUBLIC)
    def boom():
        raise RuntimeError("secret internals: db password is hunter2")

    app.view_functions.setdefault("boom_html", boom)
    app.url_map.add(app.url_rule_class("/boom-html", endpoint="boom_html", methods=["GET"]))
    app.view_functions.setdefault("boom_api", boom)
    app.url_map.add(app.url_rule_class("/api/v1/boom", endpoint="boom_api", methods=["GET"]))
    client = app.test_client()
    page, api = client.get("/boom-html"), client.get("/api/v1/boom")
    assert page.status_code == 500 and b"hunter2" not in page.data
    assert api.status_code == 500 and api.json["status"] == "Internal Server Error"
    assert b"hunter2" not in api.data
