"""Structured JSON logs with a request id, and the readiness checks."""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: easy to ship, grep and aggregate."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            entry["request_id"] = getattr(g, "request_id", None)
            entry["method"] = request.method
            entry["path"] = request.path
        for key in ("status", "duration_ms", "user_id", "remote_addr"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def current_request_id() -> str | None:
    return getattr(g, "request_id", None) if has_request_context() else None


def _clean_request_id(value: str | None) -> str:
    """Accept a proxy's id when it is short and plain; otherwise make one."""
    if value and len(value) <= 64 and all(c.isalnum() or c in "-_." for c in value):
        return value
    return uuid.uuid4().hex


def init_app(app: Flask) -> None:
    if app.config.get("LOG_JSON", True) and not app.testing:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        app.logger.handlers[:] = [handler]
        app.logger.setLevel(str(app.config.get("LOG_LEVEL", "INFO")).upper())
        app.logger.propagate = False
    access = logging.getLogger("audit_app.access")
    access.handlers[:] = app.logger.handlers
    access.setLevel(logging.INFO)
    access.propagate = app.logger.propagate

    @app.before_request
    def start_request():
        g.request_id = _clean_request_id(request.headers.get(REQUEST_ID_HEADER))
        g.started = time.perf_counter()

    @app.after_request
    def finish_request(response):
        request_id = getattr(g, "request_id", None)
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        if app.config.get("ACCESS_LOG", True) and hasattr(g, "started"):
            user = getattr(g, "_login_user", None)  # only if this request loaded it
            access.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - g.started) * 1000, 1),
                    "user_id": getattr(user, "id", None),
                    "remote_addr": request.remote_addr,
                },
            )
        return response
