"""Every shopper screen in a real browser: accessibility (axe-core), languages, storage
protection, and updates that never take a draft away."""

from __future__ import annotations

import pytest

from tests.pwa.conftest import SHOTS, axe_violations, screenshot, watch
from tests.pwa.driver import (
    choose,
    log_in,
    mark,
    open_app,
    start_visit,
    store_rows,
    wait_js,
    wait_status,
)

pytestmark = pytest.mark.slow


def check(page, name: str, problems: dict) -> None:
    """Axe on the current screen (serious and critical only); screenshots at 360 and 390 px."""
    found = axe_violations(page)
    if found:
        problems[name] = found
    screenshot(page, f"{name}-360")
    if SHOTS:
        page.set_viewport_size({"width": 390, "height": 844})
        screenshot(page, f"{name}-390")
        page.set_viewport_size({"width": 360, "height": 640})


def test_no_shopper_screen_has_serious_accessibility_violations(
    server, world, new_context, photo_file, app
):
    from audit_app.extensions import db
    from audit_app.models import User

    with app.app_context():
        db.session.get(User, world.shopper_id).allow_adhoc = True
        db.session.commit()
        db.session.remove()
    # axe is injected as an inline script: only this test's context ignores the CSP
    context = new_context(bypass_csp=True)
    page = context.new_page()
    errors = watch(page)
    problems: dict = {}

    page.goto(f"{server.url}/app")
    page.wait_for_selector("#email")
    check(page, "login", problems)
    page.click("form button[type=submit]")  # empty: errors beside the form
    page.wait_for_selector("#login-error p")
    check(page, "login-error", problems)

    log_in(page, world.email)
    page.wait_for_selector("button:has-text('Start visit')")
    check(page, "home", problems)
    page.click("a:has-text('Start a visit without an assignment')")
    page.wait_for_selector("#adhoc-location")
    check(page, "adhoc", problems)
    page.click("a:has-text('Back to my visits')")

    uuid = start_visit(page)
    page.wait_for_selector(".checkin p:has-text('location shared')")
    mark(page, "entered")
    choose(page, "greeted_promptly", "Yes")
    page.click("#item-smile summary:has-text('How to judge')")
    page.click("#item-smile summary:has-text('Note')")
    check(page, "visit-section-1", problems)
    page.click(".mark[data-kind=entered]")  # a marked event: asks before clearing
    page.wait_for_selector("dialog[open]")
    check(page, "dialog-clear-mark", problems)
    page.click("dialog button:has-text('Keep')")

    page.click("a:has-text('Next')")
    page.wait_for_selector("#item-receipt")
    choose(page, "receipt", "No")
    page.set_input_files("input[data-photo=receipt]", str(photo_file))
    page.wait_for_selector("#item-receipt .thumbs img")
    page.locator("#item-fetch_time .stopwatch button").first.click()
    check(page, "visit-section-2", problems)

    page.click("a:has-text('Review and submit')")
    page.wait_for_selector("h1:has-text('Review')")
    check(page, "review-missing", problems)
    page.click("ul.todo a >> nth=0")
    page.wait_for_selector(".item.invalid")
    check(page, "visit-missing-shown", problems)

    other = context.new_page()
    other.goto(f"{server.url}/app#/visit/{uuid}/0")
    other.wait_for_selector("h1:text-is('Open in another tab')")
    check(other, "open-elsewhere", problems)
    other.close()
    page.bring_to_front()

    # complete the visit and submit offline: the journal with a waiting visit
    page.goto(f"{server.url}/app#/visit/{uuid}/0")
    page.wait_for_selector("#item-smile")
    choose(page, "smile", "3")
    mark(page, "greeted")
    page.goto(f"{server.url}/app#/visit/{uuid}/1")
    page.wait_for_selector("#item-fetch_time")
    page.locator("#item-fetch_time .stopwatch button").first.click()  # stop
    choose(page, "farewell", "None")
    choose(page, "name_used", "Yes")
    context.set_offline(True)
    page.click("a:has-text('Review and submit')")
    page.wait_for_selector("button.big:has-text('Submit visit'):not([disabled])")
    check(page, "review-ready", problems)
    page.click("button.big:has-text('Submit visit')")
    page.wait_for_selector("dialog[open]")
    check(page, "dialog-submit", problems)
    page.click("dialog button:has-text('Submit visit')")
    wait_status(page, uuid, "pending")
    check(page, "journal-waiting", problems)
    context.set_offline(False)
    wait_status(page, uuid, "sent")
    page.click(f"li.entry[data-uuid='{uuid}'] summary:has-text('Journal')")
    check(page, "journal-sent", problems)

    world.end_logins()
    page.goto(f"{server.url}/app")
    page.wait_for_selector("#email")
    check(page, "login-again", problems)

    for lang in ("ms", "id"):
        page.select_option("#lang", lang)
        check(page, f"login-{lang}", problems)

    assert problems == {}, problems
    assert errors == []


