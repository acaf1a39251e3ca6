"""Access rules, deny by default: every endpoint declares who may use it.

`@allow(...)` marks a view function or a MethodView method with the roles that may call it.
A before-request hook refuses any endpoint without a declaration, so a forgotten rule is a
403 in development and a failing test (tests walk app.url_map), never an open door.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, abort, request
from flask_login import current_user

from ..models import Role

PUBLIC = "public"  # anyone, logged in or not
AUTHENTICATED = "authenticated"  # any logged-in user
STAFF = (Role.ADMIN, Role.AREA_MANAGER, Role.REVIEWER)
EVERY_ROLE = tuple(Role)


def allow(*roles: str | Role) -> Callable:
    """Declare who may call a view (roles, PUBLIC or AUTHENTICATED)."""

    def mark(view: Callable) -> Callable:
        view._access = frozenset(str(r) for r in roles)  # type: ignore[attr-defined]
        return view

    return mark


def rule_for(app: Flask, endpoint: str | None, method: str) -> frozenset[str] | None:
    """The roles declared for an endpoint and method; None when nothing is declared."""
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return frozenset({PUBLIC})
    view = app.view_functions.get(endpoint)
    if view is None:
        return None
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(view_class, "get", None)
        return getattr(handler, "_access", None)
    return getattr(view, "_access", None)


def permitted(rule: frozenset[str], user: Any) -> bool:
    if PUBLIC in rule:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return AUTHENTICATED in rule or user.role in rule


def init_app(app: Flask, public_endpoints: set[str]) -> None:
    @app.before_request
    def enforce_access():
        if request.method == "OPTIONS" or request.endpoint is None:
            return None  # 404/405 are answered by Flask itself
        if request.endpoint in public_endpoints:
            return None
        rule = rule_for(app, request.endpoint, request.method)
        if rule is None:
            abort(403, description="This endpoint declares no access rule.")
        if not permitted(rule, current_user):
            abort(401 if not current_user.is_authenticated else 403)
        return None
