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
