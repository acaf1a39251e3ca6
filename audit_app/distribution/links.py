"""Signed, expiring links that open one location's report for one period without an account."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "report-link-v1"


class LinkError(ValueError):
    """A link that cannot be used; `expired` tells an old link from a tampered one."""

    def __init__(self, message: str, expired: bool) -> None:
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class LinkTarget:
    location_id: int
    period: str
    lang: str | None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(location_id: int, period: str, lang: str | None = None) -> str:
    """A token naming a location and period, signed with the app's secret key."""
    return _serializer().dumps({"l": location_id, "p": period, "g": lang})


def read_token(token: str, max_age_s: float | None = None) -> LinkTarget:
    """The location and period of a valid token; LinkError when tampered or expired."""
    if max_age_s is None:
        max_age_s = current_app.config["REPORT_LINK_MAX_AGE_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age_s)
    except SignatureExpired:
        raise LinkError("This report link has expired.", expired=True) from None
    except BadSignature:
        raise LinkError("This report link is not valid.", expired=False) from None
    try:
        return LinkTarget(int(data["l"]), str(data["p"]), data.get("g"))
    except (KeyError, TypeError, ValueError):
        raise LinkError("This report link is not valid.", expired=False) from None


def external_url(token: str) -> str:
    """The link as a branch opens it (PUBLIC_BASE_URL + the link route)."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/r/{token}"
