"""Benchmark visit submission (POST /api/v1/visits) against GET /healthz in the same run.

A fresh database (SQLite in a temp dir, or a recreated PostgreSQL database) is migrated,
the checklists are synced and ~20 locations imported; gunicorn then serves the app on
127.0.0.1 while C client threads post N realistic visits, then hit /healthz N times.
Afterwards the stored visits are counted in SQL. Exit status 1 on any error or a wrong count.

    .venv/bin/python bench/submit.py --database sqlite
    .venv/bin/python bench/submit.py --database postgres [--pg-url URL] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402 - bench/ is not a package
    DEFAULT_PG_URL,
    ROOT,
    Client,
    Gunicorn,
    Request,
    app_env,
    flask_cli,
    log,
    machine,
    recreate_postgres,
    run_load,
    sql_scalar,
    table,
)

TARGET_RATIO = 0.3  # visits/s must be at least this fraction of trivial requests/s
CHECKLIST_KEY = "service-standards"
LOCATIONS = 20
SHOPPER_EMAIL = "bench-shopper@example.com"
RUN_BUDGET_S = 170  # the whole run must end within 3 minutes
NOTES = (
    "Staff member was on the phone at first.",
    "Busy period, two customers ahead.",
    "Answered after a short hesitation.",
    "Supervisor stepped in to help.",
    "Observed from the queue.",
    "Hard to see clearly from where I stood.",
    "Second staff member joined halfway.",
)
COMMENTS = (
    "Friendly and efficient visit overall.",
    "Greeting was slow but the service itself was good.",
    "Counter was cluttered; staff seemed rushed.",
    "Very helpful with product questions.",
    "Had to ask twice before being served.",
    "Nothing unusual to report.",
)
AREAS = (
    ("JKT", "Jakarta", "Asia/Jakarta", "id"),
    ("KUL", "Kuala Lumpur", "Asia/Kuala_Lumpur", "ms"),
    ("SBY", "Surabaya", "Asia/Jakarta", "id"),
    ("PEN", "Penang", "Asia/Kuala_Lumpur", "en"),
)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # turn SIGTERM (and SIGINT, ignored in background jobs) into an exception: gunicorn is
    # then stopped and the temp dir removed by the `with` blocks below
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _interrupted)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-submit-") as tmp:
        tmpdir = Path(tmp)
        url = prepare_database(args, tmpdir)
        env = app_env(url)
        password = create_shopper(env)  # None: this version of the API needs no login
        with Gunicorn(env, args.workers, tmpdir) as server:
            log(f"gunicorn -w {args.workers} on {server.base}")
            shopper = log_in(server.base, password)
            checklist, location_ids = fetch_reference_data(shopper)
            # without accounts the shopper is named in the body, with accounts by the session
            fallback = {"shopper_ref"} if password is None else set()
            with_ref = "shopper_ref" in visit_fields(shopper, default=fallback)
            rng = random.Random(args.seed)
            visits_in = [
                build_visit(rng, checklist, location_ids, i, with_ref) for i in range(args.visits)
            ]
            log("uploading the photos the checklist requires (not timed)")
            attach_required_photos(shopper, checklist, visits_in)
            bodies = [json.dumps(v).encode() for v in visits_in]
            headers = shopper.session_headers()
            shopper.close()
            warm_up(server.base, args.concurrency, headers)
            remaining = RUN_BUDGET_S - (time.monotonic() - started)
            log(f"posting {args.visits} visits from {args.concurrency} threads")
            visits = run_load(
                "POST /api/v1/visits",
                server.base,
                [Request("POST", "/api/v1/visits", body) for body in bodies],
                args.concurrency,
                budget_s=remaining * 0.75,
                headers=headers,
            )
            remaining = RUN_BUDGET_S - (time.monotonic() - started)
            log(f"GET /healthz x {args.visits} from {args.concurrency} threads")
            healthz = run_load(
                "GET /healthz",
                server.base,
                [Request("GET", "/healthz")] * args.visits,
                args.concurrency,
                budget_s=max(remaining - 10, 5),
            )
            server_log = server.log() if visits.error_count or healthz.error_count else ""
        stored = sql_scalar(url, "SELECT count(*) FROM visits")
        answers = sql_scalar(url, "SELECT count(*) FROM answers")

    visits.report_errors()
    healthz.report_errors()
    if server_log:
        log(f"gunicorn error log (tail):\n{server_log}")
    ratio = visits.rps / healthz.rps if healthz.rps else 0.0
    figures = {
        "benchmark": "submit",
        "database": args.database,
        "visits": args.visits,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "machine": machine(),
        "submit": visits.figures(),
        "healthz": healthz.figures(),
        "ratio": round(ratio, 3),
        "target_ratio": TARGET_RATIO,
        "target_met": ratio >= TARGET_RATIO,
        "rows": {"visits": stored, "expected": args.visits, "answers": answers},
        "wall_s": round(time.monotonic() - started, 1),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print_report(figures)
    failed = visits.error_count + healthz.error_count > 0 or stored != args.visits
    if stored != args.visits:
        log(f"FAIL: {stored} visits stored, expected {args.visits}")
    return 1 if failed else 0


def _interrupted(signum, _frame):
    raise KeyboardInterrupt(f"stopped by signal {signum}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--pg-url",
        default=DEFAULT_PG_URL,
        help="PostgreSQL database to DROP and recreate (default: %(default)s)",
    )
    parser.add_argument("--visits", type=int, default=2000, help="visits to post (default 2000)")
    parser.add_argument("--concurrency", type=int, default=16, help="client threads (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the answers")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.visits < 1 or args.concurrency < 1 or args.workers < 1:
        parser.error("--visits, --concurrency and --workers must be at least 1")
    return args


def prepare_database(args: argparse.Namespace, tmpdir: Path) -> str:
    """Create an empty database, migrate it, sync checklists and import locations."""
    if args.database == "sqlite":
        url = f"sqlite:///{tmpdir / 'bench.db'}"
    else:
        url = args.pg_url
        log(f"recreating {url}")
        recreate_postgres(url)
    env = app_env(url)
    log(f"migrating {url}")
    flask_cli(env, "db", "upgrade")
    flask_cli(env, "checklists", "sync")
    csv_path = tmpdir / "locations.csv"
    csv_path.write_text(locations_csv(LOCATIONS), encoding="utf-8")
    log(flask_cli(env, "locations", "import", str(csv_path)).strip())
    return url


def locations_csv(count: int) -> str:
    """A locations CSV with `count` branches spread over four areas."""
    rng = random.Random(count)
    lines = [
        "code,name,area_code,area_name,address,latitude,longitude,timezone,contact_email,language"
    ]
    for n in range(1, count + 1):
        area_code, area_name, tz, language = AREAS[n % len(AREAS)]
        lat, lon = -6.2 + rng.uniform(-2, 2), 106.8 + rng.uniform(-2, 2)
        lines.append(
            f"{area_code}-{n:03d},{area_name} branch {n},{area_code},{area_name},"
            f'"{n} Jalan Bench, {area_name}",{lat:.5f},{lon:.5f},{tz},'
            f"branch{n:03d}@example.com,{language}"
        )
    return "\n".join(lines) + "\n"


# Run in the app's environment: creates the bench shopper when the app has accounts.
CREATE_SHOPPER = """
import os, sys
try:
    from audit_app.services.accounts import UserInput, create_user
