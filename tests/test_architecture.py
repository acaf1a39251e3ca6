"""Structural rules: the pure core stays pure; migrations match the models."""

from __future__ import annotations

import subprocess
import sys

import pytest

PURE = [
    "audit_app.checklists",
    "audit_app.scoring",
    "audit_app.stats",
    "audit_app.reports.context",
]


@pytest.mark.parametrize("module", PURE)
def test_pure_core_imports_neither_flask_nor_sqlalchemy(module):
    code = (
        f"import sys, {module}; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'flask', 'sqlalchemy', 'flask_sqlalchemy', 'werkzeug'}); print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_migrations_match_the_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from audit_app.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []
