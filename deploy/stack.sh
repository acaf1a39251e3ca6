#!/usr/bin/env bash
# Start the production-shaped stack on loopback and run a smoke test through it:
# PostgreSQL (throwaway database), Redis (rate limits), gunicorn with the app.
# Usage: deploy/stack.sh            (exits non-zero if any step or the smoke test fails)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT="${PORT:-8765}"
DB="audit_stack_$$"
export DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/$DB"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/14}"
export SECRET_KEY="$($BIN/python -c 'import secrets; print(secrets.token_urlsafe(48))')"
export AUDIT_ENV=production FLASK_APP=wsgi PHOTO_DIR="$(mktemp -d)/photos"
export BIND="127.0.0.1:$PORT" WEB_CONCURRENCY=2 LOG_LEVEL=warning ACCESS_LOG=false

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
fi
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  sleep 1
fi
psql -h 127.0.0.1 -U postgres -d postgres -q -c "CREATE DATABASE $DB"
cleanup() {
  [ -n "${GUNICORN_PID:-}" ] && kill "$GUNICORN_PID" 2>/dev/null && wait "$GUNICORN_PID" || true
  psql -h 127.0.0.1 -U postgres -d postgres -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
}
trap cleanup EXIT

$BIN/flask db upgrade >/dev/null
$BIN/flask demo seed --locations 4 --months 1 >/dev/null
$BIN/gunicorn -c gunicorn.conf.py wsgi:app &
GUNICORN_PID=$!
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
$BIN/python deploy/smoke.py "http://127.0.0.1:$PORT"
