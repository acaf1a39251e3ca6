"""The shopper's app: its shell page, the service worker at the site root, the manifest
(and the site's favicon, also at the root where browsers look for it).

The app is plain ES modules in static/js/ (no build step). The service worker caches a
versioned shell; the version is a hash of every shell file, written into /sw.js as it is
served, so any change to the app makes the browser install a new worker.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, render_template

from ..auth.access import PUBLIC, allow

bp = Blueprint("pwa", __name__)

SHELL_URL = "/app"
MANIFEST_URL = "/manifest.webmanifest"
# static files of the shell, relative to the static folder (sw.js is the worker itself)
SHELL_GLOBS = ("js/*.js", "css/pwa.css", "icons/*.png", "manifest.webmanifest")
BUILD_LINE = re.compile(r"^const BUILD = .*;$", re.MULTILINE)


@dataclass(frozen=True)
class Build:
    version: str
    shell: tuple[str, ...]  # URLs the service worker caches on install


def shell_files(app: Flask) -> list[Path]:
    """The static files of the app shell, in a stable order."""
    static = Path(app.static_folder or "")
    files = {p for pattern in SHELL_GLOBS for p in static.glob(pattern) if p.name != "sw.js"}
    return sorted(files)


def build(app: Flask) -> Build:
    """The shell's version (a hash of its files and page template) and its URLs.

    Recomputed when a file changes (one stat per file), so a deploy or an edit in
    development is picked up without a restart.
    """
    static = Path(app.static_folder or "")
    template = Path(app.template_folder or "") / "pwa" / "app.html"
    sw = static / "js" / "sw.js"
    files = [*shell_files(app), template, sw]
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    cached = app.extensions.get("pwa_build")
    if cached and cached[0] == stamp:
        return cached[1]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(path.parent.parent).as_posix().encode())
        digest.update(path.read_bytes())
    urls = [SHELL_URL, MANIFEST_URL] + [
        "/static/" + p.relative_to(static).as_posix()
        for p in shell_files(app)
        if p.name != "manifest.webmanifest"
    ]
    result = Build(digest.hexdigest()[:16], tuple(urls))
    app.extensions["pwa_build"] = (stamp, result)
    return result


@bp.get(SHELL_URL)
@allow(PUBLIC)
def shell():
    """The app shell: the same page for everyone (the service worker caches it)."""
    response = Response(render_template("pwa/app.html", version=build(current_app).version))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
@allow(PUBLIC)
def service_worker():
    """The service worker, with this build's version and shell list, scoped to the site root."""
    info = build(current_app)
    source = (Path(current_app.static_folder or "") / "js" / "sw.js").read_text(encoding="utf-8")
    line = "const BUILD = " + json.dumps({"version": info.version, "shell": info.shell}) + ";"
    response = Response(BUILD_LINE.sub(lambda _m: line, source, count=1))
    response.mimetype = "text/javascript"
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get(MANIFEST_URL)
@allow(PUBLIC)
def manifest():
    """The web app manifest (install name, icons, start URL, colours)."""
    return _static_file("manifest.webmanifest", "application/manifest+json", "no-cache")


@bp.get("/favicon.ico")
@allow(PUBLIC)
def favicon():
    """The site icon: browsers ask for /favicon.ico on every site, logged in or not."""
    return _static_file("favicon.ico", "image/vnd.microsoft.icon", "public, max-age=604800")


def _static_file(name: str, mimetype: str, cache_control: str) -> Response:
    """A file of the static folder at a fixed URL outside /static/."""
    path = Path(current_app.static_folder or "") / name
    response = Response(path.read_bytes(), mimetype=mimetype)
    response.headers["Cache-Control"] = cache_control
    return response