except ImportError:
    sys.exit(3)
from wsgi import app
with app.app_context():
    create_user(UserInput(email=os.environ["BENCH_EMAIL"], name="Bench shopper",
                          role="shopper", password=os.environ["BENCH_PASSWORD"],
                          allow_adhoc=True))
"""


def create_shopper(env: dict[str, str]) -> str | None:
    """Create a shopper allowed ad-hoc visits; return the password (None: no accounts)."""
    password = secrets.token_urlsafe(24)
    done = subprocess.run(
        [sys.executable, "-c", CREATE_SHOPPER],
        cwd=ROOT,
        env={**env, "BENCH_EMAIL": SHOPPER_EMAIL, "BENCH_PASSWORD": password},
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode == 3:
        return None
    if done.returncode != 0:
        raise SystemExit(f"creating the bench shopper failed:\n{done.stdout}{done.stderr}")
    return password


def log_in(base: str, password: str | None) -> Client:
    """A client holding the shopper's session cookie and CSRF token, as a phone would."""
    client = Client(base, keep_cookies=True)
    if password is None:
        return client
    client.headers["X-CSRFToken"] = client.get_json("/api/v1/auth/csrf")["csrf_token"]
    payload = {"email": SHOPPER_EMAIL, "password": password, "remember": True}
    status, data = client.post_json("/api/v1/auth/login", payload)
    if status != 200 or not isinstance(data, dict):
        raise SystemExit(f"log-in failed: {status} {data}")
    if token := data.get("csrf_token"):
        client.headers["X-CSRFToken"] = token
    return client


