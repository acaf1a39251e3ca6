"""Deterministic demo data: a realistic network with steady, inconsistent and weak branches."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from ..checklists.model import Checklist, Item, ItemType
from ..database import write_transaction
from ..extensions import db
from ..models import (
    Area,
    Assignment,
    ChecklistVersion,
    Location,
    Role,
    User,
    Visit,
    VisitStatus,
)
from .accounts import UserInput, create_user
from .demo_evidence import DemoEvidence
from .visits import submit_visit

AREAS = [
    ("KL", "Kuala Lumpur", "Asia/Kuala_Lumpur", "ms", (3.139, 101.687)),
    ("PNG", "Penang", "Asia/Kuala_Lumpur", "ms", (5.414, 100.329)),
    ("JKT", "Jakarta", "Asia/Jakarta", "id", (-6.200, 106.817)),
    ("SBY", "Surabaya", "Asia/Jakarta", "id", (-7.257, 112.752)),
]
PLACES = {
    "KL": ["Bukit Bintang", "Mid Valley", "KLCC", "Bangsar", "Cheras", "Mont Kiara", "Sunway"],
    "PNG": ["Gurney Drive", "Georgetown", "Bayan Lepas", "Butterworth", "Queensbay", "Tanjung"],
    "JKT": [
        "Grand Indonesia",
        "Kota Kasablanka",
        "Senayan",
        "Kemang",
        "Kelapa Gading",
        "Pondok Indah",
        "Sudirman",
    ],
    "SBY": ["Tunjungan Plaza", "Pakuwon", "Galaxy Mall", "Darmo", "Rungkut", "Kenjeran"],
}
COMMENTS = [
    "Staff member was friendly and made good eye contact.",
    "Had to wait while two staff members chatted behind the counter.",
    "Greeted warmly at the door; offered help without being asked.",
    "Name badge was not visible; uniform was creased.",
    "Payment was handled carefully and the receipt was offered.",
    "The employee read my phone number aloud in front of other customers.",
    "Very knowledgeable about the product and suggested a better option.",
    "Closing was scripted; no thanks or invitation to return.",
]


@dataclass(frozen=True)
class Profile:
    """How a branch behaves: base compliance, visit-to-visit swing, and its weak times."""

    name: str
    base: float
    swing: float
    weekend_drop: float = 0.0
    evening_drop: float = 0.0
    critical_rate: float = 0.01


PROFILES = [
    Profile("steady-good", 0.93, 0.03),
    Profile("steady-good", 0.90, 0.04),
    Profile("inconsistent", 0.78, 0.20, critical_rate=0.04),
    Profile("weekend-dip", 0.88, 0.05, weekend_drop=0.25),
    Profile("evening-dip", 0.88, 0.05, evening_drop=0.25),
    Profile("weak", 0.66, 0.08, critical_rate=0.08),
]


DEMO_PASSWORD = "demo-password"
SHOPPERS = 8


@dataclass(frozen=True)
class SeedResult:
    areas: int
    locations: int
    visits: int
    users: int
    photos: int = 0


def seed_demo(
    seed: int, locations: int, months: int, until: date, evidence: bool = False
) -> SeedResult:
    """Create areas, locations and scored visits; the same arguments give the same data.

    `evidence` adds photos and a few evidence flags (demo_evidence.py) without changing
    the visits' answers or scores.
    """
    rng = random.Random(seed)
    extras = DemoEvidence.seeded(seed) if evidence else None
    version = db.session.scalar(
        select(ChecklistVersion).order_by(ChecklistVersion.id.desc()).limit(1)
    )
    if version is None:
        raise RuntimeError("no checklist stored: run `flask checklists sync` first")
    created_locations = _seed_network(rng, locations)
    shoppers, users = _seed_users(created_locations)
    count = sum(
        len(seed_history(rng, version, location, profile, shoppers, months, until, None, extras))
        for location, profile in created_locations
    )
    _seed_assignments(rng, shoppers[0], created_locations, version.key, until)
    photos = extras.photos if extras else 0
    return SeedResult(len(AREAS), len(created_locations), count, users, photos)


def seed_history(
    rng: random.Random,
    version: ChecklistVersion,
    location: Location,
    profile: Profile,
    shoppers: list[User],
    months: int,
    until: date,
    per_month: int | None = None,
    evidence: DemoEvidence | None = None,
) -> list[Visit]:
    """Scored visits of one location over `months` months up to `until`'s month.

    `per_month` visits a month, or 2 to 5 at random; past months are reviewed (mostly
    approved), about half of the current month's visits still wait for review.
    """
    first_month = _add_months(until.replace(day=1), -(months - 1))
    visits = []
    month = first_month
    while month <= until:
        for _ in range(per_month or rng.randint(2, 5)):
            payload = _visit_payload(
                rng, version.checklist, version.content_hash, location, profile, month
            )
            shopper = rng.choice(shoppers)
            if evidence is not None:
                evidence.add(payload, version.checklist, shopper)
            visit, _ = submit_visit(payload, shopper, require_photos=False)
            _set_status(rng, visit, month == until.replace(day=1))
            visits.append(visit)
        month = _add_months(month, 1)
    return visits


def _seed_users(locations: list[tuple[Location, Profile]]) -> tuple[list[User], int]:
    """Demo accounts for every role, all with the password DEMO_PASSWORD."""
    first_branch = locations[0][0].code
    wanted = [
        UserInput("admin@demo.example", "Demo Admin", Role.ADMIN, DEMO_PASSWORD),
        UserInput("reviewer@demo.example", "Rina Reviewer", Role.REVIEWER, DEMO_PASSWORD),
        UserInput(
            "am.my@demo.example",
            "Aziz (Malaysia)",
            Role.AREA_MANAGER,
            DEMO_PASSWORD,
            area_codes=("KL", "PNG"),
        ),
        UserInput(
            "am.id@demo.example",
            "Dewi (Indonesia)",
            Role.AREA_MANAGER,
            DEMO_PASSWORD,
            area_codes=("JKT", "SBY"),
        ),
        UserInput(
            "branch@demo.example",
            f"Manager {first_branch}",
            Role.BRANCH_MANAGER,
            DEMO_PASSWORD,
            location_code=first_branch,
        ),
    ] + [
        UserInput(
            f"shopper{n}@demo.example",
            f"Shopper {n}",
            Role.SHOPPER,
            DEMO_PASSWORD,
            allow_adhoc=True,
        )
        for n in range(1, SHOPPERS + 1)
    ]
    created = 0
    for data in wanted:
        if db.session.scalar(select(User.id).where(User.email == data.email)) is None:
            create_user(data)
            created += 1
    shoppers = list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.SHOPPER, User.email.like("shopper%@demo.example"))
            .order_by(User.id)
        )
    )
    return shoppers, created


def _seed_assignments(rng, shopper: User, locations, checklist_key: str, until: date) -> None:
    """A few open assignments for the first shopper, so the app has something to show."""
    start = datetime.combine(_add_months(until, 1), time(9), UTC)
    with write_transaction() as session:
        for index in range(3):
            location = locations[rng.randrange(len(locations))][0]
            session.add(
                Assignment(
                    location_id=location.id,
                    checklist_key=checklist_key,
                    shopper_id=shopper.id,
                    window_start=start + timedelta(days=7 * index),
                    window_end=start + timedelta(days=7 * index + 6, hours=12),
                    scenario=rng.choice(SCENARIOS),
                )
            )


SCENARIOS = [
    "Ask to return an item bought last week without the receipt.",
    "Ask for advice choosing between two similar products; pay by card.",
    "Visit at a busy time (lunch); note the queue and how it is managed.",
]


def _seed_network(rng: random.Random, count: int) -> list[tuple[Location, Profile]]:
    out = []
    with write_transaction() as session:
        areas = {}
        for code, name, *_ in AREAS:
            area = session.scalar(select(Area).where(Area.code == code))
            areas[code] = area or Area(code=code, name=name)
            session.add(areas[code])
        for index in range(count):
            code, _, tz, language, (lat, lon) = AREAS[index % len(AREAS)]
            places = PLACES[code]
            place = places[(index // len(AREAS)) % len(places)]
            number = index // (len(AREAS) * len(places))
            loc_code = f"{code}-{index + 1:03d}"
            location = session.scalar(select(Location).where(Location.code == loc_code))
            if location is None:
                location = Location(code=loc_code)
                session.add(location)
            location.name = place + (f" {number + 1}" if number else "")
            location.area = areas[code]
            location.address = f"{rng.randint(1, 200)} Jalan {place}, {areas[code].name}"
            location.latitude = round(lat + rng.uniform(-0.05, 0.05), 5)
            location.longitude = round(lon + rng.uniform(-0.05, 0.05), 5)
            location.timezone = tz
            location.language = language
            location.contact_email = f"manager.{loc_code.lower()}@branches.example.com"
            out.append((location, PROFILES[index % len(PROFILES)]))
    return out


def _visit_payload(
    rng, checklist: Checklist, version_hash: str, location: Location, profile: Profile, month: date
) -> dict:
    zone = ZoneInfo(location.timezone)
    last_day = (_add_months(month, 1) - timedelta(days=1)).day
    day = month.replace(day=rng.randint(1, last_day))
    local_start = datetime.combine(day, time(rng.randint(10, 20), rng.randint(0, 59)), zone)
    weekend = day.weekday() >= 5
    evening = local_start.hour >= 17
    p = profile.base + rng.gauss(0, profile.swing)
    p -= profile.weekend_drop if weekend else 0
    p -= profile.evening_drop if evening else 0
    p = min(0.99, max(0.2, p))

    started = local_start.astimezone(UTC)
    greet = started + timedelta(seconds=max(3, rng.gauss(40 - 30 * p, 10)))
    served = greet + timedelta(seconds=max(10, rng.gauss(420 - 300 * p, 60)))
    paid = served + timedelta(seconds=max(30, rng.gauss(300 - 150 * p, 40)))
    left = paid + timedelta(seconds=rng.randint(20, 90))
    events = [
        ("entered", started),
        ("greeted", greet),
        ("served", served),
        ("paid", paid),
        ("left", left),
    ]
    answers = [
        a for _, item in checklist.items() if (a := _answer(rng, item, p, profile)) is not None
    ]
    return {
        "client_uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
        "location_id": location.id,
        "checklist_version": version_hash,
        "started_at": started,
        "ended_at": left,
        "submitted_at": left + timedelta(minutes=rng.randint(2, 30)),
        "answers": answers,
        "events": [{"kind": k, "at": at} for k, at in events],
        "checkin": {
            "latitude": location.latitude,
            "longitude": location.longitude,
            "accuracy_m": round(rng.uniform(5, 40), 1),
        },
    }


def _answer(rng: random.Random, item: Item, p: float, profile: Profile) -> dict | None:
    answer = {"item_id": item.id, "value": None, "na": False, "note": ""}
    if item.na_allowed and rng.random() < 0.08:
        answer["na"] = True
        return answer
    good = rng.random() < (1 - profile.critical_rate if item.critical else p)
    match item.type:
        case ItemType.YES_NO:
            answer["value"] = good
        case ItemType.SCALE:
            span = item.scale_max - item.scale_min
            answer["value"] = round(
                min(item.scale_max, max(item.scale_min, item.scale_min + span * rng.gauss(p, 0.15)))
            )
        case ItemType.CHOICE:
            ranked = sorted(item.options, key=lambda o: -o.fraction)
            answer["value"] = ranked[0].id if good else rng.choice(ranked[1:]).id
        case ItemType.TIMED:
            if item.from_event:
                return None  # derived on the server from the event marks
            limit = item.threshold_seconds
            answer["value"] = round(
                limit * (rng.uniform(0.3, 0.95) if good else rng.uniform(1.05, 2.5))
            )
        case ItemType.TEXT:
            if rng.random() > 0.35:
                return None if not item.required else {**answer, "value": ""}
            answer["value"] = rng.choice(COMMENTS)
    if not good and item.type is not ItemType.TEXT and rng.random() < 0.3:
        answer["note"] = rng.choice(COMMENTS)
    return answer


def _set_status(rng: random.Random, visit: Visit, current_month: bool) -> None:
    roll = rng.random()
    if current_month and roll < 0.5:
        return  # still waiting for review
    status = VisitStatus.RETURNED if roll > 0.97 else VisitStatus.APPROVED
    with write_transaction() as session:
        session.execute(update(Visit).where(Visit.id == visit.id).values(status=status))


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
