"""Liveness: answers as long as the process serves requests."""

from flask import Blueprint, jsonify

from ..auth.access import PUBLIC, allow

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@allow(PUBLIC)
def healthz():
    """Report that the process is up."""
    return jsonify(status="ok")
