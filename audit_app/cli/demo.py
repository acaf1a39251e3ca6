"""flask demo seed: realistic, deterministic demo data."""

from __future__ import annotations

from datetime import UTC, date, datetime

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from ..checklists import ChecklistError, load_directory
from ..extensions import db
from ..models import Visit
from ..services.checklists import sync_checklists
from ..services.demo import DEMO_PASSWORD, seed_demo
from .common import fail

group = click.Group("demo", help="Demo data.")


def _month(value: str | None) -> date:
    if value is None:
        return datetime.now(UTC).date().replace(day=1)
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a month like 2026-10") from None


@group.command("seed")
@click.option("--seed", default=7, show_default=True, help="Random seed: same seed, same data.")
@click.option("--locations", default=24, show_default=True, type=click.IntRange(1, 5000))
@click.option("--months", default=6, show_default=True, type=click.IntRange(1, 36))
@click.option("--until", "until", default=None, help="Last month, YYYY-MM (default: this month).")
@click.option("--if-empty", is_flag=True, help="Do nothing when visits already exist.")
@click.option(
    "--evidence/--no-evidence",
    default=True,
    show_default=True,
    help="Photos and a few evidence flags (the scores are the same either way).",
)
@with_appcontext
def seed_command(
    seed: int, locations: int, months: int, until: str | None, if_empty: bool, evidence: bool
) -> None:
    """Load the checklists and create demo areas, locations and visits."""
    last = _month(until)
    if if_empty and db.session.scalar(select(func.count(Visit.id))):
        click.echo("demo: visits already exist, nothing to do")
        return
    try:
        sync_checklists(load_directory(current_app.config["CHECKLISTS_DIR"]))
    except ChecklistError as exc:
        fail(exc.lines())
    result = seed_demo(seed, locations, months, last, evidence)
    click.echo(
        f"demo: {result.areas} areas, {result.locations} locations, "
        f"{result.visits} visits ({result.photos} with a photo) up to {last:%Y-%m}, "
        f"{result.users} new users"
    )
    click.echo(
        "demo: log in at /login as admin@demo.example, reviewer@demo.example, "
        f"am.my@demo.example, branch@demo.example or shopper1@demo.example; "
        f"password: {DEMO_PASSWORD}"
    )
