"""gunicorn settings for production: gunicorn -c gunicorn.conf.py wsgi:app

Every value can be overridden from the environment; see docs/deployment.md.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# sync workers: the app is CPU-light and database-bound; 2 x cores + 1 is the usual start
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# recycle workers now and then so a slow leak can never grow without bound
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# the app writes JSON access lines itself (with the request id); gunicorn's own log is errors
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# X-Forwarded-* are handled by the app's ProxyFix (PROXY_COUNT), not by gunicorn
forwarded_allow_ips = "127.0.0.1"
preload_app = False


def post_worker_init(worker):
    """Take what is loaded out of the cyclic garbage collector's walks (gc.freeze), then
    fill the analytics store on a background thread (ANALYTICS_WARM_MONTHS)."""
    import gc

    from audit_app.analytics.warm import warm_in_background

    gc.freeze()
    warm_in_background(worker.wsgi)
