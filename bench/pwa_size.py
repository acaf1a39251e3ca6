"""Weigh the shopper app's shell: the page, its CSS and every JS module, each gzipped.

The shell is what a phone downloads before the app can start (and what the service worker
caches): GET /app as the server renders it, static/css/pwa.css and static/js/*.js (the
service worker included). Each file is gzipped on its own at level 6, as a reverse proxy
would serve it. The budget is 60 KB; the exit status is 1 when the shell is over it.

    .venv/bin/python bench/pwa_size.py [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_BYTES = 60 * 1024
LEVEL = 6


def shell_files() -> list[tuple[str, bytes]]:
    """(name, bytes) of every file of the shell; the page rendered by the app itself."""
    sys.path.insert(0, str(ROOT))
    from audit_app import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    page = app.test_client().get("/app")
    if page.status_code != 200:
        raise SystemExit(f"GET /app answered {page.status_code}")
    files = [("GET /app (page)", page.data)]
    static = ROOT / "static"
    for path in [static / "css" / "pwa.css", *sorted((static / "js").glob("*.js"))]:
        files.append((path.relative_to(ROOT).as_posix(), path.read_bytes()))
    return files


def measure() -> dict:
    rows = [
        {"file": name, "bytes": len(data), "gzip": len(gzip.compress(data, LEVEL, mtime=0))}
        for name, data in shell_files()
    ]
    total = sum(r["gzip"] for r in rows)
    return {
        "files": rows,
        "raw_bytes": sum(r["bytes"] for r in rows),
        "gzip_bytes": total,
        "limit_bytes": LIMIT_BYTES,
        "headroom_bytes": LIMIT_BYTES - total,
        "within_budget": total <= LIMIT_BYTES,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    result = measure()
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        width = max(len(r["file"]) for r in result["files"])
        print(f"{'file':<{width}}  {'bytes':>8}  {'gzip':>7}")
        for row in result["files"]:
            print(f"{row['file']:<{width}}  {row['bytes']:>8,}  {row['gzip']:>7,}")
        print(f"{'shell total':<{width}}  {result['raw_bytes']:>8,}  {result['gzip_bytes']:>7,}")
        verdict = "within" if result["within_budget"] else "OVER"
        print(
            f"gzip {result['gzip_bytes'] / 1024:.1f} KB of a {LIMIT_BYTES // 1024} KB budget: "
            f"{verdict} ({result['headroom_bytes'] / 1024:+.1f} KB headroom)"
        )
    return 0 if result["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
