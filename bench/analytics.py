"""Analytics benchmark: server time of the dashboard pages on a large network.

A database with 1,000 locations and 120,000 approved visits of the default checklist (12 months,
10 visits per location and month, scored by audit_app.scoring) is seeded once with bulk inserts
and reused from then on: SQLite in bench/.data/, PostgreSQL in its own database. Each page is
rendered in-process through Flask's test client (the server's whole time: session, queries,
statistics, template) 20 times after a warm-up; the median is printed next to a bare SQL
GROUP BY location over all answers, timed in the same run. Progress goes to stderr.

    .venv/bin/python bench/analytics.py --database sqlite
    .venv/bin/python bench/analytics.py --database postgres \
        --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/audit_analytics_bench
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT / "bench" / ".data"
SQLITE_PATH = DATA / "analytics.db"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/audit_analytics_bench"
# bump when the seeded data changes shape, so an old cached database is rebuilt
SEED_VERSION = 1
SEED = 20261
LOCATIONS = 1000
AREAS = 20
MONTHS = 12
VISITS_PER_MONTH = 10  # per location: 1,000 x 12 x 10 = 120,000
LAST_MONTH = date(2026, 9, 1)
ADMIN_EMAIL = "bench.admin@example.com"
MANAGER_EMAIL = "bench.area@example.com"
PASSWORD = "bench-password-123"
ZONES = ("Asia/Kuala_Lumpur", "Asia/Jakarta", "Asia/Singapore", "Asia/Bangkok", "Europe/London")
CHUNK = 2000  # visits per insert batch


def log(message: str) -> None:
    """Print a progress line to stderr."""
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- databases


def make_app(url: str):
    from audit_app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-" + "x" * 40,
            "LOGIN_RATE_LIMIT": "10000 per minute",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )


def marker(app) -> dict | None:
    """The seed marker stored in the database, or None when it is not a seeded bench database."""
    from sqlalchemy import inspect, text

    from audit_app.extensions import db

    with app.app_context():
        if not inspect(db.engine).has_table("bench_seed"):
            return None
        row = db.session.execute(text("SELECT info FROM bench_seed")).scalar()
        db.session.remove()
    return json.loads(row) if row else None


def prepare(url: str, dialect: str, reseed: bool):
    """Return an app on a seeded database, seeding it first when needed."""
    if dialect == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        if reseed and SQLITE_PATH.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(str(SQLITE_PATH) + suffix).unlink(missing_ok=True)
    elif reseed or not postgres_exists(url):
        recreate_postgres(url)
    app = make_app(url)
    found = marker(app)
    if found and found.get("version") == SEED_VERSION:
        log(f"{dialect}: reusing the seeded database ({found['visits']} visits)")
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()  # the schema may have moved on since the seed
        return app
    if found is not None or _has_tables(app):
        log(f"{dialect}: database holds other data: rebuilding it")
        if dialect == "sqlite":
            with app.app_context():
                from audit_app.extensions import db

                db.engine.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(str(SQLITE_PATH) + suffix).unlink(missing_ok=True)
        else:
            recreate_postgres(url)
        app = make_app(url)
    seed(app, dialect)
    return app


def _has_tables(app) -> bool:
    from sqlalchemy import inspect

    from audit_app.extensions import db

    with app.app_context():
        return inspect(db.engine).has_table("visits")


def postgres_exists(url: str) -> bool:
    """Whether the benchmark's PostgreSQL database exists (a fresh machine has none)."""
    import psycopg

    base, name = url.split("://", 1)[1].rsplit("/", 1)
    with psycopg.connect(f"postgresql://{base}/postgres", autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return found.fetchone() is not None


def recreate_postgres(url: str) -> None:
    """Drop and create the benchmark's PostgreSQL database (through the server's postgres db)."""
    import psycopg

    base, name = url.split("://", 1)[1].rsplit("/", 1)
    admin = f"postgresql://{base}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# ---------------------------------------------------------------- seeding


def seed(app, dialect: str) -> None:
    """Migrate, store the default checklist, create the network and 120,000 scored visits."""
    from flask_migrate import upgrade

    from audit_app.checklists import load_file
    from audit_app.extensions import db
    from audit_app.services.checklists import sync_checklists

    started = time.monotonic()
    with app.app_context():
        upgrade()
        sync_checklists([load_file(ROOT / "checklists" / "service-standards.yaml")])
        network = seed_network()
        version_id, checklist = _default_version()
        shoppers = network["shoppers"]
        rng = random.Random(SEED)
        profiles = {loc_id: _profile(rng) for loc_id, _ in network["locations"]}
        writer = SqliteWriter() if dialect == "sqlite" else PostgresWriter()
        total = 0
        batch: list[tuple] = []
        for visit in generate_visits(rng, network["locations"], profiles, checklist):
            batch.append(visit)
            if len(batch) >= CHUNK:
                total += writer.write(batch, version_id, shoppers, checklist, rng)
                batch = []
                if total % 20000 == 0:
                    log(f"{dialect}: {total} visits ({time.monotonic() - started:.0f}s)")
        if batch:
            total += writer.write(batch, version_id, shoppers, checklist, rng)
        writer.finish()
        from sqlalchemy import text

        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE bench_seed (info TEXT)"))
            conn.execute(
                text("INSERT INTO bench_seed VALUES (:info)"),
                {"info": json.dumps({"version": SEED_VERSION, "visits": total})},
            )
        if dialect == "sqlite":
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        else:  # VACUUM also sets the visibility map index-only scans need
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        db.session.remove()
    log(f"{dialect}: seeded {total} visits in {time.monotonic() - started:.0f}s")


def seed_network() -> dict:
    """Areas, locations, an admin, an area manager of the first area and 50 shoppers."""
    from sqlalchemy import select

    from audit_app.database import write_transaction
    from audit_app.models import Area, Location, Role, User
    from audit_app.services.accounts import UserInput, create_user

    with write_transaction() as session:
        areas = [Area(code=f"A{n:02d}", name=f"Area {n:02d}") for n in range(1, AREAS + 1)]
        session.add_all(areas)
        for index in range(LOCATIONS):
            session.add(
                Location(
                    code=f"L{index + 1:04d}",
                    name=f"Branch {index + 1:04d}",
                    area=areas[index % AREAS],
                    timezone=ZONES[(index // AREAS) % len(ZONES)],
                    latitude=3.0 + index / 1000,
                    longitude=101.0 + index / 1000,
                )
            )
    create_user(UserInput(ADMIN_EMAIL, "Bench Admin", Role.ADMIN, PASSWORD))
    create_user(
        UserInput(MANAGER_EMAIL, "Bench Area", Role.AREA_MANAGER, PASSWORD, area_codes=("A01",))
    )
    with write_transaction() as session:
        session.add_all(
            User(
                email=f"shopper{n}@bench.example.com",
                name=f"Shopper {n}",
                password_hash="!",
                role=Role.SHOPPER,
            )
            for n in range(50)
        )
    from audit_app.extensions import db

    locations = db.session.execute(select(Location.id, Location.timezone).order_by(Location.id))
    shoppers = db.session.scalars(select(User.id).where(User.role == Role.SHOPPER)).all()
    return {"locations": [tuple(row) for row in locations], "shoppers": list(shoppers)}


def _default_version():
    """The id and checklist of the default checklist's stored version."""
    from sqlalchemy import select

    from audit_app.extensions import db
    from audit_app.models import ChecklistVersion

    version = db.session.scalar(
        select(ChecklistVersion).where(ChecklistVersion.key == "service-standards")
    )
    return version.id, version.checklist


def _profile(rng: random.Random) -> dict:
    """How a branch behaves: base compliance, visit-to-visit swing, weak weekends or evenings."""
    return {
        "base": min(0.97, max(0.45, rng.gauss(0.82, 0.09))),
        "swing": rng.uniform(0.02, 0.15),
        "weekend": rng.choice((0.0, 0.0, 0.0, 0.2)),
        "evening": rng.choice((0.0, 0.0, 0.0, 0.2)),
        "critical": rng.uniform(0.0, 0.06),
        "trend": rng.uniform(-0.01, 0.01),  # per month
    }


def _months() -> list[date]:
    out = []
    for back in range(MONTHS - 1, -1, -1):
        index = LAST_MONTH.year * 12 + LAST_MONTH.month - 1 - back
        out.append(date(index // 12, index % 12 + 1, 1))
    return out


def generate_visits(rng, locations, profiles, checklist) -> Iterator[tuple]:
    """Yield (location_id, local start, quality) for every visit, month by month."""
    months = _months()
    for month_index, month in enumerate(months):
        next_month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        days = (next_month - month).days
        for location_id, zone in locations:
            profile = profiles[location_id]
            tz = ZoneInfo(zone)
            for _ in range(VISITS_PER_MONTH):
                day = month + timedelta(days=rng.randrange(days))
                local = datetime.combine(day, dtime(rng.randint(9, 20), rng.randrange(60)), tz)
                p = (
                    profile["base"]
                    + profile["trend"] * month_index
                    + rng.gauss(0, profile["swing"])
                )
                p -= profile["weekend"] if day.weekday() >= 5 else 0.0
                p -= profile["evening"] if local.hour >= 17 else 0.0
                yield location_id, local, min(0.99, max(0.15, p)), profile["critical"]


def answer_for(rng: random.Random, item, quality: float, critical_rate: float) -> dict | None:
    """A realistic answer to one item for a visit of a given quality."""
    from audit_app.checklists.model import ItemType

    if item.na_allowed and rng.random() < 0.08:
        return {"item_id": item.id, "value": None, "na": True, "note": ""}
    good = rng.random() < (1 - critical_rate if item.critical else quality)
    value = None
    match item.type:
        case ItemType.YES_NO:
            value = good
        case ItemType.SCALE:
            span = item.scale_max - item.scale_min
            raw = item.scale_min + span * rng.gauss(quality, 0.15)
            value = round(min(item.scale_max, max(item.scale_min, raw)))
        case ItemType.CHOICE:
            ranked = sorted(item.options, key=lambda o: -o.fraction)
            value = ranked[0].id if good else rng.choice(ranked[1:]).id
        case ItemType.TIMED:
            limit = item.threshold_seconds
            value = round(limit * (rng.uniform(0.3, 0.95) if good else rng.uniform(1.05, 2.5)))
        case ItemType.TEXT:
            if rng.random() > 0.3:
                return None
            value = "Bench comment."
    note = "Observed directly." if not good and rng.random() < 0.2 else ""
    return {"item_id": item.id, "value": value, "na": False, "note": note}


def rows_for(batch, version_id, shoppers, checklist, rng, first_id: int):
    """Visit, answer and section-score rows for a batch of generated visits, scored for real."""
    from audit_app import scoring

    order = {item.id: index for index, (_, item) in enumerate(checklist.items())}
    visits, answers, sections = [], [], []
    for offset, (location_id, local, quality, critical_rate) in enumerate(batch):
        visit_id = first_id + offset
        given = [
            a
            for _, item in checklist.items()
            if (a := answer_for(rng, item, quality, critical_rate)) is not None
        ]
        result = scoring.score(
            checklist, {a["item_id"]: scoring.Answer(a["value"], a["na"]) for a in given}
        )
        started = local.astimezone(UTC)
        ended = started + timedelta(minutes=rng.randint(8, 30))
        visits.append(
            {
                "id": visit_id,
                "client_uuid": uuid.UUID(int=rng.getrandbits(128), version=4),
                "shopper_id": shoppers[visit_id % len(shoppers)],
                "assignment_id": None,
                "location_id": location_id,
                "checklist_version_id": version_id,
                "started_at": started,
                "local_date": local.date(),
                "local_weekday": local.weekday(),
                "local_hour": local.hour,
                "ended_at": ended,
                "submitted_at": ended + timedelta(minutes=5),
                "received_at": ended + timedelta(minutes=6),
                "status": "approved",
                "score": _round(result.percent),
                "passed": result.passed,
                "critical_failed": result.critical_failed,
                "content_hash": f"{visit_id:064x}",
                "revision": 1,
                "flags": [],
                "review_comment": "",
                "reviewed_at": ended + timedelta(days=1),
            }
        )
        by_id = {a["item_id"]: a for a in given}
        for item in result.items:
            answer = by_id.get(item.item_id)
            if answer is None:
                continue
            answers.append(
                {
                    "visit_id": visit_id,
                    "position": order[item.item_id],
                    "section_id": item.section_id,
                    "item_id": item.item_id,
                    "value": answer["value"],
                    "na": answer["na"],
                    "note": answer["note"],
                    "earned": item.earned,
                    "possible": item.possible,
                    "met": item.met,
                    "critical_failed": item.critical_failed,
                }
            )
        for position, section in enumerate(result.sections):
            sections.append(
                {
                    "visit_id": visit_id,
                    "position": position,
                    "section_id": section.section_id,
                    "weight": section.weight,
                    "earned": section.earned,
                    "possible": section.possible,
                    "percent": _round(section.percent),
                    "critical_failed": section.critical_failed,
                }
            )
    return visits, answers, sections


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


class SqliteWriter:
    """SQLAlchemy core executemany (one prepared statement, no RETURNING) per table."""

    def __init__(self) -> None:
        self.next_id = 1

    def write(self, batch, version_id, shoppers, checklist, rng) -> int:
        from sqlalchemy import insert

        from audit_app.extensions import db
        from audit_app.models import Answer, SectionScore, Visit

        visits, answers, sections = rows_for(
            batch, version_id, shoppers, checklist, rng, self.next_id
        )
        self.next_id += len(visits)
        with db.engine.begin() as conn:
            conn.execute(insert(Visit.__table__), visits)
            conn.execute(insert(Answer.__table__), answers)
            conn.execute(insert(SectionScore.__table__), sections)
        return len(visits)

    def finish(self) -> None:
        pass


class PostgresWriter:
    """COPY FROM STDIN through psycopg: an order of magnitude faster than INSERTs."""

    VISIT_COLUMNS = (
        "id", "client_uuid", "shopper_id", "assignment_id", "location_id",
        "checklist_version_id", "started_at", "local_date", "local_weekday", "local_hour",
        "ended_at", "submitted_at", "received_at", "status", "score", "passed",
        "critical_failed", "content_hash", "revision", "flags", "review_comment", "reviewed_at",
    )  # fmt: skip
    ANSWER_COLUMNS = (
        "visit_id", "position", "section_id", "item_id", "value", "na", "note", "earned",
        "possible", "met", "critical_failed",
    )  # fmt: skip
    SECTION_COLUMNS = (
        "visit_id", "position", "section_id", "weight", "earned", "possible", "percent",
        "critical_failed",
    )  # fmt: skip

    def __init__(self) -> None:
        self.next_id = 1

    def write(self, batch, version_id, shoppers, checklist, rng) -> int:
        from audit_app.extensions import db

        visits, answers, sections = rows_for(
            batch, version_id, shoppers, checklist, rng, self.next_id
        )
        self.next_id += len(visits)
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            self._copy(cursor, "visits", self.VISIT_COLUMNS, visits, {"flags"})
            self._copy(cursor, "answers", self.ANSWER_COLUMNS, answers, {"value"})
            self._copy(cursor, "section_scores", self.SECTION_COLUMNS, sections, set())
            raw.commit()
        finally:
            raw.close()
        return len(visits)

    @staticmethod
    def _copy(cursor, table, columns, rows, json_columns) -> None:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    tuple(json.dumps(row[c]) if c in json_columns else row[c] for c in columns)
                )

    def finish(self) -> None:
        from sqlalchemy import text

        from audit_app.extensions import db

        with db.engine.begin() as conn:
            for table in ("visits", "answers", "section_scores"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )


# ---------------------------------------------------------------- measuring


def login(app, email: str):
    client = app.test_client()
    token = client.get("/api/v1/auth/csrf").json["csrf_token"]
    response = client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": PASSWORD},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return client


def timed(action: Callable[[], None], repeat: int, before: Callable[[], None] | None) -> float:
    """Median milliseconds of `action`, running `before` (untimed) ahead of each run."""
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def page(client, path: str) -> Callable[[], None]:
    def get() -> None:
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: {response.status_code}")

    return get


def bare_group_by(app) -> Callable[[], None]:
    from sqlalchemy import text

    from audit_app.extensions import db

    query = text(
        "SELECT v.location_id, count(*), sum(a.earned) FROM answers a "
        "JOIN visits v ON v.id = a.visit_id GROUP BY v.location_id"
    )

    def run() -> None:
        with app.app_context():
            rows = db.session.execute(query).all()
            db.session.remove()
        assert len(rows) == LOCATIONS

    return run


def empty_store(app) -> Callable[[], None]:
    """Empty the rollup store: the first request of a fresh worker process."""
    from audit_app.analytics import rollups

    def act() -> None:
        with app.app_context():
            rollups.for_app().clear()

    return act


def warmed_store(app) -> Callable[[], None]:
    """Empty the store, then warm it as gunicorn.conf.py does before a worker serves."""
    from audit_app.analytics.warm import warm_quietly

    clear = empty_store(app)

    def act() -> None:
        clear()
        warm_quietly(app)

    return act


class Approvals:
    """Submit and approve one visit in the last month through the services, as a reviewer does.

    The visits are removed again at the end, so the cached database stays as seeded.
    """

    def __init__(self, app) -> None:
        self.app = app
        self.rng = random.Random(7)
        self.created: list[int] = []
        with app.app_context():
            from sqlalchemy import select

            from audit_app.extensions import db
            from audit_app.models import ChecklistVersion, Location, User, Visit
            from audit_app.services.accounts import UserInput, create_user

            email = "bench.adhoc@example.com"
            shopper = db.session.scalar(select(User).where(User.email == email))
            if shopper is None:
                shopper = create_user(
                    UserInput(email, "Bench Adhoc", "shopper", PASSWORD, allow_adhoc=True)
                )
            self.shopper_id = shopper.id
            # visits an interrupted run left behind: removed so the cache stays as seeded
            self.created = list(
                db.session.scalars(select(Visit.id).where(Visit.shopper_id == shopper.id))
            )
            self.admin_id = db.session.scalar(select(User.id).where(User.email == ADMIN_EMAIL))
            self.location = db.session.execute(
                select(Location.id, Location.timezone).where(Location.code == "L0002")
            ).one()
            self.version_id, self.checklist = _default_version()
            self.version_hash = db.session.scalar(
                select(ChecklistVersion.content_hash).where(ChecklistVersion.id == self.version_id)
            )
            db.session.remove()
        self.remove()

    def __call__(self) -> None:
        from sqlalchemy import func, insert, select

        from audit_app.extensions import db
        from audit_app.models import Answer, SectionScore, User, Visit
        from audit_app.services import review

        local = datetime.combine(
            LAST_MONTH + timedelta(days=self.rng.randrange(28)),
            dtime(self.rng.randint(9, 20), 5),
            ZoneInfo(self.location.timezone),
        )
        with self.app.app_context():
            first = (db.session.scalar(select(func.max(Visit.id))) or 0) + 1
            visits, answers, sections = rows_for(
                [(self.location.id, local, 0.8, 0.02)],
                self.version_id,
                [self.shopper_id],
                self.checklist,
                self.rng,
                first,
            )
            visits[0].update(status="submitted", reviewed_at=None)
            with db.engine.begin() as conn:  # as if it had been submitted from a phone
                conn.execute(insert(Visit.__table__), visits)
                conn.execute(insert(Answer.__table__), answers)
                conn.execute(insert(SectionScore.__table__), sections)
            self.created.append(first)
            review.approve(first, db.session.get(User, self.admin_id))
            db.session.remove()

    def remove(self) -> None:
        from sqlalchemy import delete

        from audit_app.extensions import db
        from audit_app.models import AuditEntry, Visit

        if not self.created:
            return
        with self.app.app_context():
            targets = [str(i) for i in self.created]
            db.session.execute(
                delete(AuditEntry).where(
                    AuditEntry.target_type == "visits", AuditEntry.target_id.in_(targets)
                )
            )
            db.session.execute(delete(Visit).where(Visit.id.in_(self.created)))
            db.session.commit()
            db.session.remove()
        self.created = []


def measure(app, dialect: str, repeat: int, cold_repeat: int) -> list[tuple[str, str, str, float]]:
    from sqlalchemy import select

    from audit_app.extensions import db
    from audit_app.models import Area, Location

    with app.app_context():
        area_id = db.session.scalar(select(Area.id).where(Area.code == "A01"))
        location_id = db.session.scalar(select(Location.id).where(Location.code == "L0001"))
        db.session.remove()
    admin = login(app, ADMIN_EMAIL)
    manager = login(app, MANAGER_EMAIL)
    pages = [
        ("compare, whole network", page(admin, "/dashboard/compare")),
        ("compare, one area", page(admin, f"/dashboard/compare?area={area_id}")),
        ("compare, area manager", page(manager, "/dashboard/compare")),
        ("location detail", page(admin, f"/dashboard/locations/{location_id}")),
        ("overview, whole network", page(admin, "/dashboard")),
    ]
    out = []
    approve = Approvals(app)
    try:
        for name, action in pages:
            action()  # warm-up: templates, checklist, the store
            for mode, count, before in (
                ("warm", repeat, None),
                ("after an approval", repeat, approve),
                ("empty store", cold_repeat, empty_store(app)),
                ("fresh worker, warmed at start", cold_repeat, warmed_store(app)),
            ):
                value = timed(action, count, before)
                log(f"{dialect}: {name} ({mode}): {value:.1f} ms")
                out.append((dialect, name, mode, value))
    finally:
        approve.remove()
    value = timed(warmed_store(app), cold_repeat, None)
    log(f"{dialect}: a worker's warm-up before serving: {value:.1f} ms")
    out.append((dialect, "worker warm-up before serving (ANALYTICS_WARM_MONTHS)", "", value))
    value = timed(bare_group_by(app), repeat, None)
    log(f"{dialect}: bare GROUP BY location over all answers: {value:.1f} ms")
    out.append((dialect, "baseline: bare SQL GROUP BY location over all answers", "", value))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per warm case")
    parser.add_argument(
        "--cold-repeat", type=int, default=5, help="timed runs after emptying the store"
    )
    parser.add_argument("--reseed", action="store_true", help="rebuild the cached database")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    os.environ.pop("TEST_DATABASE_URL", None)
    targets = []
    if args.database in ("sqlite", "both"):
        targets.append(("sqlite", f"sqlite:///{SQLITE_PATH}"))
    if args.database in ("postgres", "both"):
        targets.append(("postgres", args.pg_url))
    results = []
    for dialect, url in targets:
        app = prepare(url, dialect, args.reseed)
        if not args.seed_only:
            results.extend(measure(app, dialect, args.repeat, args.cold_repeat))
        with app.app_context():
            from audit_app.extensions import db

            db.engine.dispose()
    if args.seed_only:
        return 0
    if args.json:
        print(
            json.dumps(
                [
                    {"database": d, "case": n, "store": m, "median_ms": round(v, 1)}
                    for d, n, m, v in results
                ]
            )
        )
    else:
        print(
            f"server time in ms, median of {args.repeat} (warm; right after a reviewer "
            f"approved a visit of the last month) or {args.cold_repeat} (empty store: a fresh "
            "worker); target: pages <= 300 ms"
        )
        width = max(len(n) + len(m) for _, n, m, _ in results) + 3
        for dialect, name, mode, value in results:
            label = f"{name} ({mode})" if mode else name
            print(f"{dialect:9} {label:{width}} {value:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
