"""Render one location's report inside the app: the call views, CLI, pool and Celery share."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from ..services.photos import photo_dir
from . import data, pdf


def allowed_roots() -> list[Path]:
    """What the report's fetcher may read: the static folder and the photo store."""
    return pdf.roots(current_app.static_folder or "static", photo_dir())


def render_location(location_id: int, period: str, lang: str | None = None) -> pdf.Rendered:
    """A location's report as PDF bytes (ReportError on a bad period or location)."""
    ctx = data.context_for(location_id, period, lang)
    return pdf.render(ctx, allowed_roots(), current_app.config["REPORT_RENDER_TIMEOUT_S"])


def file_name(code: str, period: str) -> str:
    """The PDF's file name: location code and period, safe on every file system."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in code)
    return f"{safe}_{period}.pdf"
