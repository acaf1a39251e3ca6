"""Batch rendering: process pool with retries after a killed worker; Celery on real Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import IN_CI, ROOT


def test_render_command_writes_every_pdf(app, world, runner, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(args=["reports", "render", "--period", "2026-10", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["JKT-900_2026-10.pdf", "KL-900_2026-10.pdf"]
    result = runner.invoke(
        args=[
            "reports",
            "render",
            "--period",
            "2026-10",
            "--area",
            "KL",
            "--out",
            str(tmp_path / "kl"),
        ]
    )
    assert [p.name for p in (tmp_path / "kl").iterdir()] == ["KL-900_2026-10.pdf"]
    bad = runner.invoke(args=["reports", "render", "--period", "oct", "--out", str(out)])
    assert bad.exit_code == 1 and "--period" in bad.output


def die_once(job):
    """A render that writes half a file and is killed, the first time only."""
    from audit_app.reports import batch

    marker = Path(job.out_dir) / f"died-{job.location_id}"
    if not marker.exists():
        marker.write_text("x")
        (Path(job.out_dir) / f".{job.code}_{job.period}.pdf.half.tmp").write_bytes(
            b"%PDF-1.7 partial"
        )
        os.kill(os.getpid(), signal.SIGKILL)
    return batch.render_job(job)


def test_a_worker_killed_mid_render_leaves_no_partial_file_and_the_job_is_retried(
    app, world, tmp_path
):
    from audit_app.reports import batch

    out = tmp_path / "out"
    out.mkdir()
    jobs = [batch.Job(world.location_id, "KL-900", "2026-10", str(out))]
    result = batch.run_pool(jobs, batch.portable_config(app.config), workers=1, task=die_once)
    assert result.retried == 1 and not result.failed
    pdfs = [p.name for p in out.iterdir() if p.suffix == ".pdf"]
    assert pdfs == ["KL-900_2026-10.pdf"]
    assert not list(out.glob(".*.tmp"))
    assert (out / "KL-900_2026-10.pdf").read_bytes().startswith(b"%PDF")


def _redis_url() -> str | None:
    import redis

    url = "redis://127.0.0.1:6379/13"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.flushdb()
        client.close()
    except redis.exceptions.ConnectionError:
        return None
    return url


@contextmanager
def celery_worker(database_url: str, log: Path, app_module: str, *options: str, **env_extra: str):
    """A real Celery worker process on the test Redis and its own queue, its output in `log`;
    yields (broker URL, queue)."""
    url = _redis_url()
    if url is None:
        if IN_CI:
            pytest.fail("Redis is not reachable on 127.0.0.1:6379")
        pytest.skip("Redis is not running")
    queue = f"reports-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CELERY_BROKER_URL": url, "DATABASE_URL": database_url,
           "REPORTS_QUEUE": queue, "SECRET_KEY": "test-secret", **env_extra}  # fmt: skip
    log_file = log.open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", app_module, "worker", *options, "-Q", queue,
         "--loglevel=WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield url, queue
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(5)
        log_file.close()
        import redis

        client = redis.Redis.from_url(url)
        client.flushdb()
        client.close()


def render_on_queue(app, runner, url: str, queue: str, out: Path):
    app.config.update(CELERY_BROKER_URL=url, REPORTS_QUEUE=queue)
    try:
        return runner.invoke(args=["reports", "render", "--period", "2026-10", "--out", str(out)])
    finally:
        app.config.update(CELERY_BROKER_URL=None)


@pytest.mark.slow
def test_celery_path_renders_on_a_real_worker(app, world, runner, tmp_path, database_url):
    log = tmp_path / "worker.log"
    with celery_worker(database_url, log, "audit_app.celery_app", "--pool=solo") as (url, queue):
        out = tmp_path / "celery"
        result = render_on_queue(app, runner, url, queue, out)
    assert result.exit_code == 0, result.output + log.read_text()
    assert sorted(p.name for p in out.iterdir()) == ["JKT-900_2026-10.pdf", "KL-900_2026-10.pdf"]


@pytest.mark.slow
def test_a_celery_worker_child_killed_mid_render_is_replaced_and_the_job_redone(
    app, world, runner, tmp_path, database_url
):
    marker = tmp_path / "killed"
    out = tmp_path / "celery"
    options = ("--pool=prefork", "--concurrency=1")
    log = tmp_path / "worker.log"
    with celery_worker(
        database_url, log, "tests.reports.celery_killer", *options, KILL_MARKER=str(marker)
    ) as (url, queue):
        result = render_on_queue(app, runner, url, queue, out)
    assert marker.exists(), log.read_text()  # the first task's process was killed
    assert result.exit_code == 0, result.output + log.read_text()
    # both PDFs whole, the half-written temp file of the killed render gone
    assert sorted(p.name for p in out.iterdir()) == ["JKT-900_2026-10.pdf", "KL-900_2026-10.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF-") for p in out.iterdir())


def count_job(job):
    """A job that only reports which process ran it."""
    from audit_app.reports import batch

    return batch.JobResult(job.location_id, f"{os.getpid()}", peak_rss_mb=0)


def test_workers_are_recycled_and_a_long_batch_finishes(app):
    from audit_app.reports import batch

    jobs = [batch.Job(i, f"L{i}", "2026-10", "/nonexistent") for i in range(12)]
    result = batch.run_pool(
        jobs, batch.portable_config(app.config), workers=2, max_tasks_per_child=2, task=count_job
    )
    assert sorted(r.location_id for r in result.done) == list(range(12))
    # rounds of workers x max_tasks_per_child = 4 jobs, each in a fresh pool
    per_process = Counter(r.path for r in result.done)
    assert len(per_process) >= 3 and max(per_process.values()) <= 4


def test_cleanup_removes_only_the_finished_jobs_temp_files(tmp_path):
    from audit_app.reports.pdf import cleanup_partials

    mine = tmp_path / ".KL-1_2026-10.pdf.x1y2.tmp"
    running = tmp_path / ".KL-2_2026-10.pdf.a9b8.tmp"  # another batch, or a job still running
    done = tmp_path / "KL-1_2026-10.pdf"
    for path in (mine, running, done):
        path.write_bytes(b"%PDF-")
    assert cleanup_partials(tmp_path, ["KL-1_2026-10.pdf"]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [running.name, done.name]
