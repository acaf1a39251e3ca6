"""Domain errors raised by services; the API and CLI map them to their own forms in one place."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: a message a user can read."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    pass


class Conflict(DomainError):
    pass


class Invalid(DomainError):
    """Bad input; `errors` maps each field path to what is wrong with it."""

    def __init__(self, message: str, errors: dict[str, str]):
        super().__init__(message)
        self.errors = errors
