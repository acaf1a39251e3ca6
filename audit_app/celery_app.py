"""The Celery app for batch rendering on a queue: created only when CELERY_BROKER_URL is set.

Start workers with `CELERY_BROKER_URL=redis://... DATABASE_URL=... celery -A
audit_app.celery_app worker -Q reports`. Tasks are acknowledged late and rejected when a
worker is lost, so a render killed half-way is delivered again to another worker.
"""

from __future__ import annotations

import os

from celery import Celery

QUEUE = os.environ.get("REPORTS_QUEUE", "reports")


def make_celery(broker_url: str, queue: str = QUEUE) -> Celery:
    """A Celery app on a Redis broker (results in the same Redis), with the render task."""
    celery = Celery("audit_app", broker=broker_url, backend=broker_url)
    celery.conf.update(
        task_default_queue=queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_max_tasks_per_child=50,
        result_expires=86400,
        broker_connection_retry_on_startup=True,
        # a task whose whole worker machine vanished goes to another worker after this long
        # (Redis' default is an hour); a render is idempotent, so a late duplicate is harmless
        broker_transport_options={"visibility_timeout": 600},
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
    )

    @celery.task(name="reports.render_location", shared=False)  # one app per broker URL
    def render_location(location_id: int, code: str, period: str, out_dir: str, lang=None):
        """Render one location's report to out_dir; returns the JobResult as a dict."""
        from dataclasses import asdict

        from .reports import batch

        if batch._app is None:
            batch.init_worker({})
        return asdict(batch.render_job(batch.Job(location_id, code, period, out_dir, lang)))

    return celery


_broker = os.environ.get("CELERY_BROKER_URL")
celery = app = make_celery(_broker) if _broker else None
