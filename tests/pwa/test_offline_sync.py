"""The shopper's app in a real browser: offline filling, sync through failures, zero loss.

Each test drives the app like a shopper and asserts what the server stored: exactly one
visit, its answers, and the score the scoring engine gives for those answers.
"""

from __future__ import annotations

import pytest

from audit_app import scoring
from tests.pwa.conftest import CHROMIUM, CHROMIUM_ARGS, GEO, PHONE, screenshot, watch
from tests.pwa.driver import (
    choose,
    fill_visit,
    log_in,
    open_app,
    outbox_entry,
    start_visit,
    store_rows,
    submit,
    wait_attempts,
    wait_entry,
    wait_status,
)

pytestmark = pytest.mark.slow


def assert_one_visit(world, answered: dict, uuid: str) -> dict:
    """Exactly one stored visit: with these answers, the marks, the photo, and its score."""
    visits = world.visits()
    assert len(visits) == 1, visits
    visit = visits[0]
    assert visit["client_uuid"] == uuid
    assert visit["assignment_id"] == world.assignment_id
    for item_id, expected in answered.items():
        stored = visit["answers"][item_id]
        assert (stored["value"], stored["na"]) == (expected["value"], expected["na"]), item_id
    # measured on the phone: the marks (entered -> greeted) and the stopwatch
    assert 0 <= visit["answers"]["time_to_greeting"]["value"] < 30
    assert 1 <= visit["answers"]["fetch_time"]["value"] < 60
    assert visit["events"] == ["entered", "greeted", "served", "paid", "left"]
    assert visit["photos"] == [{"item_id": "receipt", "width": 1600, "height": 1200}]
    assert visit["checkin"] == (GEO["latitude"], GEO["longitude"])
    checklist = visit["checklist"]
    expected_score = scoring.score(
        checklist,
        {k: scoring.Answer(a["value"], a["na"]) for k, a in visit["answers"].items()},
    )
    assert visit["score"] == pytest.approx(round(expected_score.percent, 2))
    assert visit["score"] == pytest.approx(88.38, abs=0.01)  # 10/11 welcome x2, 5/6 service
    return visit


def submit_new_visit(page, server, world, photo_file, offline=None, **fill) -> tuple[str, dict]:
    """Log in, go offline (with the `offline` context), start, fill and submit a visit;
    return its UUID and the answers given."""
    open_app(page, server.url, world.email)
    if offline is not None:
        offline.set_offline(True)
    uuid = start_visit(page)
    answered = fill_visit(page, photo_file, **fill)
    submit(page, uuid)
    return uuid, answered


def test_visit_filled_offline_with_photo_and_marks_is_stored_once(
    server, world, new_context, photo_file
):
    context = new_context()
    page = context.new_page()
    errors = watch(page)
    open_app(page, server.url, world.email)
    screenshot(page, "home")

    context.set_offline(True)
    server.stop()  # really no network: nothing can come from the server
    page.reload()
    page.wait_for_selector("h1:text-is('My visits')")
    assert page.inner_text("#net") == "Offline"
    uuid = start_visit(page)
    answered = fill_visit(page, photo_file)
    submit(page, uuid)
    wait_status(page, uuid, "pending")
    assert outbox_entry(page, uuid)["attempts"] == 0  # offline: not even tried
    [photo] = store_rows(page, "photos")
    assert photo["width"] == 1600 and photo["height"] == 1200  # downscaled on the phone

    server.start()
    context.set_offline(False)
    wait_status(page, uuid, "sent")
    assert_one_visit(world, answered, uuid)
    assert store_rows(page, "drafts") == [] and store_rows(page, "photos") == []
    assert outbox_entry(page, uuid)["status"] == "sent"  # kept in the journal
    assert errors == []


