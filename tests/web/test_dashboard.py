"""The dashboard as its users meet it: overview, compare, a location, a visit; scope and CSP."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest

from audit_app.extensions import db
from audit_app.models import Visit
from audit_app.services import review


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code, response.location)
    html = response.get_data(as_text=True)
    # the CSP allows neither inline styles nor scripts: nothing on the page may need them
    assert "style=" not in html and "<script" not in html
    return html


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_area_manager_starts_on_the_dashboard_of_their_areas(login_as, network):
    client = login_as("area_manager", areas=("KL",))
    assert client.get("/").location.endswith("/dashboard")
    html = page(client, "/dashboard?period=2026-10")
    assert "Your areas" in html and "Compare locations" in html
    words = text(html)
    assert "Visits 6 approved, Oct 2026" in words
    assert "Alpha" in words and "Charlie" not in words  # JKT is not theirs
    assert 'role="img"' in html and "<title" in html  # charts with text alternatives


def test_admin_overview_is_the_whole_network(login_as, network):
    html = page(login_as("admin"), "/dashboard?period=2026-10")
    assert "Whole network" in html and "Charlie" in html


def test_compare_sorts_by_links_and_filters_by_area(login_as, network):
    client = login_as("admin")
    html = page(client, "/dashboard/compare?period=2026-10")
    order = [m for m in re.findall(r">(Alpha|Bravo|Charlie)</a>", html)]
    assert order[:3] == ["Alpha", "Charlie", "Bravo"]  # by rank; Bravo has too few visits
    assert "not enough visits" in html
    link = re.search(r'href="([^"]*sort=score[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "dir=desc" in link
    by_score = page(client, link)
    assert re.findall(r">(Alpha|Bravo|Charlie)</a>", by_score)[:3] == ["Bravo", "Alpha", "Charlie"]
    assert 'aria-sort="descending"' in by_score
    jkt = page(client, f"/dashboard/compare?period=2026-10&area={network.ids['JKT']}")
    assert re.findall(r">(Alpha|Bravo|Charlie)</a>", jkt)[:1] == ["Charlie"]
    assert "Alpha" not in jkt.split("Sections by location")[0].split("<tbody>")[1]


def test_compare_shows_a_heatmap_of_sections(login_as, network):
    html = page(login_as("admin"), "/dashboard/compare?period=2026-10")
    heatmap = html.split("Sections by location")[1]
    assert "Alpha, Speed: 95.0" in heatmap
    assert "(not enough visits)" in heatmap  # Bravo's two visits


def test_a_bad_filter_keeps_the_page_and_says_what_is_wrong(login_as, network):
    html = page(login_as("admin"), "/dashboard/compare?period=2026-13", status=400)
    assert "no month 13" in html and "Showing the default instead" in html
    html = page(login_as("admin"), "/dashboard/compare?from=2026-10-01", status=400)
    assert "Give both dates of a custom range. Showing the default instead." in html


def test_location_page_shows_every_figure(login_as, network):
    client = login_as("area_manager", areas=("KL",))
    html = page(client, f"/dashboard/locations/{network.ids['A']}?period=2026-10")
    words = text(html)
    assert "Alpha KL-A" in words
    for expected in (
        "Mean score 93.2",
        "Pass rate 75%",
        "Rank in network 1 of 2",
        "Recommended focus",
        "Trend against the network",
        "Consistency across time",
        "Weekends",
        "Service-quality dimensions",
        "inconsistent",
    ):
        assert expected in words, expected
    visits = [int(v) for v in re.findall(r'href="/dashboard/visits/(\d+)"', html)]
    assert visits == list(reversed(network.visits["A"]))


def test_a_location_with_few_visits_says_so(login_as, network):
    html = page(login_as("admin"), f"/dashboard/locations/{network.ids['B']}?period=2026-10")
    assert "Not enough visits: 2 approved visits" in text(html)
    assert "Rank in network not ranked" in text(html)


def test_scope_locations_and_areas_outside_are_not_found(login_as, network):
    manager = login_as("area_manager", areas=("KL",))
    page(manager, f"/dashboard/locations/{network.ids['C']}", status=404)
    page(manager, f"/dashboard/compare?area={network.ids['JKT']}", status=404)
    page(manager, f"/dashboard/visits/{network.visits['C'][0]}", status=404)
    assert login_as("shopper").get("/dashboard/compare").status_code == 403


def test_branch_manager_sees_only_their_branch(login_as, network):
    client = login_as("branch_manager", location_code="KL-A")
    assert client.get("/").location.endswith(f"/dashboard/locations/{network.ids['A']}")
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.location.endswith(f"/dashboard/locations/{network.ids['A']}")
    html = page(client, response.location)
    assert "My branch" in html and "compare locations" not in html.lower().split("</nav>")[1][:500]
    page(client, f"/dashboard/locations/{network.ids['B']}", status=404)
    assert client.get("/dashboard/compare").status_code == 403
    page(client, f"/dashboard/visits/{network.visits['A'][0]}")
    page(client, f"/dashboard/visits/{network.visits['A_pending'][0]}", status=404)  # submitted


@pytest.mark.parametrize("role", ["area_manager", "admin"])
def test_visit_page_shows_answers_events_history_and_hides_the_shopper(
    app, login_as, network, add_visit, role
):
    visit_id = network.visits["A"][1]
    with app.app_context():
        reviewer = add_visit.user("reviewer")
        review.correct_answer(visit_id, reviewer, "warmth", 4, False, "checked the notes")
        db.session.remove()
    html = page(
        login_as(role, areas=("KL",) if role == "area_manager" else ()),
        f"/dashboard/visits/{visit_id}",
    )
    words = text(html)
    assert "Visit of Wed 07 Oct 2026, 13:15" in words  # local time
    assert "Warmth of the greeting 4 of 1–5" in words
    assert "entered" in words and "greeted" in words
    assert '=HYPERLINK("x")' in html.replace("&#34;", '"').replace("&quot;", '"')
    assert "corrected an answer" in words and "checked the notes" in words
    if role == "admin":
        assert "Fixture shopper" in words
    else:
        assert "Fixture shopper" not in words and "fixture-shopper" not in html


def test_visit_page_shows_photos_of_the_visit(app, login_as, network):
    from audit_app.models import Photo

    visit_id = network.visits["A"][0]
    with app.app_context():
        shopper_id = db.session.get(Visit, visit_id).shopper_id
        db.session.add(
            Photo(
                client_uuid=uuid.uuid4(),
                shopper_id=shopper_id,
                upload_sha256="a" * 64,
                sha256="b" * 64,
                original_format="JPEG",
                width=800,
                height=600,
                size_bytes=1000,
                thumb_width=320,
                thumb_height=240,
                visit_id=visit_id,
                item_id="greeted",
            )
        )
        db.session.commit()
        photo_id = db.session.query(Photo.id).filter_by(visit_id=visit_id).scalar()
        db.session.remove()
    html = page(login_as("admin"), f"/dashboard/visits/{visit_id}")
    assert f"/api/v1/photos/{photo_id}/thumbnail" in html
    assert 'alt="Photo for Greeted within 10 seconds"' in html


def test_dashboard_without_any_checklist_explains_what_to_do(login_as):
    html = page(login_as("admin"), "/dashboard")
    assert "Nothing to show yet" in html and "No checklist is stored yet." in html


def test_periods_in_the_filter_follow_the_data(login_as, network, add_visit):
    html = page(login_as("admin"), "/dashboard/compare")
    # the newest approved visit is on 1 Nov 2026 (local): the last three months end there
    assert 'value="2026-09-01..2026-11-30" selected' in html
    assert ">Q4 2026</option>" in html


def test_favicon_is_served_at_the_site_root(client):
    from io import BytesIO

    from PIL import Image

    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert "max-age" in response.headers["Cache-Control"]
    icon = Image.open(BytesIO(response.data))
    assert icon.format == "ICO" and {(16, 16), (32, 32)} <= icon.info["sizes"]
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/login").get_data(as_text=True)


def test_heatmap_headers_wrap_between_words_never_inside_one(login_as, network, app):
    from pathlib import Path

    html = page(login_as("admin"), "/dashboard/compare?period=2026-10")
    heatmap = html.split("Sections by location")[1]
    headers = re.findall(r'<th scope="col" class="section-col">([^<]*)</th>', heatmap)
    assert headers == ["Conduct", "Speed"]  # whole titles, no soft hyphens or <wbr>
    # the stylesheet lets a column grow to its longest word rather than break it
    css = (Path(app.static_folder) / "css" / "dashboard.css").read_text()
    rules = re.findall(r"([^{}]*\.heatmap[^{}]*)\{([^}]*)\}", css)
    assert any("thead th" in selector for selector, _ in rules)
    for selector, body in rules:
        for breaking in ("overflow-wrap: anywhere", "word-break: break-all", "hyphens: auto"):
            assert breaking not in body, (selector.strip(), breaking)


def test_changes_without_enough_visits_say_so_and_never_show_minus_zero(login_as, network):
    html = page(login_as("admin"), "/dashboard/compare?period=2026-10")
    alpha = html.split(">Alpha</a>")[1].split("</tr>")[0]
    assert "too few visits to tell" in alpha  # two visits in September: no direction
    location = page(login_as("admin"), f"/dashboard/locations/{network.ids['B']}?period=2026-10")
    assert "-0 pts" not in location and "+0 pts" not in location


def test_signed_differences_and_error_sentences():
    from audit_app.web.dashboard import sentence, signed

    assert [signed(v) for v in (3.4, -0.4, 0.0, -2.6)] == ["+3", "0", "0", "-3"]
    assert [signed(v, 1) for v in (0.04, -0.04, 1.25)] == ["0.0", "0.0", "+1.2"]
    assert sentence("give both dates of a custom range") == "Give both dates of a custom range."
    assert sentence("'2026-13' has no month 13") == "'2026-13' has no month 13."


def test_custom_dates_sent_back_unchanged_give_way_to_a_new_period(login_as, network):
    client = login_as("admin")
    custom = page(client, "/dashboard/compare?from=2026-10-01&to=2026-10-20")
    lede = re.search(r'<p class="lede">([^<]*)</p>', custom).group(1)
    assert "1 Oct – 20 Oct 2026" in lede
    # the range in use fills the custom dates, and the form says which period it showed
    assert 'name="from" value="2026-10-01"' in custom and 'name="to" value="2026-10-20"' in custom
    assert 'name="shown" value="2026-10-01..2026-10-20"' in custom
    # the manager picks Q3 from the list: the form sends the old dates along, Q3 wins
    form = "from=2026-10-01&to=2026-10-20&shown=2026-10-01..2026-10-20"
    q3 = page(client, f"/dashboard/compare?period=2026-Q3&{form}")
    assert "Q3 2026" in re.search(r'<p class="lede">([^<]*)</p>', q3).group(1)
    # new dates replace the period, whatever the list says
    changed = "period=2026-10-01..2026-10-20&from=2026-10-05&to=2026-10-09"
    narrower = page(client, f"/dashboard/compare?{changed}&shown=2026-10-01..2026-10-20")
    assert "5 Oct – 9 Oct 2026" in re.search(r'<p class="lede">([^<]*)</p>', narrower).group(1)


def test_visit_page_tells_reviewers_when_there_are_no_evidence_flags(login_as, network):
    visit_id = network.visits["A"][0]
    admin = page(login_as("admin"), f"/dashboard/visits/{visit_id}")
    assert "Evidence flags: none." in text(admin)
    assert f'href="/admin/review/{visit_id}"' in admin
    manager = page(login_as("area_manager", areas=("KL",)), f"/dashboard/visits/{visit_id}")
    assert "Evidence flags" not in manager and "/admin/review/" not in manager


def test_a_period_without_visits_says_so(login_as, network):
    client = login_as("admin")
    compare = text(page(client, "/dashboard/compare?period=2031-01"))
    assert "No approved visits in Jan 2031 for these locations" in compare
    overview = text(page(client, "/dashboard?period=2031-01"))
    assert "No approved visits in Jan 2031" in overview
    assert "No approved visits" not in text(page(client, "/dashboard/compare?period=2026-10"))


def test_location_page_links_its_pdf_report_for_those_who_may_open_it(login_as, network):
    path = f"/dashboard/locations/{network.ids['A']}?period=2026-10"
    link = f'href="/locations/{network.ids["A"]}/report.pdf?period=2026-10"'
    manager = login_as("area_manager", areas=("KL",))
    assert link in page(manager, path)
    response = manager.get(link.split('"')[1])
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    reviewer = login_as("reviewer")
    assert "report.pdf" not in page(reviewer, path)  # reviewers cannot open reports


def test_managers_read_notes_without_the_shoppers_name_or_email(app, login_as, network, add_visit):
    note = "Fixture Shopper here, write to fixture-shopper@example.com"
    visit_id = add_visit(network.ids["A"], date(2026, 10, 20), note=note)
    managers = [
        login_as("branch_manager", location_code="KL-A"),
        login_as("area_manager", areas=("KL",)),
    ]
    for client in managers:
        html = page(client, f"/dashboard/visits/{visit_id}")
        api = str(client.get(f"/api/v1/visits/{visit_id}").json)
        for shown in (html, api):
            assert "fixture-shopper@example.com" not in shown
            assert "Fixture Shopper" not in shown
            assert "[…] here, write to […]" in shown
    for client in (login_as("reviewer"), login_as("admin")):
        assert note in page(client, f"/dashboard/visits/{visit_id}")
        answers = client.get(f"/api/v1/visits/{visit_id}").json["answers"]
        assert note in [a["note"] for a in answers]
