"""The app shell without a browser: manifest, service worker, page, texts, weight."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

from PIL import Image

from audit_app.web import pwa
from tests.conftest import ROOT

JS = ROOT / "static" / "js"
# keys built at run time: t(`ev_${kind}`), t(`imp_${status}`), t(STATUS[...]), problem keys
DYNAMIC = {
    *(f"ev_{k}" for k in ("entered", "greeted", "served", "paid", "left")),
    *(f"imp_{k}" for k in ("created", "already_stored", "conflict", "invalid", "failed")),
    *(f"st_{k}" for k in ("pending", "sending", "retry", "login", "rejected", "conflict", "sent")),
    "missing_answer",
    "missing_photo",
    "bad_seconds",
    "bad_scale",
    "too_long",
}


def test_manifest_makes_the_app_installable(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["start_url"] == "/app" and manifest["display"] == "standalone"
    assert manifest["name"] and manifest["short_name"] and manifest["theme_color"]
    icons = {(i["sizes"], i["purpose"]): i["src"] for i in manifest["icons"]}
    for size in (192, 512):
        for purpose in ("any", "maskable"):
            src = icons[(f"{size}x{size}", purpose)]
            with client.get(src) as image:
                assert image.status_code == 200 and image.mimetype == "image/png"
            with Image.open(ROOT / src.lstrip("/")) as png:
                assert png.size == (size, size)


def test_service_worker_is_served_at_the_root_with_this_builds_shell(client, app):
    response = client.get("/sw.js")

    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.headers["Cache-Control"] == "no-cache"
    line = re.search(r"^const BUILD = (.*);$", response.get_data(as_text=True), re.M).group(1)
    build = json.loads(line)
    assert build["version"] == pwa.build(app).version != "dev"
    modules = {f"/static/js/{p.name}" for p in JS.glob("*.js") if p.name != "sw.js"}
    assert modules <= set(build["shell"])
    assert {"/app", "/manifest.webmanifest", "/static/css/pwa.css"} <= set(build["shell"])
    assert "/static/js/sw.js" not in build["shell"]
    for url in build["shell"]:
        with client.get(url) as served:
            assert served.status_code == 200, url


def test_the_shell_version_changes_with_any_shell_file(tmp_path):
    static, templates = tmp_path / "static", tmp_path / "templates"
    shutil.copytree(ROOT / "static", static)
    shutil.copytree(ROOT / "templates" / "pwa", templates / "pwa")
    fake = SimpleNamespace(static_folder=str(static), template_folder=str(templates), extensions={})

    first = pwa.build(fake).version
    (static / "js" / "util.js").write_text("// changed\n", encoding="utf-8")
    second = pwa.build(fake).version
    (static / "css" / "pwa.css").write_text("body{}", encoding="utf-8")

    assert len({first, second, pwa.build(fake).version}) == 3


def test_the_page_has_no_inline_script_or_style_and_keeps_the_csp(client):
    response = client.get("/app")
    html = response.get_data(as_text=True)

    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert " style=" not in html and "<style" not in html
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html


def test_the_js_never_needs_unsafe_inline_or_eval():
    for path in JS.glob("*.js"):
        source = path.read_text(encoding="utf-8")
        for bad in ("eval(", "new Function", "innerHTML", "setAttribute('style'", ".style."):
            assert bad not in source, f"{path.name}: {bad}"


def test_every_interface_text_exists_in_english_malay_and_indonesian():
    source = (JS / "i18n.js").read_text(encoding="utf-8")
    tables = {}
    for lang in ("en", "ms", "id"):
        body = re.search(rf"^const {lang} = \{{(.*?)^\}};", source, re.S | re.M).group(1)
        tables[lang] = set(re.findall(r"^\s+(\w+):", body, re.M))
    used = set(DYNAMIC)
    for path in JS.glob("*.js"):
        used |= set(re.findall(r"\bt\(\s*'(\w+)'", path.read_text(encoding="utf-8")))
    assert used - tables["en"] == set()
    plural = {k for k in tables["en"] if k.endswith("_one")}
    for lang in ("ms", "id"):  # no plural forms in Malay or Indonesian
        assert tables[lang] == tables["en"] - plural, lang
    assert tables["en"] - plural - used == set()  # no text is left unused


def test_the_shell_is_within_its_60_kb_budget():
    spec = importlib.util.spec_from_file_location("pwa_size", ROOT / "bench" / "pwa_size.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    result = module.measure()

    assert result["within_budget"], result
    names = {row["file"] for row in result["files"]}
    assert "static/js/app.js" in names and "static/css/pwa.css" in names


def test_shoppers_start_in_the_app(client, login_as):
    shopper = login_as("shopper")
    reviewer = login_as("reviewer")

    assert shopper.get("/").headers["Location"] == "/app"
    assert reviewer.get("/").headers["Location"] != "/app"
    assert Path(ROOT / "templates" / "pwa" / "app.html").is_file()
