"""Server-rendered pages, error pages and security headers."""

from flask import Flask

from . import admin, auth, dashboard, errors, health, pwa, reports, security


def init_app(app: Flask) -> None:
    app.register_blueprint(health.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(pwa.bp)
    app.register_blueprint(reports.bp)
    errors.init_app(app)
    security.init_app(app)
