"""Shared helpers for the benchmark scripts: throwaway databases, a gunicorn server, a load runner.

Everything runs on 127.0.0.1. Progress goes to stderr so stdout holds only the figures.
"""

from __future__ import annotations

import http.client
import itertools
import json
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/audit_bench"


def log(message: str) -> None:
    """Print a progress line to stderr."""
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    """Ask the OS for a free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- databases


def libpq_url(url: str) -> str:
    """Turn a SQLAlchemy PostgreSQL URL into one psycopg accepts."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgres") else url


def recreate_postgres(url: str) -> None:
    """Drop and create the database named in url, via the server's `postgres` database."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(libpq_url(url))
    name = parts.path.lstrip("/")
    if not name or name == "postgres":
        raise SystemExit(f"refusing to recreate database '{name}': name a scratch database")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        ident = sql.Identifier(name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))


def sql_scalar(url: str, query: str):
    """Run one query on the database (SQLite file or PostgreSQL) and return the first value."""
    if url.startswith("sqlite:///"):
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            return conn.execute(query).fetchone()[0]
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(libpq_url(url), connect_timeout=10) as conn:
        return conn.execute(query).fetchone()[0]


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment for the app's CLI and server: this database, a random secret key."""
    env = dict(os.environ)
    env.pop("TEST_DATABASE_URL", None)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        FLASK_APP="wsgi",
        PYTHONUNBUFFERED="1",
        # one JSON access line per request would flood the benchmark's own output
        ACCESS_LOG="false",
        **extra,
    )
    return env


def flask_cli(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """Run `flask ARGS` in the checkout; raise SystemExit with its output when it fails."""
    command = [sys.executable, "-m", "flask", *args]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise SystemExit(
            f"flask {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return done.stdout


# ---------------------------------------------------------------- server


class Gunicorn:
    """`gunicorn -w N wsgi:app` on a free port of 127.0.0.1, stopped on exit (also on error)."""

    def __init__(self, env: dict[str, str], workers: int, log_dir: Path) -> None:
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.log_path = log_dir / "gunicorn.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(self.workers),
            "-b",
            f"{HOST}:{self.port}",
            "--error-logfile",
            str(self.log_path),
            "--graceful-timeout",
            "10",
            "wsgi:app",
        ]  # no --access-logfile: gunicorn then writes no access log
        # its own session: a Ctrl-C reaches only this script, whose finally stops the server
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=self.env, start_new_session=True, stdin=subprocess.DEVNULL
        )
        try:
            self._wait_ready(timeout=30)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.proc.returncode}:\n{self.log()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"gunicorn did not answer /healthz within {timeout:.0f}s:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text()[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM (graceful), then SIGKILL if the master has not exited after 15 s."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            log("gunicorn did not stop within 15s: killing it")
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: the master and its workers
            proc.wait(timeout=5)


# ---------------------------------------------------------------- HTTP client and load


class Client:
    """One keep-alive HTTP connection, reopened when the server closes it.

    `headers` go with every request (e.g. a session cookie and a CSRF token); cookies the
    server sets are kept when `keep_cookies` is true (to log in; not while timing).
    """

    def __init__(
        self,
        base: str,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
        keep_cookies: bool = False,
    ) -> None:
        parts = urlsplit(base)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.headers = dict(headers or {})
        self.keep_cookies = keep_cookies
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        content_type: str = "application/json",
    ) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        headers = self.session_headers()
        if body is not None:
            headers["Content-Type"] = content_type
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except BaseException:
            self.close()
            raise
        if self.keep_cookies:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
        if response.will_close:
            self.close()
        return response.status, data

    def get_json(self, path: str):
        status, data = self.request("GET", path)
        if status != 200:
            raise SystemExit(f"GET {path}: {status} {data[:300]!r}")
        return json.loads(data)

    def post_json(self, path: str, payload) -> tuple[int, object]:
        status, data = self.request("POST", path, json.dumps(payload).encode())
        try:
            return status, json.loads(data)
        except ValueError:
            return status, data[:300]

    def upload_photo(self, jpeg: bytes, photo_uuid: str | None = None) -> tuple[int, str]:
        """Upload a photo as the PWA does (multipart; a retry keeps the photo's UUID)."""
        photo_uuid = photo_uuid or str(uuid.uuid4())
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="uuid"\r\n\r\n'
                f"{photo_uuid}\r\n--{boundary}\r\n"
                'Content-Disposition: form-data; name="file"; filename="photo.jpg"\r\n'
                "Content-Type: image/jpeg\r\n\r\n"
            ).encode()
            + jpeg
            + f"\r\n--{boundary}--\r\n".encode()
        )
        status, _ = self.request(
            "POST", "/api/v1/photos", body, f"multipart/form-data; boundary={boundary}"
        )
        return status, photo_uuid

    def session_headers(self) -> dict[str, str]:
        """The headers this client sends: its own plus its cookies (to hand to load threads)."""
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None


