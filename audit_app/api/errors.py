"""One JSON error format for the API: {code, status, message, errors: {where: {path: [msg]}}}."""

from __future__ import annotations

from werkzeug.exceptions import Conflict as HTTPConflict
from werkzeug.exceptions import HTTPException, UnprocessableEntity
from werkzeug.exceptions import NotFound as HTTPNotFound

from ..checklists.loader import flatten_errors
from ..services.errors import Conflict, DomainError, Invalid, NotFound


def flat_field_errors(errors: dict) -> dict:
    """Turn webargs' nested errors into {"json": {"answers[0].value": [msg, ...]}}."""
    out = {}
    for location, messages in errors.items():
        flat: dict[str, list[str]] = {}
        for path, message in flatten_errors(messages):
            flat.setdefault(path or "_body", []).append(message)
        out[location] = flat
    return out


def http_error_for(error: DomainError) -> HTTPException:
    """Map a domain error to the HTTP error the API answers with."""
    if isinstance(error, Invalid):
        exc: HTTPException = UnprocessableEntity()
        exc.data = {
            "message": error.message,
            "errors": {"json": {path: [msg] for path, msg in error.errors.items()}},
        }
        return exc
    exc = {Conflict: HTTPConflict, NotFound: HTTPNotFound}.get(type(error), UnprocessableEntity)()
    exc.data = {"message": error.message}
    return exc
