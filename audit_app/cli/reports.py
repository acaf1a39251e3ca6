"""flask reports render / distribute: batch PDFs for a period, and e-mail them to branches."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import Area, Location
from ..reports import batch, pdf
from ..reports.data import ReportError, parse_period
from ..reports.service import file_name
from .common import fail

group = click.Group("reports", help="Consistency report PDFs and their distribution.")


def _period(text: str) -> str:
    try:
        return parse_period(text).key
    except ReportError as exc:
        fail(f"--period: {exc.message}")
        raise  # pragma: no cover


def _locations(area: str | None) -> list[Location]:
    query = select(Location).where(Location.active).order_by(Location.code)
    if area:
        found = db.session.scalar(select(Area).where(Area.code == area))
        if found is None:
            fail(f"--area: no area with code '{area}'")
        query = query.where(Location.area_id == found.id)
    return list(db.session.scalars(query))


@group.command("render")
@click.option("--period", required=True, help="Month (2026-10) or quarter (2026-Q4).")
@click.option("--area", default=None, help="Only this area's locations (area code).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--workers", default=None, type=click.IntRange(1, 256), help="Default: all cores.")
@click.option("--lang", default=None, type=click.Choice(["en", "ms", "id"]))
@with_appcontext
def render_command(period: str, area: str | None, out_dir: Path, workers, lang) -> None:
    """Render every active location's report for a period into a folder."""
    key = _period(period)
    locations = _locations(area)
    if not locations:
        fail("no active locations to render")
    out_dir.mkdir(parents=True, exist_ok=True)
    out = str(out_dir.resolve())
    jobs = [batch.Job(loc.id, loc.code, key, out, lang) for loc in locations]
    db.session.remove()
    started = time.perf_counter()
    broker = current_app.config.get("CELERY_BROKER_URL")
    with click.progressbar(length=len(jobs), label=f"Rendering {key}", file=None) as bar:
        if broker:
            results = _celery(jobs, broker, bar)
        else:
            outcome = batch.run_pool(
                jobs,
                batch.portable_config(current_app.config),
                workers=workers,
                on_done=lambda _r: bar.update(1),
            )
            results = outcome.done + outcome.failed
    failed = [r for r in results if not r.path]
    elapsed = time.perf_counter() - started
    click.echo(
        f"reports: {len(results) - len(failed)} PDFs in {out} in {elapsed:.1f} s"
        + (f", {len(failed)} failed" if failed else "")
    )
    for r in failed:
        click.echo(f"error: location {r.location_id}: {r.error}", err=True)
    if failed:
        raise SystemExit(1)


def _celery(jobs: list[batch.Job], broker: str, bar) -> list[batch.JobResult]:
    """Send the jobs to the Celery queue and wait for every result."""
    from .. import celery_app

    queue = current_app.config.get("REPORTS_QUEUE", celery_app.QUEUE)
    celery = celery_app.celery  # made at import when CELERY_BROKER_URL is in the environment
    if celery is None or celery.conf.broker_url != broker:
        celery = celery_app.make_celery(broker, queue)  # the task is sent to `queue` below
    task = celery.tasks["reports.render_location"]
    pending = {
        task.apply_async(args=(j.location_id, j.code, j.period, j.out_dir, j.lang), queue=queue): j
        for j in jobs
    }
    timeout = current_app.config["REPORT_RENDER_TIMEOUT_S"] * max(1, len(jobs))
    deadline = time.monotonic() + timeout
    results: list[batch.JobResult] = []
    try:
        while pending and time.monotonic() < deadline:
            for async_result in [a for a in pending if a.ready()]:
                job = pending.pop(async_result)
                try:
                    results.append(batch.JobResult(**async_result.get(timeout=5)))
                except Exception as exc:
                    results.append(batch.JobResult(job.location_id, None, error=str(exc)))
                async_result.forget()
                bar.update(1)
            time.sleep(0.1)
        for job in pending.values():
            results.append(batch.JobResult(job.location_id, None, error="timed out on the queue"))
    finally:
        celery.close()
    # temp files of renders killed half-way; a job that timed out may still be running
    finished = [job for job in jobs if job not in pending.values()]
    for out_dir in {Path(job.out_dir) for job in finished}:
        names = [file_name(j.code, j.period) for j in finished if Path(j.out_dir) == out_dir]
        pdf.cleanup_partials(out_dir, names)
    return results


@group.command("distribute")
@click.option("--period", required=True, help="Month (2026-10) or quarter (2026-Q4).")
@click.option("--area", default=None, help="Only this area's locations (area code).")
@click.option("--resend", is_flag=True, help="Send again to recipients that already got it.")
@with_appcontext
def distribute_command(period: str, area: str | None, resend: bool) -> None:
    """E-mail each branch its report (attached, or a signed link when large); log every send."""
    from ..distribution.email import distribute

    key = _period(period)
    locations = _locations(area)
    with click.progressbar(length=len(locations), label=f"Sending {key}") as bar:
        result = distribute(
            key,
            resend=resend,
            location_ids=[loc.id for loc in locations],
            progress=lambda _loc: bar.update(1),
        )
    click.echo(
        f"reports: {result.sent} sent, {result.skipped} already sent, {result.failed} failed"
    )
    for line in result.errors:
        click.echo(f"error: {line}", err=True)
    if result.failed:
        raise SystemExit(1)
