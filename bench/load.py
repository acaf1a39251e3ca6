"""Load test: many shoppers submitting with retries while managers read, then a data check.

50 shoppers (threads, each logged in like a phone) each submit 20 visits. A request that
times out, fails to connect or gets a 5xx is retried with the SAME visit (same client
UUID), as the PWA's outbox does; about 10% of confirmed visits are deliberately sent again.
Meanwhile managers read a dashboard page. Afterwards the database must hold exactly
shoppers x visits visits: none lost, none duplicated.

    .venv/bin/python bench/load.py --database sqlite
    .venv/bin/python bench/load.py --database postgres
"""

from __future__ import annotations

import argparse
import io
import json
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import (  # noqa: E402 - bench/ is not a package
    ROOT,
    Client,
    Gunicorn,
    app_env,
    log,
    machine,
    percentile,
    sql_scalar,
    table,
)
from submit import build_visit, fetch_reference_data, prepare_database  # noqa: E402

PASSWORD = "load-test-password"
RUN_BUDGET_S = 240
MANAGER_PATH = "/dashboard/compare"

CREATE_USERS = """
import os, sys
from audit_app.services.accounts import UserInput, create_user
from wsgi import app
with app.app_context():
    for n in range(int(os.environ["SHOPPERS"])):
        create_user(UserInput(email=f"load-shopper-{n}@example.com", name=f"Load {n}",
                              role="shopper", password=os.environ["PASSWORD"],
                              allow_adhoc=True))
    create_user(UserInput(email="load-admin@example.com", name="Load admin", role="admin",
                          password=os.environ["PASSWORD"]))
"""


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    retries: int = 0
    timeouts: int = 0
    resends: int = 0
    resend_mismatches: int = 0
    errors: list[str] = field(default_factory=list)
    confirmed: int = 0


def jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 140, 60)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


class LoginFailed(RuntimeError):
    def __init__(self, email: str, status: int, data) -> None:
        super().__init__(f"log-in of {email} failed: {status} {data}")
        self.status = status


def log_in(base: str, email: str, timeout: float) -> Client:
    client = Client(base, keep_cookies=True, timeout=timeout)
    client.headers["X-CSRFToken"] = client.get_json("/api/v1/auth/csrf")["csrf_token"]
    status, data = client.post_json(
        "/api/v1/auth/login", {"email": email, "password": PASSWORD, "remember": True}
    )
    if status != 200:
        client.close()
        raise LoginFailed(email, status, data)
    client.headers["X-CSRFToken"] = data["csrf_token"]
    return client


def shopper_run(base, n, checklist, location_ids, args, deadline, tally, lock, photo):
    rng = random.Random(args.seed * 1000 + n)
    local = Tally()
    client = None
    try:
        client = _log_in_until_done(base, f"load-shopper-{n}@example.com", args, deadline, local)
        for i in range(args.visits):
            visit = build_visit(rng, checklist, location_ids, i, with_ref=False)
            for answer in visit["answers"]:
                if answer.get("photo_required"):
                    answer.pop("photo_required")
            if not _attach_photos(client, visit, checklist, photo, deadline, local):
                continue
            body = json.dumps(visit).encode()
            sent = _send_until_confirmed(client, "/api/v1/visits", body, deadline, local)
            if sent is None:
                continue
            local.confirmed += 1
            stored_id = json.loads(sent[1])["id"]
            if rng.random() < args.resend_rate:  # the phone did not hear the answer: again
                local.resends += 1
                again = _send_until_confirmed(
                    client, "/api/v1/visits", body, deadline, local, timed=False
                )
                if again is None or again[0] != 200 or json.loads(again[1])["id"] != stored_id:
                    local.resend_mismatches += 1
    except Exception as exc:  # a crashed shopper must show in the figures, not vanish
        local.errors.append(f"shopper {n} stopped: {type(exc).__name__}: {exc}")
    finally:
        if client is not None:
            client.close()
        with lock:
            tally.latencies_ms += local.latencies_ms
            tally.retries += local.retries
            tally.timeouts += local.timeouts
            tally.resends += local.resends
            tally.resend_mismatches += local.resend_mismatches
            tally.errors += local.errors
            tally.confirmed += local.confirmed


