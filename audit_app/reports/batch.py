"""Render many locations' reports: a local process pool over all cores, or a Celery queue.

Each job renders one location and writes `<code>_<period>.pdf` atomically (temp file in
the output folder, then rename), so a worker killed mid-render leaves no half-written PDF;
the job is then retried in a fresh pool, up to `attempts` times. Pool workers build the app
once; every `workers x max_tasks_per_child` renders the pool is replaced, which bounds
the memory a worker can accumulate.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import resource
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

MAX_TASKS_PER_CHILD = 50
SIMPLE = (str, int, float, bool, type(None), timedelta)


@dataclass(frozen=True)
class Job:
    location_id: int
    code: str
    period: str
    out_dir: str
    lang: str | None = None


@dataclass(frozen=True)
class JobResult:
    location_id: int
    path: str | None
    pages: int = 0
    bytes: int = 0
    seconds: float = 0.0
    error: str = ""
    peak_rss_mb: float = 0.0


@dataclass
class BatchResult:
    done: list[JobResult] = field(default_factory=list)
    failed: list[JobResult] = field(default_factory=list)
    retried: int = 0


def portable_config(config) -> dict:
    """The app config a worker process needs, reduced to values that pickle."""
    return {k: v for k, v in config.items() if k.isupper() and isinstance(v, SIMPLE)}


_app = None


def init_worker(config: dict) -> None:
    """Build the worker's app once (pool initializer and Celery worker).

    Then move everything loaded so far out of the garbage collector's view: WeasyPrint
    makes a few hundred thousand short-lived objects per PDF, and every full collection
    would otherwise walk the app's modules too (about 15% of a render's time, measured).
    """
    global _app
    from .. import create_app
    from . import pdf  # noqa: F401 - imports WeasyPrint before freezing

    _app = create_app(config)
    gc.freeze()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def render_job(job: Job) -> JobResult:
    """Render one job inside a worker that ran init_worker (or any app context)."""
    from flask import has_app_context

    from .. import files
    from . import service

    def run() -> JobResult:
        from ..extensions import db

        try:
            rendered = service.render_location(job.location_id, job.period, job.lang)
        except Exception as exc:  # reported per job; the batch goes on
            return JobResult(job.location_id, None, error=f"{type(exc).__name__}: {exc}")
        finally:
            db.session.remove()
        path = Path(job.out_dir) / service.file_name(job.code, job.period)
        files.write_atomically(path, rendered.data)
        return JobResult(
            job.location_id,
            str(path),
            rendered.pages,
            len(rendered.data),
            rendered.seconds,
            peak_rss_mb=peak_rss_mb(),
        )

    if has_app_context():
        return run()
    assert _app is not None, "init_worker was not called"
    with _app.app_context():
        return run()


def run_pool(
    jobs: Iterable[Job],
    config: dict,
    *,
    workers: int | None = None,
    max_tasks_per_child: int = MAX_TASKS_PER_CHILD,
    attempts: int = 3,
    task: Callable[[Job], JobResult] = render_job,
    on_done: Callable[[JobResult], None] | None = None,
) -> BatchResult:
    """Render jobs in process pools; a job whose worker died is retried in a fresh pool.

    Workers are recycled by running the jobs in rounds of `workers x max_tasks_per_child`,
    each round in a fresh pool, so no process renders more than one round's jobs
    (ProcessPoolExecutor's own max_tasks_per_child hangs on Python 3.11 once the first
    workers retire: seen with 200 locations, stuck at exactly 2 x 50 PDFs).
    """
    pending = list(jobs)
    jobs_by_dir: dict[Path, list[Job]] = {}
    for job in pending:
        jobs_by_dir.setdefault(Path(job.out_dir), []).append(job)
    out_dirs = set(jobs_by_dir)
    result = BatchResult()
    tries: dict[int, int] = {}
    workers = workers or os.cpu_count() or 1
    context = multiprocessing.get_context("spawn")
    round_size = workers * max(1, max_tasks_per_child)

    def finish(outcome: JobResult) -> None:
        (result.done if outcome.path else result.failed).append(outcome)
        if on_done:
            on_done(outcome)

    while pending:
        current, pending = pending[:round_size], pending[round_size:]
        lost: list[Job] = []
        with ProcessPoolExecutor(
            max_workers=min(workers, len(current)),
            mp_context=context,
            initializer=init_worker,
            initargs=(config,),
        ) as pool:
            futures = {pool.submit(task, job): job for job in current}
            for future in as_completed(futures):
                try:
                    finish(future.result())
                except BrokenProcessPool:
                    lost.append(futures[future])
        for job in lost:
            tries[job.location_id] = tries.get(job.location_id, 1) + 1
            if tries[job.location_id] > attempts:
                finish(JobResult(job.location_id, None, error="worker died on every attempt"))
            else:
                result.retried += 1
                pending.insert(0, job)
    from .pdf import cleanup_partials
    from .service import file_name

    for out_dir in out_dirs:
        cleanup_partials(out_dir, [file_name(j.code, j.period) for j in jobs_by_dir[out_dir]])
    return result
