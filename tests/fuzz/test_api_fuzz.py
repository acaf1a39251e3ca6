"""Fuzz every operation of /api/v1/openapi.json as every role: no 5xx, documented responses.

Bounded: FUZZ_EXAMPLES generated requests per operation (default 12), each sent as every
role and anonymously. Login and logout are left out: they would end the sessions used here
(they have their own tests).
"""

from __future__ import annotations

import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import api_login, csrf_token

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
ROLES = ("shopper", "reviewer", "area_manager", "branch_manager", "admin")
SKIP = re.compile(r"/auth/(login|logout)$")


# Schema-valid is not always meaningful: a visit for a location that does not exist is a 422
# by design, so "positive data accepted" cannot hold; everything else is checked.
EXCLUDED = [schemathesis.checks.positive_data_acceptance]


def role_headers(app, make_user, make_location) -> dict[str, tuple[dict, dict]]:
    """Cookie and CSRF headers for a logged-in user of each role, and for nobody."""
    make_location("KL", code="KL-1")
    scopes = {
        "area_manager": {"areas": ("KL",)},
        "branch_manager": {"location_code": "KL-1"},
        "shopper": {"allow_adhoc": True},
    }
    headers = {}
    for role in ROLES:
        email = f"fuzz-{role}@example.com"
        make_user(role, email=email, **scopes.get(role, {}))
        client = app.test_client()
        response = api_login(client, email)
        assert response.status_code == 200
        headers[role] = (
            {"audit_session": client.get_cookie("audit_session").value},
            {"X-CSRFToken": response.json["csrf_token"]},
        )
    nobody = app.test_client()
    token = csrf_token(nobody)
    headers["anonymous"] = (
        {"audit_session": nobody.get_cookie("audit_session").value},
        {"X-CSRFToken": token},
    )
    return headers


# schemathesis' in-process transport never closes streamed responses (photo files); a real
# WSGI server does, so the resulting "unclosed file" warnings say nothing about the app.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_every_api_operation_as_every_role(app, make_user, make_location, mini_version):
    headers = role_headers(app, make_user, make_location)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures, tested = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        if SKIP.search(operation.path):
            continue
        tested.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            for role, (cookies, role_header) in headers.items():
                try:
                    case.call_and_validate(
                        headers=role_header, cookies=cookies, excluded_checks=EXCLUDED
                    )
                except Exception as exc:  # noqa: BLE001 - collected and reported below
                    exc.add_note(f"as {role}: {case.method} {case.formatted_path}")
                    raise

        try:
            fuzz()
        except Exception as exc:  # noqa: BLE001
            notes = " | ".join(getattr(exc, "__notes__", []))
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:400]} {notes}")
    assert len(tested) >= 10
    assert not failures, "\n\n".join(failures)