def test_language_switch_translates_interface_and_checklist_and_is_remembered(
    server, world, new_context
):
    context = new_context()
    page = context.new_page()
    errors = watch(page)
    open_app(page, server.url, world.email)
    page.select_option("#lang", "ms")
    page.wait_for_selector("h1:text-is('Lawatan saya')")
    assert page.get_attribute("html", "lang") == "ms"
    start_visit(page)
    assert page.inner_text("#q-greeted_promptly") == "Kakitangan menyapa anda"
    assert page.locator("#item-greeted_promptly button.opt").all_inner_texts() == ["Ya", "Tidak"]
    assert page.inner_text(".mark[data-kind=greeted]").startswith("Disapa")

    choose(page, "greeted_promptly", "Ya")
    mark(page, "entered")

    page.reload()  # the draft was saved on every change: nothing is lost on a reload
    page.wait_for_selector("#q-greeted_promptly")
    assert page.inner_text("#q-greeted_promptly") == "Kakitangan menyapa anda"
    pressed = page.locator("#item-greeted_promptly button.opt[aria-pressed=true]")
    assert pressed.inner_text().strip() == "Ya"
    assert page.get_attribute(".mark[data-kind=entered]", "aria-pressed") == "true"
    page.select_option("#lang", "id")
    page.wait_for_selector("#q-greeted_promptly:text-is('Staf menyapa Anda')")
    assert page.inner_text(".mark[data-kind=served]").startswith("Dilayani")
    assert page.evaluate("localStorage.getItem('audit.lang')") == "id"
    assert errors == []


def test_storage_protection_is_requested_and_its_answer_shown(server, world, new_context):
    context = new_context()
    page = context.new_page()
    open_app(page, server.url, world.email)
    page.click("#tab-outbox")
    page.wait_for_selector("#storage-state")
    state = page.inner_text("#storage-state")
    assert state.startswith(("Protected", "Not protected"))
    persisted = page.evaluate("navigator.storage.persisted()")
    assert state.startswith("Protected") == persisted


def test_a_new_version_waits_while_a_draft_is_open(server, world, new_context, monkeypatch):
    from audit_app.web import pwa

    context = new_context()
    page = context.new_page()
    errors = watch(page)
    open_app(page, server.url, world.email)
    old_version = page.get_attribute("html", "data-version")
    uuid = start_visit(page)
    choose(page, "greeted_promptly", "Yes")

    current = pwa.build(server.app)
    monkeypatch.setattr(pwa, "build", lambda _app: pwa.Build("new-version", current.shell))
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    wait_js(page, "navigator.serviceWorker.getRegistration().then((r) => !!(r && r.waiting))")
    page.wait_for_timeout(300)
    assert page.is_hidden("#banner")  # no update offered while the draft is open
    assert page.is_visible("#item-greeted_promptly")

    page.click("a:has-text('My visits')")
    page.wait_for_selector("#banner:has-text('A new version of the app is ready')")
    page.click("#banner button:has-text('Update now')")
    wait_js(page, "document.documentElement.dataset.version === 'new-version'")
    assert old_version != "new-version"
    [draft] = store_rows(page, "drafts")
    assert draft["uuid"] == uuid and draft["answers"]["greeted_promptly"]["value"] is True
    page.wait_for_selector("h1:text-is('My visits')")
    page.wait_for_selector(f"a[href='#/visit/{uuid}/0']")  # the draft is still there
    assert errors == []
