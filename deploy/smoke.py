"""Smoke test through a running stack: ready, log in, submit, review, read back."""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime, timedelta

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


def main(base: str) -> None:
    ready = requests.get(f"{base}/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    shopper = login(base, "shopper1@demo.example")
    checklist = shopper.get(
        f"{base}/api/v1/checklists/service-standards/versions/latest", timeout=10
    ).json()
    location = shopper.get(f"{base}/api/v1/locations", timeout=10).json()[0]
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


if __name__ == "__main__":
    main(sys.argv[1])
