"""A small world with every role, two areas, and visits in and out of each user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from audit_app.extensions import db
from audit_app.models import Assignment, AssignmentStatus, User, Visit, VisitStatus
from tests.conftest import api_login, csrf_token

ROLES = ("anonymous", "shopper", "reviewer", "area_manager", "branch_manager", "admin")


@dataclass
class World:
    clients: dict
    ids: dict


@pytest.fixture
def world(app, make_location, make_user, mini_version, visit_payload):
    from audit_app.models import Location

    l1 = make_location("KL", code="KL-100")
    make_location("KL", code="KL-200")
    l3 = make_location("JKT", code="JKT-100")
    ids = {"L1": l1, "L3": l3}
    users = {
        "shopper": make_user("shopper", email="a@example.com", allow_adhoc=True),
        "shopper_b": make_user("shopper", email="b@example.com", allow_adhoc=True),
        "reviewer": make_user("reviewer", email="rev@example.com"),
        "area_manager": make_user("area_manager", email="am@example.com", areas=("KL",)),
        "branch_manager": make_user(
            "branch_manager", email="bm@example.com", location_code="KL-100"
        ),
        "admin": make_user("admin", email="admin@example.com"),
        "spare": make_user("shopper", email="spare@example.com"),
    }
    ids.update({f"U_{k}": v for k, v in users.items()})
    clients = {}
    for role in ROLES:
        client = app.test_client()
        if role == "anonymous":
            client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token(client)
        else:
            email = {
                "shopper": "a@example.com",
                "reviewer": "rev@example.com",
                "area_manager": "am@example.com",
                "branch_manager": "bm@example.com",
                "admin": "admin@example.com",
            }[role]
            assert api_login(client, email).status_code == 200
        clients[role] = client

    v1 = clients["shopper"].post("/api/v1/visits", json=visit_payload(location_id=l1)).json
    other = app.test_client()
    api_login(other, "b@example.com")
    v2 = other.post("/api/v1/visits", json=visit_payload(location_id=l3)).json
    ids.update(V1=v1["id"], V2=v2["id"])
    start = datetime.now(UTC) + timedelta(days=1)
    with app.app_context():
        db.session.get(Visit, v1["id"]).status = VisitStatus.APPROVED
        a1 = Assignment(
            location_id=l1,
            checklist_key="mini",
            shopper_id=users["shopper"],
            window_start=start,
            window_end=start + timedelta(days=2),
        )
        a2 = Assignment(
            location_id=l1,
            checklist_key="mini",
            shopper_id=users["shopper"],
            window_start=start,
            window_end=start + timedelta(days=2),
            status=AssignmentStatus.CANCELLED,
        )
        db.session.add_all([a1, a2])
        db.session.commit()
        ids.update(AS1=a1.id, AS2=a2.id, KL=db.session.get(Location, l1).area_id)
        assert db.session.get(User, users["spare"]).active
        db.session.remove()
    return World(clients, ids)
