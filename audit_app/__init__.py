"""Mystery-shopper audit app."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import ROOT, Config

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: type | dict[str, Any] | None = None) -> Flask:
    """Build the app: load config, then let each part attach itself."""
    # imported here so the pure core (audit_app.checklists, scoring, stats) loads without Flask
    from flask import Flask

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
    )
    from .web.converters import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(
        app.config.get("SQLALCHEMY_DATABASE_URI"), Path(app.instance_path)
    )

    check_secret_key(app.config)

    from . import api, auth, cli, database, observability, web
    from .extensions import db, migrate

    observability.init_app(app)
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    auth.init_app(app)
    api.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    return app


def trust_proxies(app: Flask, hops: int) -> None:
    """Behind `hops` reverse proxies, take client address and scheme from X-Forwarded-*."""
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)


def check_secret_key(config) -> None:
    """Refuse to run in production with a missing, default or short SECRET_KEY."""
    from .config import DEFAULT_SECRET

    if config.get("ENV_NAME") != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEFAULT_SECRET or len(key) < 32:
        raise RuntimeError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production "
            "(AUDIT_ENV=production); for example: python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'"
        )


def database_url(url: str | None, instance: Path) -> str:
    """SQLite in the instance folder by default; postgres:// URLs use psycopg 3."""
    if not url:
        return f"sqlite:///{instance / 'audit.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
