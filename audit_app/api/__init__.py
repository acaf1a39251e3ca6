"""The JSON API under /api/v1: blueprints, and domain errors mapped to HTTP in one place."""

from flask import Flask

from ..extensions import api
from ..services.errors import DomainError
from . import analytics, assignments, auth, checklists, imports, locations, photos, visits
from .errors import http_error_for

BLUEPRINTS = (
    auth.blp,
    checklists.blp,
    locations.blp,
    assignments.blp,
    visits.blp,
    photos.blp,
    imports.blp,
    analytics.blp,
)


def init_app(app: Flask) -> None:
    api.init_app(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix=f"/api/v1{blueprint.url_prefix}")

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return api.handle_http_exception(http_error_for(error))