def visit_fields(client: Client, default: set[str]) -> set[str]:
    """The fields POST /api/v1/visits accepts, from the OpenAPI document when it has them."""
    try:
        spec = client.get_json("/api/v1/openapi.json")
        return set(spec["components"]["schemas"]["VisitIn"]["properties"])
    except (SystemExit, KeyError, TypeError):
        return default


def fetch_reference_data(client: Client) -> tuple[dict, list[int]]:
    """The latest checklist version and the ids of active locations, as the phone gets them."""
    checklist = client.get_json(f"/api/v1/checklists/{CHECKLIST_KEY}/versions/latest")
    location_ids = [loc["id"] for loc in client.get_json("/api/v1/locations")]
    if not location_ids:
        raise SystemExit("no locations were imported")
    return checklist, location_ids


def warm_up(base: str, concurrency: int, headers: dict[str, str]) -> None:
    """Let every worker import and connect before timing (reads only: no visit is stored)."""
    paths = ["/healthz", "/api/v1/locations", f"/api/v1/checklists/{CHECKLIST_KEY}/versions/latest"]
    result = run_load(
        "warm-up",
        base,
        [Request("GET", p) for p in paths] * concurrency,
        concurrency,
        30,
        headers=headers,
    )
    if result.error_count:
        result.report_errors()
        raise SystemExit("warm-up failed")


def build_visit(
    rng: random.Random, version: dict, location_ids: list[int], n: int, with_ref: bool = True
) -> dict:
    """A realistic visit: answers for every item, event marks for the timed ones, some notes."""
    quality = rng.betavariate(6, 2)  # how good this branch was on the day: mostly 0.6..0.95
    started = datetime(2026, 10, 6, 1, 0, tzinfo=UTC) - timedelta(
        days=rng.randrange(90), minutes=rng.randrange(10 * 60)
    )
    marks = {"entered": started + timedelta(seconds=rng.randint(5, 60))}
    marks["greeted"] = marks["entered"] + timedelta(seconds=round(rng.expovariate(1 / 20), 1))
    marks["served"] = marks["greeted"] + timedelta(seconds=round(rng.expovariate(1 / 90), 1))
    marks["paid"] = marks["served"] + timedelta(seconds=rng.randint(40, 360))
    marks["left"] = marks["paid"] + timedelta(seconds=rng.randint(10, 120))
    ended = marks["left"] + timedelta(seconds=rng.randint(30, 300))

    answers = []
    for section in version["checklist"]["sections"]:
        for item in section["items"]:
            answer = build_answer(rng, item, quality)
            if answer is not None:
                if rng.random() < 0.3:
                    answer["note"] = rng.choice(NOTES)
                answers.append(answer)
    visit = {
        "client_uuid": str(uuid.uuid4()),
        "location_id": rng.choice(location_ids),
        "checklist_version": version["content_hash"],
        "started_at": started.isoformat(),
        "ended_at": ended.isoformat(),
        "submitted_at": (ended + timedelta(minutes=rng.randint(1, 90))).isoformat(),
        "answers": answers,
        "events": [{"kind": kind, "at": at.isoformat()} for kind, at in marks.items()],
    }
    if with_ref:  # the API before shopper accounts named the shopper in the body
        visit["shopper_ref"] = f"bench-{n % 12 + 1}"
    return visit