def _log_in_until_done(base, email, args, deadline, local) -> Client:
    """Log in as a phone does before going out: again after a timeout (argon2 is slow)."""
    backoff = 0.2
    while True:
        try:
            return log_in(base, email, args.timeout)
        except (OSError, LoginFailed) as exc:
            unknown = isinstance(exc, OSError) or exc.status >= 500 or exc.status == 429
            if not unknown or time.monotonic() > deadline:
                raise
            local.retries += 1
            local.timeouts += isinstance(exc, TimeoutError)
            time.sleep(backoff)
            backoff = min(backoff * 2, 5)


def _attach_photos(client, visit, checklist, photo, deadline, local) -> bool:
    """Upload the photos the checklist requires, each under one UUID however often retried."""
    required = {
        i["id"]
        for s in checklist["checklist"]["sections"]
        for i in s["items"]
        if i.get("photo") == "required"
    }
    for answer in visit["answers"]:
        if answer["item_id"] in required and not answer.get("na"):
            photo_uuid = str(uuid.uuid4())
            sent = _until_confirmed(
                lambda u=photo_uuid: client.upload_photo(photo, u), deadline, local
            )
            if sent is None:
                return False
            answer["photos"] = [photo_uuid]
    return True


def _send_until_confirmed(
    client, path, body, deadline, local, timed: bool = True
) -> tuple[int, bytes] | None:
    """POST the visit until the server confirms it; the same body (same UUID) every time.

    `timed`: count the confirmed request's time in the submit figures (not for resends,
    which the server answers from the stored visit)."""

    def post():
        t0 = time.perf_counter()
        status, data = client.request("POST", path, body)
        if timed and status in (200, 201):
            local.latencies_ms.append((time.perf_counter() - t0) * 1000)
        return status, data

    return _until_confirmed(post, deadline, local)


def _until_confirmed(call, deadline, local) -> tuple[int, object] | None:
    """call() until a 200/201, as the PWA's outbox does: a timeout, a refused or reset
    connection, a 5xx or a 429 leaves the outcome unknown, so the same request goes again
    after a backoff. Any other answer, or the run budget running out, is an error."""
    backoff = 0.2
    while time.monotonic() < deadline:
        try:
            status, data = call()
        except OSError as exc:
            local.retries += 1
            local.timeouts += isinstance(exc, TimeoutError)
            time.sleep(backoff)
            backoff = min(backoff * 2, 5)
            continue
        if status in (200, 201):
            return status, data
        if status >= 500 or status == 429:
            local.retries += 1
            time.sleep(backoff)
            backoff = min(backoff * 2, 5)
            continue
        local.errors.append(f"HTTP {status}: {str(data)[:200]}")
        return None
    local.errors.append("gave up: run budget over")
    return None


