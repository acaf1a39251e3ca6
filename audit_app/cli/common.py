"""Helpers shared by the CLI: readable one-line errors and a non-zero exit."""

from __future__ import annotations

import click

from ..services.errors import Invalid


def fail(lines: list[str] | str) -> None:
    """Print each problem on its own line to stderr and exit with status 1."""
    for line in [lines] if isinstance(lines, str) else lines:
        click.echo(f"error: {line}", err=True)
    raise SystemExit(1)


def fail_invalid(source: str, error: Invalid) -> None:
    fail(
        [f"{source}: {path}: {msg}" for path, msg in error.errors.items()]
        + [f"{source}: {error.message}"]
    )