def test_server_failures_during_sync_are_retried_until_exactly_one_visit(
    server, world, new_context, photo_file
):
    context = new_context()
    page = context.new_page()
    errors = watch(page)
    uuid, answered = submit_new_visit(page, server, world, photo_file, offline=context)

    # 1. the server answers 500 to the visit: retried automatically, with backoff
    server.switch.mode, server.switch.paths = "fail", {"/api/v1/visits"}
    context.set_offline(False)
    entry = wait_attempts(page, uuid, 2)
    assert entry["status"] == "retry" and "500" in entry["error"]
    assert world.visits() == [] and world.photo_count() == 1  # photos go first
    wait_status(page, uuid, "retry")

    # 2. the server is down: connection refused, still kept
    server.stop()
    entry = wait_attempts(page, uuid, entry["attempts"] + 1)
    assert entry["status"] == "retry" and entry["error"] == "no connection"

    # 3. back up, but the answer is lost after the visit was stored: the retry must not
    #    store it twice
    server.switch.mode = "lose"
    server.start()
    context.set_offline(True)
    context.set_offline(False)  # the connection comes back: sync at once
    entry = wait_attempts(page, uuid, entry["attempts"] + 1)
    assert entry["status"] == "retry" and "502" in entry["error"]
    assert len(world.visits()) == 1

    # 4. healthy again: the next attempt gets the stored visit back
    server.switch.mode = None
    context.set_offline(True)
    context.set_offline(False)
    wait_status(page, uuid, "sent")
    assert_one_visit(world, answered, uuid)
    assert "already stored" in outbox_entry(page, uuid)["log"][-1]["message"]
    assert errors == []


def test_login_expired_while_offline_sends_after_logging_in_again(
    server, world, new_context, photo_file
):
    context = new_context()
    page = context.new_page()
    errors = watch(page)
    uuid, answered = submit_new_visit(page, server, world, photo_file, offline=context)

    world.end_logins()  # the session ends on the server while the phone is offline
    context.set_offline(False)
    page.wait_for_selector("#email")
    assert "log in again" in page.inner_text("main").lower()
    screenshot(page, "login-again")
    wait_entry(page, uuid, "login")  # the sync found the login gone too: kept, waiting
    assert [d["state"] for d in store_rows(page, "drafts")] == ["submitted"]
    assert len(store_rows(page, "photos")) == 1
    assert world.visits() == []

    log_in(page, world.email)
    page.goto(f"{server.url}/app#/outbox")
    wait_status(page, uuid, "sent")
    assert_one_visit(world, answered, uuid)
    assert errors == []


def test_pending_visit_is_sent_when_the_browser_starts_again(
    server, world, playwright_driver, tmp_path, photo_file
):
    profile = tmp_path / "profile"

    def launch():
        context = playwright_driver.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            viewport=PHONE,
            geolocation=GEO,
            permissions=["geolocation"],
            locale="en-GB",
            timezone_id="Asia/Kuala_Lumpur",
        )
        context.set_default_timeout(15000)
        return context

    context = launch()
    page = context.pages[0] if context.pages else context.new_page()
    uuid, answered = submit_new_visit(page, server, world, photo_file, offline=context)
    wait_status(page, uuid, "pending")
    context.close()  # the phone's browser is closed with the visit still in the outbox
    assert world.visits() == []

    context = launch()
    try:
        page = context.pages[0] if context.pages else context.new_page()
        errors = watch(page)
        page.goto(f"{server.url}/app#/outbox")  # still logged in: the session was remembered
        wait_status(page, uuid, "sent")
        assert_one_visit(world, answered, uuid)
        assert errors == []
    finally:
        context.close()


def test_server_field_errors_reopen_the_draft_and_the_fixed_visit_syncs(
    server, world, new_context, photo_file, monkeypatch
):
    from audit_app.checklists import answers

    monkeypatch.setattr(answers, "MAX_TEXT", 20)  # the server is stricter than the phone
    context = new_context()
    page = context.new_page()
    errors = watch(page)
    comment = "A long comment the server will refuse."
    uuid, answered = submit_new_visit(page, server, world, photo_file, comment=comment)

    wait_status(page, uuid, "rejected")
    assert world.visits() == []
    page.click(f"li.entry[data-uuid='{uuid}'] a:has-text('Fix and submit again')")
    page.wait_for_selector(".error-box[role=alert]")
    assert "at most 20 characters" in page.inner_text(".error-box")
    screenshot(page, "review-server-errors")
    page.click(".error-box a:has-text('Comments')")
    page.wait_for_selector("#item-comments.invalid")
    assert "at most 20 characters" in page.inner_text("#e-comments")
    screenshot(page, "item-server-error")

    page.fill("#item-comments textarea[aria-labelledby]", "Quick and kind.")
    page.wait_for_selector("#item-comments:not(.invalid)")
    answered["comments"]["value"] = "Quick and kind."
    submit(page, uuid)
    wait_status(page, uuid, "sent")
    assert_one_visit(world, answered, uuid)
    assert errors == []


