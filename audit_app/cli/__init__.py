"""Flask CLI commands, one module per topic."""

from flask import Flask

from . import checklists, demo, locations


def init_app(app: Flask) -> None:
    for group in (checklists.group, locations.group, demo.group):
        app.cli.add_command(group)
