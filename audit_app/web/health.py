"""Liveness: answers as long as the process serves requests."""

from flask import Blueprint, jsonify

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Report that the process is up."""
    return jsonify(status="ok")
