"""Benchmark of the report PDFs: end-to-end vs WeasyPrint alone, pages, memory, batch rate.

Run: .venv/bin/python bench/reports.py [--locations 200] [--months 12] [--repeat 10]
Seeds demo data into a temporary SQLite database plus one bench location with 10 approved
visits a month for 12 months, each with a photo, then:
- end-to-end render (data + view-model + HTML + PDF) of the bench location's report for the
  last month (its visit log, 12-month trend), median of N, against WeasyPrint alone on the
  same HTML in the same run, and their ratio;
- page count, peak RSS of a pool worker;
- batch: every location in a process pool over 2 workers, PDFs per second.
"""

from __future__ import annotations

import argparse
import gc
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
    from sqlalchemy import select

    from audit_app import create_app
    from audit_app.checklists import load_directory
    from audit_app.extensions import db
    from audit_app.models import Location
    from audit_app.reports import batch, data, pdf, service
    from audit_app.services.checklists import sync_checklists
    from audit_app.services.demo import seed_demo

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"], "PHOTO_DIR": str(tmp / "photos")}
    )
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        sync_checklists(load_directory(app.config["CHECKLISTS_DIR"]))
        seed_demo(7, args.locations, args.months, date(2026, 10, 1))
        print(f"seeded {args.locations} locations in {time.perf_counter() - started:.0f} s")
        location_id, visits = bench_location(args.months, 10)
        period = "2026-10"
        gc.freeze()  # as a pool or Celery worker does once started (batch.init_worker)
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
    for failure in sorted({r.error for r in result.failed}):
        print(f"failed: {failure}")
    peak = max(r.peak_rss_mb for r in result.done)
    print(
        f"batch: {len(result.done)} PDFs ({len(result.failed)} failed) on {args.workers} workers "
        f"in {elapsed:.1f} s = {len(result.done) / elapsed:.2f} PDFs/s"
    )
    print(f"peak worker RSS: {peak:.0f} MB")


def bench_location(months: int, per_month: int) -> tuple[int, int]:
    """A location with `per_month` approved visits a month, each with its own photo."""
    import io
    import random
    import uuid

    from PIL import Image
    from sqlalchemy import select, update

    from audit_app.database import write_transaction
    from audit_app.extensions import db
    from audit_app.models import Area, ChecklistVersion, Location, Photo, Role, User, Visit
    from audit_app.models import VisitStatus as Status
    from audit_app.services.demo import PROFILES, seed_history
    from audit_app.services.photos import store_photo

    rng = random.Random(11)
    area = db.session.scalars(select(Area).order_by(Area.id)).first()
    with write_transaction() as session:
        location = Location(
            code="BENCH-120", name="Bench Central", address="1 Bench Street",
            latitude=3.15, longitude=101.71, timezone="Asia/Kuala_Lumpur", area_id=area.id,
        )  # fmt: skip
        session.add(location)
    version = db.session.scalars(select(ChecklistVersion).order_by(ChecklistVersion.id)).first()
    shoppers = list(db.session.scalars(select(User).where(User.role == Role.SHOPPER)))
    visits = seed_history(
        rng, version, location, PROFILES[2], shoppers, months, date(2026, 10, 1), per_month
    )
    for visit in visits:
        pixels = Image.effect_noise((800, 600), rng.uniform(20, 90)).convert("RGB")
        buffer = io.BytesIO()
        pixels.save(buffer, "JPEG", quality=80)
        shopper = db.session.get(User, visit.shopper_id)
        photo, _ = store_photo(shopper, uuid.UUID(int=rng.getrandbits(128)), buffer.getvalue())
        with write_transaction() as session:
            session.execute(update(Photo).where(Photo.id == photo.id).values(visit_id=visit.id))
            session.execute(
                update(Visit).where(Visit.id == visit.id).values(status=Status.APPROVED)
            )
    return location.id, len(visits)


if __name__ == "__main__":
    main()
