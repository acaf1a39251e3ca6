"""Configuration from environment variables, with paths to the top-level folders."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path


def _project_root() -> Path:
    """The checkout holding templates/, static/ and checklists/ (they live outside the package)."""
    if env := os.environ.get("AUDIT_APP_ROOT"):
        return Path(env).resolve()
    here = Path(__file__).resolve().parent.parent
    if (here / "templates").is_dir():
        return here
    return Path.cwd()


ROOT = _project_root()
DEFAULT_SECRET = "dev-insecure-secret-change-me"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Production-shaped defaults; every value can come from the environment."""

    ENV_NAME = os.environ.get("AUDIT_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET)
    # None -> sqlite:///<instance>/audit.db, resolved in create_app
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "15000"))
    CHECKLISTS_DIR = Path(os.environ.get("CHECKLISTS_DIR", ROOT / "checklists"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(16 * 1024 * 1024)))

    # sessions: a remembered shopper's phone stays logged in; staff sessions are short
    SHOPPER_SESSION_DAYS = int(os.environ.get("SHOPPER_SESSION_DAYS", "90"))
    SHOPPER_IDLE_DAYS = int(os.environ.get("SHOPPER_IDLE_DAYS", "30"))
    STAFF_IDLE_MINUTES = int(os.environ.get("STAFF_IDLE_MINUTES", "30"))
    STAFF_SESSION_HOURS = int(os.environ.get("STAFF_SESSION_HOURS", "12"))
    PERMANENT_SESSION_LIFETIME = timedelta(days=SHOPPER_SESSION_DAYS)
    SESSION_COOKIE_NAME = "audit_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # set HTTPS=true behind TLS: secure cookies and HSTS
    HTTPS = _bool("HTTPS", False)
    SESSION_COOKIE_SECURE = HTTPS
    # a phone may stay offline for days: the CSRF token lives as long as the session
    WTF_CSRF_TIME_LIMIT = None
    REDIS_URL = os.environ.get("REDIS_URL")
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "5 per minute; 30 per hour")
    # behind N reverse proxies, trust N X-Forwarded-* hops (0: direct)
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    LOG_JSON = _bool("LOG_JSON", True)
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    ACCESS_LOG = _bool("ACCESS_LOG", True)
    # evidence flags for reviewers
    FLAG_DISTANCE_M = float(os.environ.get("FLAG_DISTANCE_M", "500"))
    FLAG_CLOCK_SKEW_S = float(os.environ.get("FLAG_CLOCK_SKEW_S", "300"))

    # consistency classification (see docs/statistics.md)
    CONSISTENCY_MET_AT = float(os.environ.get("CONSISTENCY_MET_AT", "0.85"))
    CONSISTENCY_MISSED_BELOW = float(os.environ.get("CONSISTENCY_MISSED_BELOW", "0.5"))
    MIN_VISITS_FOR_VERDICT = int(os.environ.get("MIN_VISITS_FOR_VERDICT", "3"))

    # flask-smorest / OpenAPI
    API_TITLE = "Mystery-shopper audit API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    JSON_SORT_KEYS = False


class TestConfig(Config):
    TESTING = True
    ENV_NAME = "testing"
    SECRET_KEY = "test-secret"
    # many logins from 127.0.0.1 per test; the rate-limit tests lower this themselves
    LOGIN_RATE_LIMIT = "1000 per minute"
    RATELIMIT_STORAGE_URI = "memory://"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL")
