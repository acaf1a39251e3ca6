"""Flask CLI commands, one module per topic."""

from flask import Flask

from . import backup, checklists, demo, locations, photos, privacy, reports, users


def init_app(app: Flask) -> None:
    for group in (
        checklists.group,
        locations.group,
        demo.group,
        users.group,
        privacy.group,
        photos.group,
        reports.group,
    ):
        app.cli.add_command(group)
    backup.init_app(app)