def manager_run(base, path, stop, tally, lock, timeout):
    client = log_in(base, "load-admin@example.com", timeout)
    latencies, errors = [], []
    try:
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                status, _ = client.request("GET", path)
            except OSError as exc:
                errors.append(f"network: {type(exc).__name__}")
                continue
            if status == 200:
                latencies.append((time.perf_counter() - t0) * 1000)
            else:
                errors.append(f"HTTP {status} on {path}")
    finally:
        client.close()
        with lock:
            tally.latencies_ms += latencies
            tally.errors += errors


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        tmpdir = Path(tmp)
        args.pg_url = args.pg_url or "postgresql+psycopg://postgres@127.0.0.1:5432/audit_load"
        url = prepare_database(args, tmpdir)
        env = app_env(url, LOGIN_RATE_LIMIT="10000 per minute", PHOTO_DIR=str(tmpdir / "photos"))
        subprocess.run(
            [sys.executable, "-c", CREATE_USERS],
            cwd=ROOT,
            check=True,
            timeout=300,
            env={**env, "SHOPPERS": str(args.shoppers), "PASSWORD": PASSWORD},
        )
        with Gunicorn(env, args.workers, tmpdir) as server:
            log(f"gunicorn -w {args.workers} on {server.base}")
            admin = log_in(server.base, "load-admin@example.com", args.timeout)
            checklist, location_ids = fetch_reference_data(admin)
            status, _ = admin.request("GET", args.manager_path)
            admin.close()
            if status != 200:
                raise SystemExit(f"GET {args.manager_path}: {status}")
            photo = jpeg()
            shoppers, managers, lock, stop = Tally(), Tally(), threading.Lock(), threading.Event()
            deadline = time.monotonic() + RUN_BUDGET_S - (time.monotonic() - started) - 20
            readers = [
                threading.Thread(
                    target=manager_run,
                    args=(server.base, args.manager_path, stop, managers, lock, args.timeout),
                )
                for _ in range(args.managers)
            ]
            writers = [
                threading.Thread(
                    target=shopper_run,
                    args=(
                        server.base,
                        n,
                        checklist,
                        location_ids,
                        args,
                        deadline,
                        shoppers,
                        lock,
                        photo,
                    ),
                )
                for n in range(args.shoppers)
            ]
            log(
                f"{args.shoppers} shoppers x {args.visits} visits, {args.managers} managers "
                f"reading {args.manager_path}"
            )
            t0 = time.perf_counter()
            for thread in readers + writers:
                thread.start()
            for thread in writers:
                thread.join()
            elapsed = time.perf_counter() - t0
            stop.set()
            for thread in readers:
                thread.join()
        expected = args.shoppers * args.visits
        stored = sql_scalar(url, "SELECT count(*) FROM visits")
        distinct = sql_scalar(
            url, "SELECT count(*) FROM (SELECT DISTINCT shopper_id, client_uuid FROM visits) AS d"
        )
    figures = {
        "benchmark": "load",
        "database": args.database,
        "machine": machine(),
        "shoppers": args.shoppers,
        "visits_each": args.visits,
        "workers": args.workers,
        "elapsed_s": round(elapsed, 1),
        "visits_per_s": round(shoppers.confirmed / elapsed, 1),
        "submit_p50_ms": _ms(percentile(shoppers.latencies_ms, 50)),
        "submit_p99_ms": _ms(percentile(shoppers.latencies_ms, 99)),
        "manager_requests": len(managers.latencies_ms),
        "manager_p50_ms": _ms(percentile(managers.latencies_ms, 50)),
        "manager_p99_ms": _ms(percentile(managers.latencies_ms, 99)),
        "retries": shoppers.retries,
        "of_which_timeouts": shoppers.timeouts,
        "deliberate_resends": shoppers.resends,
        "resend_mismatches": shoppers.resend_mismatches,
        "errors": len(shoppers.errors) + len(managers.errors),
        "stored": stored,
        "expected": expected,
        "duplicates": stored - distinct,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        rows = [[k, "" if v is None else str(v)] for k, v in figures.items() if k != "machine"]
        print(table(["figure", "value"], rows))
    for error in (shoppers.errors + managers.errors)[:10]:
        log(f"error: {error}")
    ok = (
        stored == expected
        and distinct == stored
        and shoppers.resend_mismatches == 0
        and shoppers.confirmed == expected
    )
    log(
        "data check: "
        + (
            "exactly the expected visits, none lost, none duplicated"
            if ok
            else f"FAILED: stored {stored}, expected {expected}"
        )
    )
    return 0 if ok else 1


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--shoppers", type=int, default=50)
    parser.add_argument("--visits", type=int, default=20)
    parser.add_argument("--managers", type=int, default=2)
    parser.add_argument("--manager-path", default=MANAGER_PATH)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="client timeout; a timed-out visit is sent again",
    )
    parser.add_argument("--resend-rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
