"""flask locations import: per-row errors, all rows or none."""

from __future__ import annotations

from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import Location

HEADER = (
    "code,name,area_code,area_name,address,latitude,longitude,timezone,contact_email,language\n"
)


def stored(app) -> dict[str, tuple]:
    with app.app_context():
        rows = {
            loc.code: (loc.name, loc.area.code, loc.timezone, loc.latitude)
            for loc in db.session.scalars(select(Location))
        }
        db.session.remove()
    return rows


def test_import_creates_and_then_updates_by_code(app, runner, tmp_path):
    csv = tmp_path / "locations.csv"
    csv.write_text(
        HEADER + "KL-1,Bukit Bintang,KL,Kuala Lumpur,1 Jalan,3.14,101.7,Asia/Kuala_Lumpur,"
        "bb@example.com,ms\n" + "JKT-1,Senayan,JKT,Jakarta,,,,Asia/Jakarta,,id\n"
    )
    first = runner.invoke(args=["locations", "import", str(csv)])
    assert first.exit_code == 0, first.output
    assert "2 created, 0 updated, 2 new area(s)" in first.output

    csv.write_text(HEADER + "KL-1,Bukit Bintang Flagship,KL,,,3.15,101.7,Asia/Kuala_Lumpur,,ms\n")
    second = runner.invoke(args=["locations", "import", str(csv)])
    assert "0 created, 1 updated, 0 new area(s)" in second.output
    assert stored(app) == {
        "KL-1": ("Bukit Bintang Flagship", "KL", "Asia/Kuala_Lumpur", 3.15),
        "JKT-1": ("Senayan", "JKT", "Asia/Jakarta", None),
    }


def test_bad_rows_are_all_reported_and_nothing_is_imported(app, runner, tmp_path):
    csv = tmp_path / "locations.csv"
    csv.write_text(
        HEADER
        + "KL-1,Good,KL,,,,,Asia/Kuala_Lumpur,,en\n"
        + "KL-2,Bad lat,KL,,,95,101,Asia/Kuala_Lumpur,,en\n"
        + "KL-3,Bad tz,KL,,,,,Mars/Olympus,,en\n"
        + "KL-1,Duplicate,KL,,,,,UTC,,en\n"
        + ",No code,KL,,,,,UTC,not-an-email,en\n"
    )
    result = runner.invoke(args=["locations", "import", str(csv)])

    assert result.exit_code == 1
    out = result.output
    assert (
        f"{csv}: line 3 (KL-2): latitude: must be greater than or equal to -90" in out
        or f"{csv}: line 3 (KL-2): latitude:" in out
    )
    assert "line 4 (KL-3): timezone: unknown time zone 'Mars/Olympus'" in out
    assert "line 5 (KL-1): code: duplicate code, first on line 2" in out
    assert "line 6: code: is required" in out
    assert "line 6: contact_email: not a valid email address" in out
    assert "nothing was imported" in out
    assert stored(app) == {}


def test_missing_columns_and_unreadable_files_are_clear(runner, tmp_path):
    csv = tmp_path / "x.csv"
    csv.write_text("code,name\nA,B\n")
    result = runner.invoke(args=["locations", "import", str(csv)])
    assert result.exit_code == 1 and "header: missing column(s): area_code" in result.output

    result = runner.invoke(args=["locations", "import", str(tmp_path / "nope.csv")])
    assert result.exit_code != 0 and "nope.csv" in result.output
