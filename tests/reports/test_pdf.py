"""The report PDF: contents, metadata, language, privacy, safe rendering and access."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.reports.conftest import SHOPPER_EMAIL, SHOPPER_NAME, Recorder, pdf_text


def _get(app, world, client, **args):
    query = "&".join(f"{k}={v}" for k, v in {"period": "2026-10", **args}.items())
    return client.get(f"/locations/{world.location_id}/report.pdf?{query}")


def test_admin_gets_a_tagged_pdf_with_every_part_and_page_numbers(
    app, world, login_as, tmp_path, caplog
):
    response = _get(app, world, login_as("admin"), lang="en")
    # PDF/UA problems (an image without alt text, ...) are logged by WeasyPrint as errors
    assert not [r for r in caplog.records if r.name == "weasyprint" and r.levelname == "ERROR"]
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    for heading in ("Consistency report", "Trend against the network", "Sections",
                    "Standards", "Consistency across time", "Visit log", "Recommended focus",
                    "Confidential", "Generated"):  # fmt: skip
        assert heading in text, heading
    reader = PdfReader(io.BytesIO(response.data))
    pages = len(reader.pages)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    meta = reader.metadata
    assert meta.title.startswith("Consistency report: Mall")
    assert meta.author
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    assert "4" in text  # four visits


def test_language_comes_from_the_location_or_the_request(app, world, login_as, tmp_path):
    from audit_app.extensions import db
    from audit_app.models import Location

    with app.app_context():
        db.session.get(Location, world.location_id).language = "ms"
        db.session.commit()
        db.session.remove()
    admin = login_as("admin")
    text = pdf_text(_get(app, world, admin).data, tmp_path)
    assert "Laporan konsistensi" in text and "Log lawatan" in text
    text = pdf_text(_get(app, world, admin, lang="id").data, tmp_path)
    assert "Catatan kunjungan" in text


def test_no_shopper_identity_and_hostile_text_is_shown_literally_and_never_fetched(
    app, world, login_as, tmp_path
):
    response = _get(app, world, login_as("admin"), lang="en")
    text = pdf_text(response.data, tmp_path)
    flat = re.sub(r"\s+", "", text)
    assert SHOPPER_NAME not in text and "Zelda" not in text and "Quixote" not in text
    assert SHOPPER_EMAIL not in flat and "shoppers.example" not in flat
    assert f"shopper_id={world.shopper_id}" not in text
    # the markup is text: it appears literally, in the name and in the comments
    assert 'src="file:///etc/passwd"' in text.replace("\n", "")
    assert "url(http://127.0.0.1" in flat
    assert "root:x:0:0" not in text  # /etc/passwd was not embedded
    assert Recorder.hits == []  # the live server saw nothing


def test_fetcher_refuses_other_files_remote_urls_and_large_data(tmp_path, recorder):
    from audit_app.reports.pdf import RefusedURL, SafeFetcher

    allowed = tmp_path / "static"
    allowed.mkdir()
    (allowed / "ok.css").write_text("p{}")
    fetcher = SafeFetcher([allowed])
    port = recorder.server_address[1]
    response = fetcher.fetch((allowed / "ok.css").as_uri())
    assert response.read() == b"p{}"
    response.close()
    for url in ("file:///etc/passwd", f"http://127.0.0.1:{port}/x", "https://example.com/x",
                f"file://{allowed}/../../etc/passwd", "ftp://127.0.0.1/x",
                "data:text/plain," + "a" * 600_000):  # fmt: skip
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert Recorder.hits == []


def test_render_stops_at_the_time_limit():
    import time

    from audit_app.reports.pdf import RenderTimeout, deadline

    with pytest.raises(RenderTimeout), deadline(0.2):
        time.sleep(2)


def test_branch_manager_gets_only_their_own_location(app, world, make_user, login_as):
    from audit_app.extensions import db
    from audit_app.models import Location

    with app.app_context():
        code = db.session.get(Location, world.location_id).code
        db.session.remove()
    manager = login_as("branch_manager", location_code=code)
    assert _get(app, world, manager).status_code == 200
    other = manager.get(f"/locations/{world.other_location_id}/report.pdf?period=2026-10")
    assert other.status_code == 404
    area = login_as("area_manager", areas=("JKT",))
    assert _get(app, world, area).status_code == 404
    assert (
        login_as("reviewer")
        .get(f"/locations/{world.location_id}/report.pdf?period=2026-10")
        .status_code
        == 403
    )
    bad = login_as("admin").get(f"/locations/{world.location_id}/report.pdf?period=2026-13")
    assert bad.status_code == 422


def test_signed_link_opens_the_pdf_and_tampered_or_expired_links_do_not(app, world, client):
    from audit_app.distribution.links import make_token

    with app.test_request_context():
        token = make_token(world.location_id, "2026-10", "en")
    ok = client.get(f"/r/{token}")
    assert ok.status_code == 200 and ok.data.startswith(b"%PDF")
    tampered = client.get(f"/r/{token[:-2]}xx")
    assert tampered.status_code == 403
    assert b"not valid" in tampered.data and b"<html" in tampered.data
    app.config["REPORT_LINK_MAX_AGE_DAYS"] = -1
    try:
        expired = client.get(f"/r/{token}")
    finally:
        app.config["REPORT_LINK_MAX_AGE_DAYS"] = 30
    assert expired.status_code == 410 and b"expired" in expired.data


def test_visit_log_shows_photo_thumbnails_from_the_photo_store(app, world, login_as, tmp_path):
    import subprocess
    import uuid

    from PIL import Image

    from audit_app.extensions import db
    from audit_app.models import Photo, Visit
    from audit_app.services.photos import photo_path

    app.config["PHOTO_DIR"] = str(tmp_path / "photos")
    try:
        with app.app_context():
            visit = db.session.query(Visit).filter_by(location_id=world.location_id).first()
            sha = "ab" * 32
            thumb = photo_path(sha, thumbnail=True)
            thumb.parent.mkdir(parents=True)
            Image.new("RGB", (64, 48), "red").save(thumb, "JPEG")
            db.session.add(
                Photo(
                    client_uuid=uuid.uuid4(),
                    shopper_id=visit.shopper_id,
                    upload_sha256=sha,
                    sha256=sha,
                    original_format="JPEG",
                    width=64,
                    height=48,
                    size_bytes=thumb.stat().st_size,
                    thumb_width=64,
                    thumb_height=48,
                    visit_id=visit.id,
                    item_id="warmth",
                )
            )
            db.session.commit()
            db.session.remove()
        response = _get(app, world, login_as("admin"))
    finally:
        app.config["PHOTO_DIR"] = None
    path = tmp_path / "p.pdf"
    path.write_bytes(response.data)
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    rows = [line.split() for line in listing.splitlines()[2:]]
    assert any(row[2] == "image" and row[3:5] == ["64", "48"] for row in rows)


def test_weasyprint_subsets_fonts_with_harfbuzz():
    """Without libharfbuzz-subset WeasyPrint falls back to fontTools: ~0.4 s more per PDF."""
    import os

    from weasyprint.text.ffi import harfbuzz_subset

    if harfbuzz_subset is None:
        if os.environ.get("CI") == "true":
            pytest.fail("libharfbuzz-subset is missing: apt-get install libharfbuzz-subset0")
        pytest.skip("libharfbuzz-subset is not installed on this machine")
