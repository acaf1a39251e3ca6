"""Log in and log out pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth import limiter
from ..auth.access import AUTHENTICATED, PUBLIC, allow
from ..models import Role
from ..services import accounts
from .forms import LoginForm

bp = Blueprint("auth", __name__)
FAILED = "Email or password is incorrect, or the account is not active."


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def home_for(user) -> str:
    """Where each role starts."""
    return {
        Role.SHOPPER: url_for("pwa.shell"),  # the installable app on their phone
        Role.REVIEWER: url_for("admin.review_queue"),
        Role.ADMIN: url_for("admin.review_queue"),
        Role.AREA_MANAGER: url_for("dashboard.overview"),
        # their own branch's figures; without a branch yet, the start page says so
        Role.BRANCH_MANAGER: (
            url_for("dashboard.location", location_id=user.location_id)
            if user.location_id
            else url_for("auth.home")
        ),
    }.get(user.role, url_for("auth.home"))


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(login_limit, methods=["POST"])
def login():
    """Show the login form; log in."""
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.log_in(
            form.email.data, form.password.data, form.remember.data, request.user_agent.string
        )
        if user is not None:
            return redirect(safe_next(request.args.get("next")) or home_for(user))
        form.password.errors.append(FAILED)
    return render_template("auth/login.html", form=form), 200 if not form.errors else 401


@bp.post("/logout")
@allow(AUTHENTICATED)
def logout():
    """End the session on the server."""
    accounts.log_out(current_user)
    flash("You are logged out.")
    return redirect(url_for("auth.login"))


@bp.get("/")
@allow(AUTHENTICATED)
def home():
    """Each role's start page."""
    target = home_for(current_user)
    if target != url_for("auth.home"):
        return redirect(target)
    return render_template("auth/home.html")
