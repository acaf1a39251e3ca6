"""The pure parts of the report: labels in every language, scrubbing, formatting."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from audit_app.reports.context import pct, scrub
from audit_app.reports.labels import LABELS, language


def test_every_language_has_every_label():
    for lang, words in LABELS.items():
        assert set(words) == set(LABELS["en"]), lang


def test_language_falls_back_to_the_location_then_english():
    assert language("ID", "en") == "id"
    assert language(None, "ms") == "ms"
    assert language("fr", "xx") == "en"


def test_scrub_removes_names_and_email_addresses_case_insensitively():
    text = "Served by me, ZELDA Quixote (zelda.q@example.com), mail x@y.org"
    out = scrub(text, ["Zelda Quixote", "zelda.q@example.com"])
    assert "zelda" not in out.lower() and "@" not in out
    assert out.startswith("Served by me, ")


@given(st.text(max_size=200), st.sampled_from(["Ann Lee", "ann@lee.example"]))
def test_scrubbed_text_never_contains_the_secret(prefix, secret):
    assert secret.lower() not in scrub(prefix + secret + prefix, [secret]).lower()


def test_percentages_and_missing_values():
    assert pct(None) == "–" and pct(0.855) == "86%" and pct(0.5, 1) == "50.0%"


def test_chart_text_alternatives_speak_the_report_language():
    from audit_app import charts
    from audit_app.reports.labels import chart_words

    datum = charts.IntervalDatum(
        label="Disapa", rate=0.5, low=0.3, high=0.7, verdict="inconsistent", reference=0.8, n=10
    )
    strip = charts.interval_strip(
        datum, met_at=0.85, missed_below=0.5, words=chart_words("ms"), reference_label="Rangkaian"
    )
    assert "Pematuhan: Disapa" in strip
    assert "50% daripada 10 lawatan, selang 95% 30–70%, rangkaian 80%" in strip
    assert LABELS["ms"]["inconsistent"].lower() in strip
    english = charts.interval_strip(datum, met_at=0.85, missed_below=0.5)
    assert "50% of 10 visits, 95% interval 30–70%, network 80%, inconsistent" in english
    trend = charts.trend_chart(
        [charts.TrendDatum("Okt", 80.0, 75.0, 4)],
        title="Tren",
        subject_label="Lokasi ini",
        reference_label="Jaringan",
        pass_mark=70,
        words=chart_words("id"),
    )
    assert "Skor rata-rata per periode" in trend and "4 kunjungan" in trend
    assert "batas lulus 70" in trend


def test_differences_that_round_to_nothing_are_zero_not_minus_zero():
    from audit_app.charts import signed

    assert [signed(-0.04), signed(0.04), signed(-0.06), signed(None)] == ["0.0", "0.0", "-0.1", "–"]
