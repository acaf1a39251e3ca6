"""Drive the shopper's app like a shopper: log in, fill a visit, submit, watch the journal."""

from __future__ import annotations

import re
import time
from pathlib import Path

from tests.conftest import PASSWORD

READ_STORE = """
async (name) => {
  const db = await new Promise((resolve, reject) => {
    const r = indexedDB.open('audit-app');
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const rows = await new Promise((resolve, reject) => {
    const q = db.transaction(name).objectStore(name).getAll();
    q.onsuccess = () => resolve(q.result);
    q.onerror = () => reject(q.error);
  });
  db.close();
  return rows.map((row) => ({ ...row, blob: row.blob ? row.blob.size : null }));
}
"""


def log_in(page, email: str, password: str = PASSWORD) -> None:
    page.wait_for_selector("#email")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("form button[type=submit]")


def wait_js(page, expression: str, timeout: float = 15) -> None:
    """Poll a JS expression until it is true (wait_for_function would need 'unsafe-eval')."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(expression):
                return
        except Error as error:  # the page is navigating (a reload): ask again once it is back
            if "context was destroyed" not in str(error) and "navigat" not in str(error):
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.1)


def open_app(page, base_url: str, email: str) -> None:
    """Load the app, log in, wait until the service worker controls it and lists are cached."""
    page.goto(f"{base_url}/app")
    log_in(page, email)
    page.wait_for_selector("h1:text-is('My visits')")
    page.wait_for_selector("li.card button.primary")
    wait_js(page, "!!navigator.serviceWorker && navigator.serviceWorker.controller !== null")


def store_rows(page, name: str) -> list[dict]:
    return page.evaluate(READ_STORE, name)


def choose(page, item_id: str, label: str) -> None:
    """Tap an answer button (Yes, No, a scale value, a choice, N/A) of an item."""
    card = page.locator(f"#item-{item_id}")
    card.locator("button.opt").filter(has_text=re.compile(rf"^{re.escape(label)}$")).click()


def mark(page, kind: str) -> None:
    page.click(f".mark[data-kind={kind}]")
    page.wait_for_selector(f".mark[data-kind={kind}][aria-pressed=true]")


def start_visit(page) -> str:
    """Start the first assignment's visit; returns the draft's UUID."""
    page.click("li.card button.primary")  # the first assignment's "Start visit"
    page.wait_for_selector("#item-greeted_promptly")
    return re.search(r"#/visit/([\w-]+)/", page.url).group(1)


def fill_visit(page, photo: Path, comment: str = "Friendly, quick service.") -> dict:
    """Answer every item of the shop-visit checklist with marks, a photo and the stopwatch.

    Returns what was answered (timed values are measured, so they come from the server).
    """
    mark(page, "entered")
    choose(page, "greeted_promptly", "Yes")
    choose(page, "smile", "4")
    mark(page, "greeted")
    page.click("a:has-text('Next')")
    page.wait_for_selector("#item-receipt")
    choose(page, "receipt", "Yes")
    page.set_input_files("input[data-photo=receipt]", str(photo))
    page.wait_for_selector("#item-receipt .thumbs img")
    stopwatch = page.locator("#item-fetch_time .stopwatch button").first
    stopwatch.click()  # Start
    time.sleep(1.2)
    stopwatch.click()  # Stop
    page.wait_for_selector("#item-fetch_time.done")
    choose(page, "farewell", "Scripted")
    choose(page, "name_used", "N/A")
    page.fill("#item-comments textarea[aria-labelledby]", comment)
    for kind in ("served", "paid", "left"):
        mark(page, kind)
    return {
        "greeted_promptly": {"value": True, "na": False},
        "smile": {"value": 4, "na": False},
        "receipt": {"value": True, "na": False},
        "farewell": {"value": "scripted", "na": False},
        "name_used": {"value": None, "na": True},
        "comments": {"value": comment, "na": False},
    }


def submit(page, uuid: str) -> None:
    """Review, submit and confirm; ends on the sync journal."""
    page.click("a:has-text('Review and submit')")
    page.wait_for_selector("h1:has-text('Review')")
    page.click("button.big:has-text('Submit visit')")
    page.click("dialog button:has-text('Submit visit')")
    page.wait_for_selector(f"li.entry[data-uuid='{uuid}']")


def wait_status(page, uuid: str, status: str, timeout: float = 20000) -> None:
    page.wait_for_selector(f"li.entry[data-uuid='{uuid}'][data-status='{status}']", timeout=timeout)


def outbox_entry(page, uuid: str) -> dict:
    return next(row for row in store_rows(page, "outbox") if row["uuid"] == uuid)


def wait_attempts(page, uuid: str, at_least: int, timeout: float = 30) -> dict:
    """Wait until the outbox entry has been tried at least this often (and is not in flight)."""
    deadline = time.monotonic() + timeout
    while True:
        entry = outbox_entry(page, uuid)
        if entry["attempts"] >= at_least and entry["status"] != "sending":
            return entry
        if time.monotonic() > deadline:
            raise AssertionError(f"only {entry['attempts']} attempt(s): {entry}")
        time.sleep(0.2)


def wait_entry(page, uuid: str, status: str, timeout: float = 15) -> dict:
    """Wait until the outbox entry (in IndexedDB) has this status."""
    deadline = time.monotonic() + timeout
    while True:
        entry = outbox_entry(page, uuid)
        if entry["status"] == status:
            return entry
        if time.monotonic() > deadline:
            raise AssertionError(f"status {entry['status']!r}, not {status!r}: {entry}")
        time.sleep(0.1)
