"""The reports Celery app, with a child process that dies on its first task (test only).

The first task a worker child starts writes a partial temp PDF into the job's folder, as a
render cut off half-way would, and kills its own process with SIGKILL. The marker file
(KILL_MARKER) makes it happen once. Used by tests/reports/test_batch.py.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from celery.signals import task_prerun

from audit_app.celery_app import app  # noqa: F401 - the worker's app

MARKER = Path(os.environ["KILL_MARKER"])


@task_prerun.connect
def die_on_first_task(task_id=None, task=None, args=None, **_):
    if MARKER.exists():
        return
    MARKER.write_text(task_id or "")
    _location_id, code, period, out_dir, *_rest = args
    (Path(out_dir) / f".{code}_{period}.pdf.half.tmp").write_bytes(b"%PDF-1.7 half")
    os.kill(os.getpid(), signal.SIGKILL)
