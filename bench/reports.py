"""Benchmark of the report PDFs: end-to-end vs WeasyPrint alone, pages, memory, batch rate.

Run: .venv/bin/python bench/reports.py [--locations 200] [--months 12] [--repeat 10]
Seeds demo data into a temporary SQLite database, then:
- end-to-end render (data + view-model + HTML + PDF) of the busiest location, median of N,
  against WeasyPrint alone on the same HTML in the same run, and their ratio;
- page count, peak RSS of a pool worker;
- batch: every location in a process pool over 2 workers, PDFs per second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--locations", type=int, default=200)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from audit_app import create_app
    from audit_app.checklists import load_directory
    from audit_app.extensions import db
    from audit_app.models import Location, Visit, VisitStatus
    from audit_app.reports import batch, data, pdf, service
    from audit_app.services.checklists import sync_checklists
    from audit_app.services.demo import seed_demo

    app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        sync_checklists(load_directory(app.config["CHECKLISTS_DIR"]))
        seed_demo(7, args.locations, args.months, date(2026, 10, 1))
        print(f"seeded {args.locations} locations in {time.perf_counter() - started:.0f} s")
        location_id, visits = db.session.execute(
            select(Visit.location_id, func.count())
            .where(Visit.status == VisitStatus.APPROVED)
            .group_by(Visit.location_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        period = "2026-10"
        ends, alone, html = [], [], ""
        roots = service.allowed_roots()
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            ctx = data.context_for(location_id, period, "en")
            html = pdf.render_html(ctx)
            rendered = pdf.html_to_pdf(html, roots)
            ends.append(time.perf_counter() - t0)
            db.session.remove()
            t1 = time.perf_counter()
            pdf.html_to_pdf(html, roots)
            alone.append(time.perf_counter() - t1)
        e2e, wp = statistics.median(ends), statistics.median(alone)
        print(f"location {location_id}: {visits} approved visits in {args.months} months")
        print(f"end-to-end median of {args.repeat}: {e2e:.3f} s")
        print(f"WeasyPrint alone, same HTML:     {wp:.3f} s")
        print(f"ratio: {e2e / wp:.2f}")
        print(f"pages: {rendered.pages}, bytes: {len(rendered.data)}")
        ids = db.session.execute(select(Location.id, Location.code)).all()
        db.session.remove()
    out = tmp / "out"
    out.mkdir()
    jobs = [batch.Job(i, code, period, str(out), "en") for i, code in ids]
    t0 = time.perf_counter()
    result = batch.run_pool(jobs, batch.portable_config(app.config), workers=args.workers)
    elapsed = time.perf_counter() - t0
    peak = max(r.peak_rss_mb for r in result.done)
    print(
        f"batch: {len(result.done)} PDFs ({len(result.failed)} failed) on {args.workers} workers "
        f"in {elapsed:.1f} s = {len(result.done) / elapsed:.2f} PDFs/s"
    )
    print(f"peak worker RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
