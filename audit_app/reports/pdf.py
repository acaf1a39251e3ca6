"""Render a report's view-model to PDF with WeasyPrint, fetching nothing it should not.

The HTML comes from templates/reports/ with autoescaping on, so text from shoppers and
admins is never markup. The URL fetcher serves files below the app's static folder and the
photo store and small data: URLs; every other URL (http, https, ftp, other files) is
refused and never opened. A render that takes longer than REPORT_RENDER_TIMEOUT_S stops
with RenderTimeout (enforced with SIGALRM where the render runs on a main thread: pool and
Celery workers, gunicorn sync workers).
"""

from __future__ import annotations

import base64
import glob
import html
import logging
import re
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..config import ROOT
from .context import ReportContext

log = logging.getLogger(__name__)
MAX_DATA_URL_BYTES = 512 * 1024
MAX_FILE_BYTES = 5 * 1024 * 1024
TYPES = {".css": "text/css", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
         ".svg": "image/svg+xml", ".webp": "image/webp"}  # fmt: skip


class RenderTimeout(RuntimeError):
    """The render took longer than allowed."""


class RefusedURL(ValueError):
    """A URL the report may not load."""


class SafeFetcher(URLFetcher):
    """Serve files under `roots` and small data: URLs; refuse everything else."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.roots = [r.resolve() for r in roots]
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None):  # noqa: ARG002 - WeasyPrint's signature
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            if len(url) > MAX_DATA_URL_BYTES:
                return self._refuse(url, "data: URL too large")
            return super().fetch(url, headers)
        if scheme != "file":
            return self._refuse(url, "scheme not allowed")
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return self._refuse(url, "remote file")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            return self._refuse(url, "outside the static folder and photo store")
        if path.stat().st_size > MAX_FILE_BYTES:
            return self._refuse(url, "file too large")
        return URLFetcherResponse(
            path.as_uri(),
            path.read_bytes(),
            headers={"Content-Type": TYPES.get(path.suffix.lower(), "application/octet-stream")},
        )

    def _refuse(self, url: str, why: str):
        self.refused.append(url)
        log.warning("report: refused to fetch %s (%s)", url[:200], why)
        raise RefusedURL(f"{why}: {url[:200]}")


_env: jinja2.Environment | None = None
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S)
_DESC = re.compile(r"<desc[^>]*>(.*?)</desc>", re.S)


def as_image(svg: str) -> Markup:
    """An inline SVG chart as an <img> with a data: URL, its title and description as alt.

    WeasyPrint lays an <img> out as one replaced box instead of styling every SVG element
    in the HTML tree, which makes a report with many charts several times faster, and the
    tagged PDF gets a Figure with alternative text.
    """
    if not svg:
        return Markup("")
    found = [m.group(1) for m in (_TITLE.search(svg), _DESC.search(svg)) if m]
    alt = html.unescape(". ".join(found))
    data = base64.b64encode(svg.encode()).decode()
    return Markup('<img class="svg" src="data:image/svg+xml;base64,{}" alt="{}">').format(
        Markup(data), alt
    )


def environment() -> jinja2.Environment:
    """The Jinja environment of the print templates (autoescaped, no Flask needed)."""
    global _env
    if _env is None:
        _env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(ROOT / "templates" / "reports")),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        _env.filters["as_image"] = as_image
    return _env


def render_html(ctx: ReportContext) -> str:
    """The report's HTML."""
    return environment().get_template("report.html").render(r=ctx)


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Raise RenderTimeout after `seconds` (main thread only; elsewhere the caller bounds it)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise RenderTimeout(f"the render took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Rendered:
    data: bytes
    pages: int
    seconds: float


def roots(static_folder: str | Path, photo_dir: str | Path) -> list[Path]:
    return [Path(static_folder), Path(photo_dir)]


def html_to_pdf(html: str, allowed: list[Path], timeout: float | None = None) -> Rendered:
    """WeasyPrint on report HTML: tagged PDF/UA-1, nothing fetched outside `allowed`."""
    started = time.perf_counter()
    fetcher = SafeFetcher(allowed)
    with deadline(timeout):
        document = HTML(
            string=html, base_url=(ROOT / "static").as_uri() + "/", url_fetcher=fetcher
        ).render(pdf_variant="pdf/ua-1", pdf_tags=True)
        data = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    return Rendered(data, len(document.pages), time.perf_counter() - started)


def render(ctx: ReportContext, allowed: list[Path], timeout: float | None = None) -> Rendered:
    """The report's PDF bytes and page count."""
    return html_to_pdf(render_html(ctx), allowed, timeout)


def cleanup_partials(directory: Path, names: Iterable[str]) -> int:
    """Remove the temp files killed workers left for these PDF names; return how many.

    Only the names of jobs that have finished: a temp file of another batch writing to the
    same folder, or of a job still running, belongs to a render that will rename it.
    """
    count = 0
    for name in set(names):
        for stray in directory.glob(f".{glob.escape(name)}.*.tmp"):
            stray.unlink(missing_ok=True)
            count += 1
    return count
