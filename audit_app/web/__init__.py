"""Server-rendered pages, error pages and security headers."""

from flask import Flask

from . import admin, auth, errors, health, security


def init_app(app: Flask) -> None:
    app.register_blueprint(health.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    errors.init_app(app)
    security.init_app(app)
