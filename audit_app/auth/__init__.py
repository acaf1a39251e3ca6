"""Authentication, sessions, access rules, CSRF and login rate limits."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from . import access

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)

# flask-smorest's own document endpoints: public, read-only
PUBLIC_ENDPOINTS = {"api-docs.openapi_json"}


def init_app(app: Flask) -> None:
    from . import sessions

    login_manager.init_app(app)
    login_manager.session_protection = None  # the server-side session row is the protection

    @login_manager.request_loader
    def load_user_from_session(_request):
        login = sessions.current()
        return login.user if login else None

    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    access.init_app(app, PUBLIC_ENDPOINTS)
