"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from ..auth.access import PUBLIC, allow
from ..extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@allow(PUBLIC)
def healthz():
    """Report that the process is up."""
    return jsonify(status="ok")


@bp.get("/readyz")
@allow(PUBLIC)
def readyz():
    """Report whether this process can serve: database, migrations, storage."""
    checks = {"database": _database(), "migrations": _migrations(), "storage": _storage()}
    ready = all(c["ok"] for c in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503


def _database() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True}
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        db.session.rollback()
        return {"ok": False, "error": type(exc).__name__}


def _migrations() -> dict:
    """The database is at the newest migration of this code."""
    try:
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        config = current_app.extensions["migrate"].migrate.get_config()
        heads = set(ScriptDirectory.from_config(config).get_heads())
        with db.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
        if current == heads:
            return {"ok": True, "revision": ",".join(sorted(current))}
        return {
            "ok": False,
            "error": f"database at {sorted(current)}, code expects {sorted(heads)}",
        }
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": type(exc).__name__}


def _storage() -> dict:
    """Files can be written where photos and reports are kept."""
    folder = Path(current_app.config.get("PHOTO_DIR") or Path(current_app.instance_path))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".ready-", delete=True) as handle:
            handle.write(b"ok")
            handle.flush()
            os.fsync(handle.fileno())
        return {"ok": True}
    except OSError as exc:
        return {"ok": False, "error": exc.strerror or type(exc).__name__}
