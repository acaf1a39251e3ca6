"""Log in and out through the API (the PWA and scripts), and fetch a CSRF token."""

from flask import current_app, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from flask_wtf.csrf import generate_csrf

from ..auth import limiter
from ..auth.access import AUTHENTICATED, PUBLIC, allow
from ..services import accounts
from .schemas import CsrfOut, LoginIn, MeOut

blp = Blueprint("auth_api", __name__, url_prefix="/auth", description="Sessions")
FAILED = "Email or password is incorrect, or the account is not active."


def _me(user):
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "allow_adhoc": user.allow_adhoc,
        "csrf_token": generate_csrf(),
    }


@blp.route("/csrf")
class Csrf(MethodView):
    @allow(PUBLIC)
    @blp.response(200, CsrfOut)
    def get(self):
        """Get a CSRF token for this browser session (send it as X-CSRFToken)."""
        return {"csrf_token": generate_csrf()}


@blp.route("/login")
class Login(MethodView):
    @allow(PUBLIC)
    @limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
    @blp.arguments(LoginIn)
    @blp.response(200, MeOut)
    @blp.alt_response(401, description="Wrong email or password (never says which)")
    @blp.alt_response(429, description="Too many attempts")
    def post(self, data):
        """Log in; the session cookie is rotated and a new CSRF token returned."""
        user = accounts.log_in(
            data["email"], data["password"], data["remember"], request.user_agent.string
        )
        if user is None:
            abort(401, message=FAILED)
        return _me(user)


@blp.route("/logout")
class Logout(MethodView):
    @allow(AUTHENTICATED)
    @blp.response(204)
    def post(self):
        """Log out: the session ends on the server, not only in the cookie."""
        accounts.log_out(current_user)


@blp.route("/me")
class Me(MethodView):
    @allow(AUTHENTICATED)
    @blp.response(200, MeOut)
    def get(self):
        """Who is logged in, with a CSRF token for writes."""
        return _me(current_user)
