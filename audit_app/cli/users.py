"""flask users create|set-password|deactivate|activate|list."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import Role, User
from ..services import accounts
from ..services.errors import Conflict, Invalid, NotFound
from .common import fail

group = click.Group("users", help="Manage user accounts.")
ROLES = click.Choice([r.value for r in Role])


def _password(value: str | None) -> str:
    return value or click.prompt("Password", hide_input=True, confirmation_prompt=True)


@group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=ROLES, required=True)
@click.option("--password", help="Prompted for when left out (recommended).")
@click.option("--area", "areas", multiple=True, help="Area code (area managers; repeatable).")
@click.option("--location", help="Location code (branch managers).")
@click.option("--adhoc", is_flag=True, help="Shoppers: may submit visits without assignment.")
@with_appcontext
def create_command(email, name, role, password, areas, location, adhoc):
    """Create a user."""
    try:
        user = accounts.create_user(
            accounts.UserInput(
                email=email,
                name=name,
                role=role,
                password=_password(password),
                area_codes=tuple(areas),
                location_code=location,
                allow_adhoc=adhoc,
            )
        )
    except Invalid as exc:
        fail([f"{field}: {message}" for field, message in exc.errors.items()])
    except Conflict as exc:
        fail(exc.message)
    click.echo(f"created {user.role} {user.email} (id {user.id})")


@group.command("set-password")
@click.argument("email")
@click.option("--password", help="Prompted for when left out (recommended).")
@with_appcontext
def set_password_command(email, password):
    """Set a user's password; their sessions end."""
    try:
        accounts.set_password(email, _password(password))
    except Invalid as exc:
        fail([f"{field}: {message}" for field, message in exc.errors.items()])
    except NotFound as exc:
        fail(exc.message)
    click.echo(f"password changed for {email}; their sessions were ended")


def _set_active(email: str, active: bool) -> None:
    try:
        accounts.set_active(email, active)
    except (NotFound, Invalid) as exc:
        fail(exc.message)
    click.echo(f"{'activated' if active else 'deactivated'} {email}")


@group.command("deactivate")
@click.argument("email")
@with_appcontext
def deactivate_command(email):
    """Deactivate a user and end every session at once."""
    _set_active(email, False)


@group.command("activate")
@click.argument("email")
@with_appcontext
def activate_command(email):
    """Reactivate a user."""
    _set_active(email, True)


@group.command("list")
@with_appcontext
def list_command():
    """List users."""
    for user in db.session.scalars(select(User).order_by(User.role, User.email)):
        state = "active" if user.active else "deactivated"
        click.echo(f"{user.id:5}  {user.role:15}  {state:11}  {user.email}  {user.name}")
