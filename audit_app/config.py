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
    # visit photos: files named by content hash; None -> <instance folder>/photos
    PHOTO_DIR = os.environ.get("PHOTO_DIR")
    PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", str(10 * 1024 * 1024)))
    PHOTO_MAX_SIDE = int(os.environ.get("PHOTO_MAX_SIDE", "1600"))  # longest side once stored
    PHOTO_MAX_PIXELS = int(os.environ.get("PHOTO_MAX_PIXELS", str(50_000_000)))  # as uploaded
    PHOTO_THUMB_SIDE = int(os.environ.get("PHOTO_THUMB_SIDE", "320"))
    # `flask photos cleanup` deletes the photos of approved visits started more than this many
    # days ago (docs/deployment.md); 0 or unset keeps photos forever
    PHOTO_RETENTION_DAYS = int(os.environ.get("PHOTO_RETENTION_DAYS") or "0")
    # a backup file exported by the shopper's app carries its photos: allow more than a request
    IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(128 * 1024 * 1024)))

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
    # network aggregates per month kept in memory (docs/analytics.md); 0 turns the store off
    ANALYTICS_CACHE_CHUNKS = int(os.environ.get("ANALYTICS_CACHE_CHUNKS", "512"))
    # how often a stored month is compared with its visits, catching changes made outside
    # the app's services (manual SQL, bulk loads); audited changes are seen at once
    ANALYTICS_RECHECK_SECONDS = float(os.environ.get("ANALYTICS_RECHECK_SECONDS", "60"))
    # months of network figures a gunicorn worker reads before serving (gunicorn.conf.py)
    ANALYTICS_WARM_MONTHS = int(os.environ.get("ANALYTICS_WARM_MONTHS", "13"))

    # reports and their distribution (docs/reports.md)
    SMTP_HOST = os.environ.get("SMTP_HOST", "localhost")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "25"))
    SMTP_USER = os.environ.get("SMTP_USER")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD")
    SMTP_FROM = os.environ.get("SMTP_FROM", "reports@localhost")
    SMTP_STARTTLS = _bool("SMTP_STARTTLS", False)
    SMTP_TIMEOUT_S = float(os.environ.get("SMTP_TIMEOUT_S", "30"))
    # the address links in e-mails start with (the app as branches reach it)
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://localhost:5000")
    REPORT_LINK_MAX_AGE_DAYS = int(os.environ.get("REPORT_LINK_MAX_AGE_DAYS", "30"))
    # a PDF larger than this is sent as a signed link instead of an attachment
    REPORT_ATTACH_MAX_BYTES = int(os.environ.get("REPORT_ATTACH_MAX_BYTES", str(5 * 1024 * 1024)))
    REPORT_RENDER_TIMEOUT_S = float(os.environ.get("REPORT_RENDER_TIMEOUT_S", "60"))
    REPORT_ORGANISATION = os.environ.get("REPORT_ORGANISATION", "Mystery-shopper audit")
    # set to a Redis URL to render batches on a Celery queue instead of a local process pool
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL")

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
    # tests change visits by hand: check the analytics store against them on every read
    ANALYTICS_RECHECK_SECONDS = 0.0
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL")
