"""Staff pages in real Chromium. The dashboard at a laptop's and a phone's width: nothing
is wider than the screen (long tables scroll in their own box or become cards), heatmap
headers keep their words whole. The dashboard, login and admin pages: no serious or
critical axe-core violations. Skipped without Chromium locally, a failure in CI."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.pwa.conftest import axe_violations

WIDTHS = (1280, 390)

# the widest element that sticks out of the page, outside any scrolling box
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && !el.closest('.scroll')) out.push(el.tagName + '.' + el.className);
  }
  return {extra: document.documentElement.scrollWidth - width, culprits: out.slice(0, 5)};
}"""

# heatmap headers: may the browser break a word, and did it put one word on two lines?
BROKEN_WORDS = """() => [...document.querySelectorAll('.heatmap th.section-col')].flatMap(th => {
  const style = getComputedStyle(th);
  const problems = [];
  const breaks = [style.overflowWrap, style.wordBreak, style.hyphens];
  if (breaks.includes('anywhere') || breaks.includes('break-all') || breaks.includes('auto'))
    problems.push(th.textContent + ': ' + breaks);
  const text = th.firstChild;
  for (const match of th.textContent.matchAll(/\\S+/g)) {
    const range = document.createRange();
    range.setStart(text, match.index);
    range.setEnd(text, match.index + match[0].length);
    if (range.getClientRects().length > 1) problems.push(match[0] + ' is broken across lines');
  }
  return problems;
})"""


@pytest.fixture
def manager(app, make_user) -> str:
    from audit_app.extensions import db
    from audit_app.models import User

    user_id = make_user("area_manager", areas=("KL", "JKT"))
    with app.app_context():
        email = db.session.get(User, user_id).email
        db.session.remove()
    return email


def test_dashboard_pages_fit_a_laptop_and_a_phone_and_pass_axe(browser, server, network, manager):
    """...and have no serious or critical accessibility violations (axe-core)."""
    # axe is injected as an inline script: only this test's context ignores the CSP
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/login")
        page.fill("input[name=email]", manager)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/dashboard")
        paths = [
            "/dashboard?period=2026-10",
            "/dashboard/compare?period=2026-10",
            f"/dashboard/locations/{network.ids['A']}?period=2026-10",
            f"/dashboard/visits/{network.visits['A'][1]}",
        ]
        problems = []
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for path in paths:
                assert page.goto(server.url + path).status == 200, path
                result = page.evaluate(OVERFLOW)
                if result["extra"] > 0:
                    problems.append(f"{width}px {path}: {result}")
                if "compare" in path:
                    assert page.locator(".heatmap th.section-col").count() == 2
                    problems += [f"{width}px: {p}" for p in page.evaluate(BROKEN_WORDS)]
                problems += [f"{width}px {path}: {v}" for v in axe_violations(page)]
        assert problems == []
    finally:
        context.close()


@pytest.fixture
def admin(app, make_user) -> str:
    from audit_app.extensions import db
    from audit_app.models import User

    user_id = make_user("admin")
    with app.app_context():
        email = db.session.get(User, user_id).email
        db.session.remove()
    return email


def test_login_and_admin_pages_pass_axe_on_a_laptop_and_a_tablet(browser, server, network, admin):
    """The login page and the desk tools (laptop and tablet): no serious or critical
    accessibility violations (axe-core)."""
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/login")
        problems = [f"/login: {v}" for v in axe_violations(page)]
        page.fill("input[name=email]", admin)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        paths = [
            "/admin/areas",
            "/admin/locations",
            f"/admin/locations/{network.ids['A']}",
            "/admin/users",
            "/admin/assignments",
            "/admin/review",
            f"/admin/review/{network.visits['A_pending'][0]}",
            "/admin/audit",
            "/admin/send-log",
        ]
        for width in (1280, 768):
            page.set_viewport_size({"width": width, "height": 900})
            for path in paths:
                assert page.goto(server.url + path).status == 200, path
                problems += [f"{width}px {path}: {v}" for v in axe_violations(page)]
        assert problems == [], "\n".join(problems)
    finally:
        context.close()
