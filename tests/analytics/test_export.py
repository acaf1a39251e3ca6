"""Exports: the right rows in CSV and XLSX, scoped, without shopper identity for managers."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from audit_app.analytics.export import safe_text


def rows_of(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def workbook(response):
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data))


def test_comparison_csv_has_every_location_with_its_figures(login_as, network):
    client = login_as("admin")
    response = client.get("/dashboard/export/compare.csv?period=2026-10&sort=location")
    assert "attachment" in response.headers["Content-Disposition"]
    assert "compare-mini-2026-10.csv" in response.headers["Content-Disposition"]
    header, *rows = rows_of(response)
    assert header[:5] == ["Location code", "Location", "Area", "Visits", "Mean score"]
    assert [r[0] for r in rows] == ["KL-A", "KL-B", "JKT-C"]
    alpha = dict(zip(header, rows[0], strict=True))
    assert alpha["Visits"] == "4" and alpha["Mean score"] == "93.2"
    assert alpha["Pass rate %"] == "75.0" and alpha["Rank"] == "1"
    assert dict(zip(header, rows[1], strict=True))["Note"] == "not enough visits"
    assert alpha["Section: Speed"] == "95.0"


def test_comparison_xlsx_respects_the_area_managers_scope(login_as, network):
    client = login_as("area_manager", areas=("KL",))
    book = workbook(client.get("/dashboard/export/compare.xlsx?period=2026-10"))
    assert book.sheetnames == ["Comparison", "About"]
    values = list(book["Comparison"].values)
    assert [r[0] for r in values[1:]] == ["KL-A", "KL-B"]
    about = dict(list(book["About"].values)[1:])
    assert about["Period"].startswith("Oct 2026")


def test_visits_csv_is_one_row_per_answer_of_approved_visits(login_as, network):
    client = login_as("admin")
    header, *rows = rows_of(
        client.get(f"/dashboard/export/visits.csv?period=2026-10&location={network.ids['A']}")
    )
    assert "Shopper" in header  # admins see who visited
    visits = {r[0] for r in rows}
    assert visits == {str(v) for v in network.visits["A"]}  # not the pending ones
    assert len(rows) == 4 * 6  # five answers and the derived time to greeting
    by_item = [
        dict(zip(header, r, strict=True))
        for r in rows
        if r[header.index("Standard id")] == "farewell"
    ]
    assert sorted(r["Answer"] for r in by_item) == ["Personal", "Personal", "Personal", "Scripted"]
    notes = [r[header.index("Note")] for r in rows if r[header.index("Note")]]
    assert notes == ['\'=HYPERLINK("x")']  # neutralised for spreadsheets


def test_visits_xlsx_for_an_area_manager_has_no_shopper_and_stays_in_scope(login_as, network):
    client = login_as("area_manager", areas=("KL",))
    book = workbook(client.get("/dashboard/export/visits.xlsx?period=2026-10"))
    assert book.sheetnames == ["Visits", "Answers", "About"]
    visits = list(book["Visits"].values)
    assert "Shopper" not in visits[0]
    assert {r[4] for r in visits[1:]} == {"KL-A", "KL-B"}
    assert len(visits) == 1 + 6
    answers = list(book["Answers"].values)
    assert "Fixture shopper" not in repr(answers)
    note_col = answers[0].index("Note")
    assert [r[note_col] for r in answers[1:] if r[note_col]] == ['=HYPERLINK("x")']
    cell = next(
        c for row in book["Answers"].iter_rows() for c in row if c.value == '=HYPERLINK("x")'
    )
    assert cell.data_type == "s"  # text, not a formula
    assert (
        client.get(f"/dashboard/export/visits.csv?location={network.ids['C']}").status_code == 404
    )


def test_branch_manager_exports_only_their_own_location(login_as, network):
    client = login_as("branch_manager", location_code="KL-B")
    header, *rows = rows_of(client.get("/dashboard/export/visits.csv?period=2026-10"))
    assert {r[header.index("Location code")] for r in rows} == {"KL-B"}
    assert "Shopper" not in header
    assert (
        client.get(f"/dashboard/export/visits.csv?location={network.ids['A']}").status_code == 404
    )
    assert client.get("/dashboard/export/compare.csv").status_code == 403


def test_a_bad_period_is_a_clear_400(login_as, network):
    response = login_as("admin").get("/dashboard/export/compare.csv?period=2026-13")
    assert response.status_code == 400
    assert "no month 13" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-x", "'-x"),
        ("@SUM", "'@SUM"),
        ("fine", "fine"),
        (-3, -3),
    ],
)
def test_safe_text(value, expected):
    assert safe_text(value) == expected


def test_a_large_export_is_streamed_from_a_temporary_file(login_as, network, monkeypatch):
    from audit_app.web import dashboard

    monkeypatch.setattr(dashboard, "SPOOL_BYTES", 256)
    client = login_as("admin")
    response = client.get("/dashboard/export/visits.csv?period=2026-10")
    try:
        assert response.is_streamed or response.direct_passthrough
        header, *rows = rows_of(response)
        assert len(rows) == 9 * 6
    finally:
        response.close()
    assert "attachment" in response.headers["Content-Disposition"]


def test_managers_export_notes_without_the_shoppers_name_or_email(login_as, network, add_visit):
    note = "Ask Fixture Shopper at fixture-shopper@example.com"
    add_visit(network.ids["A"], date(2026, 10, 22), note=note)
    manager = login_as("area_manager", areas=("KL",))
    book = workbook(manager.get("/dashboard/export/visits.xlsx?period=2026-10"))
    notes = [row[-1] for row in book["Answers"].values]
    assert "Ask […] at […]" in notes
    assert "fixture-shopper@example.com" not in repr(list(book["Answers"].values))
    admin = login_as("admin")
    book = workbook(admin.get("/dashboard/export/visits.xlsx?period=2026-10"))
    assert note in [row[-1] for row in book["Answers"].values]