def attach_required_photos(client: Client, checklist: dict, visits: list[dict]) -> None:
    """Upload one photo per answered photo-required item, as the phone does before the visit."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 140, 60)).save(buffer, "JPEG", quality=80)
    jpeg = buffer.getvalue()
    required = {
        i["id"]
        for s in checklist["checklist"]["sections"]
        for i in s["items"]
        if i.get("photo") == "required"
    }
    for visit in visits:
        for answer in visit["answers"]:
            if answer["item_id"] in required and not answer.get("na"):
                status, photo_uuid = client.upload_photo(jpeg)
                if status not in (200, 201):
                    raise SystemExit(f"photo upload failed: {status}")
                answer["photos"] = [photo_uuid]


def build_answer(rng: random.Random, item: dict, quality: float) -> dict | None:
    """One answer of the item's type, or None when the server derives it from event marks."""
    answer = {"item_id": item["id"], "value": None, "na": False, "note": ""}
    kind = item["type"]
    if item.get("na_allowed") and rng.random() < 0.1:
        answer["na"] = True
        return answer
    if kind == "timed" and item.get("from_event"):
        return None  # the server computes the seconds between the two marks
    if kind == "yes_no":
        answer["value"] = rng.random() < quality
    elif kind == "scale":
        low, high = int(item["scale"]["min"]), int(item["scale"]["max"])
        answer["value"] = max(low, min(high, round(rng.gauss(low + quality * (high - low), 0.8))))
    elif kind == "choice":
        options = item["options"]
        # a good visit mostly picks the best option, a poor one the worst
        weights = [
            0.05 + quality * o["fraction"] + (1 - quality) * (1 - o["fraction"]) for o in options
        ]
        answer["value"] = rng.choices([o["id"] for o in options], weights)[0]
    elif kind == "timed":
        answer["value"] = rng.randint(15, 240)
    elif kind == "text":
        answer["value"] = rng.choice(COMMENTS)
    else:
        raise SystemExit(f"item {item['id']}: unknown type '{kind}'")
    return answer


def print_report(f: dict) -> None:
    rows = []
    for name, key in (("POST /api/v1/visits", "submit"), ("GET /healthz", "healthz")):
        r = f[key]
        rows.append((name, r["requests"], r["rps"], r["p50_ms"], r["p99_ms"], r["errors"]))
    m = f["machine"]
    print(
        f"submit benchmark: {f['database']}, {f['visits']} visits, concurrency "
        f"{f['concurrency']}, gunicorn -w {f['workers']}, {m['cpus']} CPUs, Python {m['python']}"
    )
    print(table(("endpoint", "requests", "req/s", "p50 ms", "p99 ms", "errors"), rows))
    verdict = "met" if f["target_met"] else "MISSED"
    print(
        f"ratio visits/s / healthz req/s = {f['ratio']:.3f} "
        f"(target >= {f['target_ratio']}): {verdict}"
    )
    rows_ok = "ok" if f["rows"]["visits"] == f["rows"]["expected"] else "WRONG"
    print(
        f"visits stored: {f['rows']['visits']} (expected {f['rows']['expected']}: {rows_ok}), "
        f"answers: {f['rows']['answers']}; wall time {f['wall_s']} s"
    )


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as exc:
        log(f"interrupted ({exc or 'Ctrl-C'}); the server was stopped")
        sys.exit(130)
