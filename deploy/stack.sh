#!/usr/bin/env bash
# Start the production-shaped stack on loopback and run a smoke test through it:
# PostgreSQL (throwaway database), Redis (rate limits, report queue), gunicorn with the app,
# and a Celery worker that renders report PDFs from the queue.
# Usage: deploy/stack.sh            (exits non-zero if any step or the smoke test fails)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${PORT:-8765}"
DB="audit_stack_$$"
WORK="$(mktemp -d)"
PERIOD="$(date -u +%Y-%m)"  # the demo data's last month: the report period rendered
export DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/$DB"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/14}"
# the report queue: a Redis database of its own, and a queue name of this run's own, so two
# stacks on one Redis never take each other's jobs (a job names rows of its own database)
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:6379/12}"
export REPORTS_QUEUE="reports-stack-$$"
WORKER="reports-$$@stack"
export SECRET_KEY="$($BIN/python -c 'import secrets; print(secrets.token_urlsafe(48))')"
export AUDIT_ENV=production FLASK_APP=wsgi PHOTO_DIR="$WORK/photos"
export BIND="127.0.0.1:$PORT" WEB_CONCURRENCY=2 LOG_LEVEL=warning ACCESS_LOG=false

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
fi
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  sleep 1
fi
psql -h 127.0.0.1 -U postgres -d postgres -q -c "CREATE DATABASE $DB"

stop() {  # TERM a process this script started, wait for it; KILL it (and its children) after 20 s
  local pid="${1:-}"
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "stack: process $pid did not stop in 20 s, killing it" >&2
    pkill -KILL -P "$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ -s "$WORK/worker.log" ]; then
    echo "stack: failed ($rc); the Celery worker's last log lines:" >&2
    tail -n 30 "$WORK/worker.log" >&2 || true
  fi
  stop "${WORKER_PID:-}"
  stop "${GUNICORN_PID:-}"
  redis-cli -u "$CELERY_BROKER_URL" DEL "$REPORTS_QUEUE" "_kombu.binding.$REPORTS_QUEUE" \
    "_kombu.binding_permanent.$REPORTS_QUEUE" >/dev/null 2>&1 || true
  psql -h 127.0.0.1 -U postgres -d postgres -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

$BIN/flask db upgrade >/dev/null
$BIN/flask demo seed --locations 4 --months 1 --until "$PERIOD" >/dev/null
# the same environment as the app (database, photos, secret); one render at a time
$BIN/celery -A audit_app.celery_app worker -Q "$REPORTS_QUEUE" --concurrency 1 -n "$WORKER" \
  --loglevel INFO --without-gossip --without-mingle >"$WORK/worker.log" 2>&1 &
WORKER_PID=$!
$BIN/gunicorn -c gunicorn.conf.py wsgi:app &
GUNICORN_PID=$!
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
ready=""
for _ in $(seq 1 30); do
  kill -0 "$WORKER_PID" 2>/dev/null || { echo "stack: the Celery worker exited" >&2; exit 1; }
  if $BIN/celery -A audit_app.celery_app inspect ping -d "$WORKER" --timeout 1 >/dev/null 2>&1
  then
    ready=1
    break
  fi
  sleep 0.5
done
[ -n "$ready" ] || { echo "stack: the Celery worker did not answer a ping" >&2; exit 1; }
# the smoke test logs in three times from 127.0.0.1: clear that address's login counters so
# runs back to back stay under the production login rate limit (5 a minute)
redis-cli -u "$REDIS_URL" --scan --pattern 'LIMITS:LIMITER/127.0.0.1/*' \
  | xargs -r redis-cli -u "$REDIS_URL" DEL >/dev/null
$BIN/python deploy/smoke.py "http://127.0.0.1:$PORT" --period "$PERIOD" --worker "$WORKER" \
  --out "$WORK/reports"
