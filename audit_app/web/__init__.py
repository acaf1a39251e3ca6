"""Server-rendered pages and plain endpoints."""

from flask import Flask

from . import health


def init_app(app: Flask) -> None:
    app.register_blueprint(health.bp)