@dataclass
class LoadResult:
    name: str
    planned: int
    concurrency: int
    elapsed_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)  # successful requests only
    errors: list[str] = field(default_factory=list)  # one line per failed request

    @property
    def ok(self) -> int:
        return len(self.latencies_ms)

    @property
    def not_sent(self) -> int:
        return self.planned - self.ok - len(self.errors)

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.not_sent

    @property
    def rps(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, p: float) -> float | None:
        return percentile(self.latencies_ms, p)

    def figures(self) -> dict:
        return {
            "requests": self.planned,
            "ok": self.ok,
            "errors": self.error_count,
            "concurrency": self.concurrency,
            "elapsed_s": round(self.elapsed_s, 3),
            "rps": round(self.rps, 1),
            "p50_ms": _round(self.percentile(50)),
            "p99_ms": _round(self.percentile(99)),
        }

    def report_errors(self, limit: int = 10) -> None:
        """Print up to `limit` failed requests and a count of each kind, to stderr."""
        if not self.error_count:
            return
        log(f"{self.name}: {self.error_count} error(s) of {self.planned} requests")
        for line in self.errors[:limit]:
            log(f"  {line}")
        kinds = Counter(line.split(":", 1)[0] for line in self.errors)
        if self.not_sent:
            kinds["not sent (time budget spent)"] = self.not_sent
        for kind, count in kinds.most_common():
            log(f"  {count:6d} x {kind}")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def run_load(
    name: str,
    base: str,
    requests: Sequence[Request],
    concurrency: int,
    budget_s: float,
    headers: dict[str, str] | None = None,
    ok_statuses: range = range(200, 300),
) -> LoadResult:
    """Send every request from `concurrency` threads, each on its own keep-alive connection.

    Each request's latency is measured from send to the last byte of the response. Threads
    stop taking new requests once `budget_s` has passed, so a run stays bounded in time.
    """
    result = LoadResult(name, len(requests), concurrency)
    next_index = itertools.count()
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def worker() -> None:
        client = Client(base, headers)
        latencies, errors = [], []
        start.wait()
        try:
            while time.monotonic() < deadline[0]:
                with lock:
                    index = next(next_index)
                if index >= len(requests):
                    break
                req = requests[index]
                t0 = time.perf_counter()
                try:
                    status, data = client.request(req.method, req.path, req.body)
                except Exception as exc:  # noqa: BLE001 - every failure is a counted error
                    errors.append(f"{type(exc).__name__}: {req.method} {req.path}: {exc}")
                    continue
                elapsed_ms = (time.perf_counter() - t0) * 1000
                if status in ok_statuses:
                    latencies.append(elapsed_ms)
                else:
                    text = data[:300].decode("utf-8", "replace").replace("\n", " ")
                    errors.append(f"HTTP {status}: {req.method} {req.path}: {text}")
        finally:
            client.close()
            with lock:
                result.latencies_ms.extend(latencies)
                result.errors.extend(errors)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + budget_s
    t0 = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    result.elapsed_s = time.perf_counter() - t0
    return result


# ---------------------------------------------------------------- output


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A compact plain-text table: first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        pairs = enumerate(zip(row, widths, strict=True))
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs)

    rule = ["-" * w for w in widths]
    return "\n".join([line(cells[0]), line(rule)] + [line(r) for r in cells[1:]])


def machine() -> dict:
    """What the figures were measured on."""
    import platform

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }
