"""A small network with visits whose figures are worked out by hand in the tests.

Mini checklist (tests/fixtures/mini.yaml): section conduct (weight 2) holds greeted (4 points),
name_used (2, always N/A here), warmth (scale 1-5, 4) and rude (5, critical); section speed
(weight 1) holds time_to_greeting (3, from the event marks) and farewell (choice, 2). An item
is met at 75% of its points. A perfect visit scores 100; "greeted: no" makes conduct 9/13 and
the visit (2 x 69.23 + 100) / 3 = 79.49; a scripted farewell makes speed 4/5 and the visit
(2 x 100 + 80) / 3 = 93.33.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from audit_app.extensions import db
from audit_app.models import User, Visit, VisitStatus

PERFECT, NOT_GREETED, SCRIPTED = 100.0, 79.49, 93.33


@dataclass
class Network:
    ids: dict[str, int] = field(default_factory=dict)
    visits: dict[str, list[int]] = field(default_factory=dict)


def visit_adder(app, mini_version):
    """A function that adds a scored visit of the mini checklist and returns its id."""
    from audit_app.api.schemas import VisitIn
    from audit_app.services import review
    from audit_app.services.accounts import UserInput, create_user
    from audit_app.services.visits import submit_visit

    people: dict[str, int] = {}

    def user(role: str) -> User:
        if role not in people:
            people[role] = create_user(
                UserInput(
                    email=f"fixture-{role}@example.com",
                    name=f"Fixture {role}",
                    role=role,
                    password="correct horse battery",
                    allow_adhoc=role == "shopper",
                )
            ).id
        return db.session.get(User, people[role])

    def add(
        location_id: int,
        day: date,
        hour: int = 10,
        *,
        zone: str = "Asia/Kuala_Lumpur",
        greeted: bool = True,
        warmth: int = 5,
        rude: bool = True,
        farewell: str = "personal",
        greet_seconds: int = 20,
        note: str = "",
        status: str = VisitStatus.APPROVED,
    ) -> int:
        start = datetime(day.year, day.month, day.day, hour, 15, tzinfo=ZoneInfo(zone))
        start = start.astimezone(UTC)
        raw = {
            "client_uuid": str(uuid.uuid4()),
            "location_id": location_id,
            "checklist_version": mini_version,
            "started_at": start.isoformat(),
            "ended_at": (start + timedelta(minutes=20)).isoformat(),
            "answers": [
                {"item_id": "greeted", "value": greeted},
                {"item_id": "name_used", "na": True},
                {"item_id": "warmth", "value": warmth},
                {"item_id": "rude", "value": rude, "note": note},
                {"item_id": "farewell", "value": farewell},
            ],
            "events": [
                {"kind": "entered", "at": start.isoformat()},
                {"kind": "greeted", "at": (start + timedelta(seconds=greet_seconds)).isoformat()},
            ],
        }
        with app.app_context():
            visit, _ = submit_visit(VisitIn().load(raw), user("shopper"))
            visit_id = visit.id
            if status == VisitStatus.APPROVED:
                review.approve(visit_id, user("reviewer"))
            elif status != VisitStatus.SUBMITTED:
                db.session.execute(update(Visit).where(Visit.id == visit_id).values(status=status))
                db.session.commit()
            db.session.remove()
        return visit_id

    add.user = user
    return add


def build_network(app, make_location, add_visit) -> Network:
    """KL: A (4 visits in Oct 2026, 2 in Sep) and B (2 in Oct); JKT: C (3 in Oct, 1 in Nov).

    October at A: 100 (Tue 6, 10:15), 79.49 not greeted (Wed 7, 13:15), 100 (Sat 10, 18:15),
    93.33 scripted farewell (Wed 14, 10:15); plus a submitted and a returned visit that must
    not count. B: 100, 100. C (Jakarta): 79.49 three times; and one at 00:15 local on Sunday
    1 November, which is still 31 October in UTC.
    """
    net = Network()
    net.ids["A"] = make_location("KL", code="KL-A", name="Alpha")
    net.ids["B"] = make_location("KL", code="KL-B", name="Bravo")
    net.ids["C"] = make_location("JKT", code="JKT-C", name="Charlie", timezone="Asia/Jakarta")
    a, b, c = net.ids["A"], net.ids["B"], net.ids["C"]
    net.visits["A"] = [
        add_visit(a, date(2026, 10, 6), 10),
        add_visit(a, date(2026, 10, 7), 13, greeted=False, note='=HYPERLINK("x")'),
        add_visit(a, date(2026, 10, 10), 18),
        add_visit(a, date(2026, 10, 14), 10, farewell="scripted"),
    ]
    net.visits["A_sep"] = [add_visit(a, date(2026, 9, 8), 11), add_visit(a, date(2026, 9, 9), 11)]
    net.visits["A_pending"] = [
        add_visit(a, date(2026, 10, 20), 11, greeted=False, status=VisitStatus.SUBMITTED),
        add_visit(a, date(2026, 10, 21), 11, rude=False, status=VisitStatus.RETURNED),
    ]
    net.visits["B"] = [add_visit(b, date(2026, 10, 8), 12), add_visit(b, date(2026, 10, 9), 12)]
    net.visits["C"] = [
        add_visit(c, date(2026, 10, d), 15, zone="Asia/Jakarta", greeted=False) for d in (5, 6, 7)
    ]
    net.visits["C_nov"] = [add_visit(c, date(2026, 11, 1), 0, zone="Asia/Jakarta")]
    with app.app_context():
        from audit_app.models import Location

        net.ids["KL"] = db.session.get(Location, a).area_id
        net.ids["JKT"] = db.session.get(Location, c).area_id
        db.session.remove()
    return net
