"""Smoke test through a running stack: ready, log in, submit, review, read back; with
--period, render every location's report on the Celery queue and check each PDF."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

PASSWORD = "demo-password"


def login(base: str, email: str) -> requests.Session:
    session = requests.Session()
    token = session.get(f"{base}/api/v1/auth/csrf", timeout=10).json()["csrf_token"]
    response = session.post(
        f"{base}/api/v1/auth/login",
        timeout=10,
        json={"email": email, "password": PASSWORD},
        headers={"X-CSRFToken": token},
    )
    response.raise_for_status()
    session.headers["X-CSRFToken"] = response.json()["csrf_token"]
    return session


def photo(session: requests.Session, base: str) -> str:
    """Upload a small generated JPEG and return its UUID."""
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (320, 240), (40, 120, 200)).save(buffer, "JPEG")
    photo_id = str(uuid.uuid4())
    response = session.post(
        f"{base}/api/v1/photos",
        timeout=30,
        data={"uuid": photo_id},
        files={"file": ("receipt.jpg", buffer.getvalue(), "image/jpeg")},
    )
    assert response.status_code == 201, response.text
    return photo_id


def answer(item: dict, session: requests.Session, base: str) -> dict | None:
    kind = item["type"]
    if kind == "timed" and item.get("from_event"):
        return None
    value = {
        "yes_no": True,
        "scale": item.get("scale", {}).get("max"),
        "timed": 10,
        "text": "smoke test",
    }.get(kind)
    if kind == "choice":
        value = max(item["options"], key=lambda o: o["fraction"])["id"]
    result = {"item_id": item["id"], "value": value}
    if item.get("photo") == "required":
        result["photos"] = [photo(session, base)]
    return result


def main(base: str) -> list[dict]:
    """Run the checks; return the active locations (a shopper sees them all)."""
    ready = requests.get(f"{base}/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    shopper = login(base, "shopper1@demo.example")
    checklist = shopper.get(
        f"{base}/api/v1/checklists/service-standards/versions/latest", timeout=10
    ).json()
    locations = shopper.get(f"{base}/api/v1/locations", timeout=10).json()
    location = locations[0]
    start = datetime.now(UTC) - timedelta(hours=1)
    marks = ["entered", "greeted", "served", "paid", "left"]
    payload = {
        "client_uuid": str(uuid.uuid4()),
        "location_id": location["id"],
        "checklist_version": checklist["content_hash"],
        "started_at": start.isoformat(),
        "answers": [
            a
            for s in checklist["checklist"]["sections"]
            for i in s["items"]
            if (a := answer(i, shopper, base)) is not None
        ],
        "events": [
            {"kind": k, "at": (start + timedelta(seconds=20 * n)).isoformat()}
            for n, k in enumerate(marks)
        ],
    }
    first = shopper.post(f"{base}/api/v1/visits", json=payload, timeout=30)
    again = shopper.post(f"{base}/api/v1/visits", json=payload, timeout=30)
    assert first.status_code == 201, first.text
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    reviewer = login(base, "reviewer@demo.example")
    approved = reviewer.post(f"{base}/api/v1/visits/{first.json()['id']}/approve", timeout=10)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    manager = login(base, "am.my@demo.example")
    seen = manager.get(f"{base}/api/v1/visits/{first.json()['id']}", timeout=10)
    assert seen.status_code in (200, 404)  # 404 when the branch is in the other area
    headers = requests.get(f"{base}/login", timeout=10).headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    print(
        f"smoke ok: visit {first.json()['id']} scored {first.json()['score']} and approved "
        f"through {base}"
    )
    return locations


def render_on_queue(locations: list[dict], period: str, worker: str, out: Path) -> None:
    """Render the period's reports through `flask reports render` on the Celery queue.

    Every active location must get a PDF with pages, rendered by the named worker (its task
    count is read from the worker itself, so a local fallback could not pass).
    """
    from pypdf import PdfReader

    from audit_app.celery_app import make_celery

    broker = os.environ.get("CELERY_BROKER_URL")
    assert broker, "CELERY_BROKER_URL is not set: the reports would not go through the queue"
    assert locations, "no active locations"
    # a worker that never answers fails the render within the timeout, not after minutes
    env = {**os.environ, "REPORT_RENDER_TIMEOUT_S": os.environ.get("REPORT_RENDER_TIMEOUT_S", "15")}
    flask = Path(sys.executable).with_name("flask")
    command = [str(flask), "reports", "render", "--period", period, "--out", str(out)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"reports render failed:\n{done.stdout}\n{done.stderr}"
    files = sorted(p.name for p in out.iterdir())
    expected = sorted(f"{loc['code']}_{period}.pdf" for loc in locations)
    assert files == expected, f"PDFs {files}, expected {expected}"
    pages = 0
    for name in files:
        data = (out / name).read_bytes()
        assert data.startswith(b"%PDF-"), f"{name} is not a PDF"
        count = len(PdfReader(out / name).pages)
        assert count >= 1, f"{name} has no pages"
        pages += count
    celery = make_celery(broker)
    try:
        stats = celery.control.inspect(destination=[worker], timeout=5).stats() or {}
    finally:
        celery.close()
    assert worker in stats, f"worker {worker} did not answer: {stats}"
    rendered = stats[worker].get("total", {}).get("reports.render_location", 0)
    assert rendered == len(files), f"worker {worker} rendered {rendered} of {len(files)} reports"
    print(f"smoke ok: {len(files)} report PDFs ({pages} pages) for {period} rendered by {worker}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("base", help="the app's address, e.g. http://127.0.0.1:8765")
    parser.add_argument("--period", help="also render this period's reports on the queue")
    parser.add_argument("--worker", help="the Celery worker's name (with --period)")
    parser.add_argument("--out", type=Path, help="folder for the PDFs (default: a temporary one)")
    args = parser.parse_args()
    active = main(args.base)
    if args.period:
        if not args.worker:
            parser.error("--period needs --worker")
        if args.out:
            render_on_queue(active, args.period, args.worker, args.out)
        else:
            with tempfile.TemporaryDirectory() as folder:
                render_on_queue(active, args.period, args.worker, Path(folder))