def test_the_same_visit_from_two_tabs_and_twice_is_stored_once(
    server, world, new_context, photo_file, tmp_path
):
    context = new_context()
    page = context.new_page()
    errors = watch(page)
    open_app(page, server.url, world.email)
    context.set_offline(True)
    uuid = start_visit(page)

    # a draft is open in one tab only
    other = context.new_page()
    errors += watch(other)
    other.goto(f"{server.url}/app#/visit/{uuid}/0")
    other.wait_for_selector("h1:text-is('Open in another tab')")
    page.bring_to_front()

    answered = fill_visit(page, photo_file)
    page.click("a:has-text('Review and submit')")
    page.click("button.big:has-text('Submit visit')")
    confirm = page.locator("dialog button:has-text('Submit visit')")
    confirm.dblclick()  # a double tap
    wait_status(page, uuid, "pending")
    assert len(store_rows(page, "outbox")) == 1

    # a backup of the pending visit, to send it once more later
    with page.expect_download() as download:
        page.click("button:has-text('Export unsent visits')")
    backup = tmp_path / "backup.json"
    download.value.save_as(backup)

    other.goto(f"{server.url}/app#/outbox")
    wait_status(other, uuid, "pending")
    context.set_offline(False)  # both tabs sync at once
    wait_status(page, uuid, "sent")
    wait_status(other, uuid, "sent")
    assert_one_visit(world, answered, uuid)

    # and the backup file sent to the server afterwards: already stored
    page.set_input_files("#import-file", str(backup))
    page.wait_for_selector(".import-results li[data-status=already_stored]")
    assert "Stored: 0 · already there: 1" in page.inner_text("main")
    assert_one_visit(world, answered, uuid)
    assert errors == []


def test_a_returned_visit_is_corrected_and_sent_again_under_the_same_uuid(
    server, world, new_context, photo_file, app, make_user
):
    from audit_app.extensions import db
    from audit_app.models import User, Visit
    from audit_app.services import review

    context = new_context()
    page = context.new_page()
    errors = watch(page)
    uuid, answered = submit_new_visit(page, server, world, photo_file)
    wait_status(page, uuid, "sent")
    [visit] = world.visits()

    reviewer_id = make_user("reviewer")
    with app.test_request_context():
        reviewer = db.session.get(User, reviewer_id)
        review.return_to_shopper(visit["id"], reviewer, "Was the smile really a 4? Check it.")
        db.session.remove()

    page.click("#tab-visits")
    page.click("button:has-text('Refresh')")
    page.wait_for_selector("h2:text-is('Returned for correction')")
    assert "Was the smile really a 4?" in page.inner_text("main")
    page.click("button:has-text('Correct and send again')")
    page.wait_for_selector("h1:has-text('Review')")
    assert "Was the smile really a 4?" in page.inner_text("main")
    page.goto(f"{server.url}/app#/visit/{uuid}/0")
    page.wait_for_selector("#item-smile")
    choose(page, "smile", "3")
    page.goto(f"{server.url}/app#/visit/{uuid}/1")
    page.wait_for_selector("#item-receipt .thumbs img")  # the photo the server already has
    submit(page, uuid)
    wait_status(page, uuid, "sent")

    answered["smile"]["value"] = 3
    visits = world.visits()
    assert len(visits) == 1 and visits[0]["id"] == visit["id"]
    assert visits[0]["status"] == "submitted"
    assert visits[0]["answers"]["smile"]["value"] == 3
    assert visits[0]["photos"] == [{"item_id": "receipt", "width": 1600, "height": 1200}]
    assert world.photo_count() == 1
    with app.app_context():
        assert db.session.get(Visit, visit["id"]).revision == 2
        db.session.remove()
    checklist = visits[0]["checklist"]
    expected = scoring.score(
        checklist,
        {k: scoring.Answer(a["value"], a["na"]) for k, a in visits[0]["answers"].items()},
    )
    assert visits[0]["score"] == pytest.approx(round(expected.percent, 2))
    assert errors == []
