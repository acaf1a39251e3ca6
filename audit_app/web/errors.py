"""Errors: JSON for the API (flask-smorest's format), an HTML page everywhere else."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    InternalServerError,
    ServiceUnavailable,
)

from ..extensions import api

MESSAGES = {
    400: "The request could not be understood.",
    401: "Please log in to continue.",
    403: "You do not have access to this page.",
    404: "This page does not exist.",
    405: "This action is not allowed here.",
    409: "This conflicts with what is already stored.",
    413: "The upload is too large.",
    422: "Some fields are not valid.",
    429: "Too many attempts. Please wait a minute and try again.",
    500: "Something went wrong on our side. It has been logged.",
    503: "The service is temporarily unavailable. Please try again shortly.",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def handle_http_error(error: HTTPException):
    if isinstance(error, CSRFError):
        error.data = {"message": f"CSRF check failed: {error.description}"}
    elif error.code == 429:
        error.data = {"message": MESSAGES[429]}
    elif error.code == 401 and not getattr(error, "data", None):
        error.data = {"message": "Log in first."}
    if wants_json():
        return api.handle_http_exception(error)
    if error.code == 401:
        from flask import redirect, url_for

        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    message = MESSAGES.get(error.code or 500, error.description)
    detail = getattr(error, "data", {}).get("message") if hasattr(error, "data") else None
    return render_template(
        "errors/error.html", code=error.code, message=message, detail=detail
    ), error.code


def handle_unexpected(error: Exception):
    """Log the exception; show a page without internals."""
    from flask import current_app

    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http_error(InternalServerError())


def handle_database_unavailable(error: Exception):
    """The database is down or locked: a retryable 503; the transaction was rolled back."""
    from flask import current_app

    from ..extensions import db

    db.session.rollback()
    current_app.logger.error(
        "database unavailable on %s %s: %s", request.method, request.path, type(error).__name__
    )
    unavailable = ServiceUnavailable()
    unavailable.data = {
        "message": "The database is unavailable; nothing was stored. Retry in a few seconds."
    }
    response = handle_http_error(unavailable)
    response = response if not isinstance(response, tuple) else current_app.make_response(response)
    response.headers["Retry-After"] = "5"
    return response


def handle_unstorable_data(error: Exception):
    """Data the database refuses (a value out of its range): the client's fault, a 400."""
    from flask import current_app

    from ..extensions import db

    db.session.rollback()
    current_app.logger.warning(
        "unstorable data on %s %s: %s",
        request.method,
        request.path,
        type(error.orig).__name__ if hasattr(error, "orig") else error,
    )
    bad = BadRequest()
    bad.data = {
        "message": "The request holds a value that cannot be stored (out of range or "
        "invalid characters); nothing was stored."
    }
    return handle_http_error(bad)


def init_app(app: Flask) -> None:
    # registered after flask-smorest's own handler, so this one decides JSON or HTML
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(InterfaceError, handle_database_unavailable)
    app.register_error_handler(DataError, handle_unstorable_data)
