"""Backups: the database (SQLite online backup or pg_dump) and stored files in one archive."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from ..extensions import db

FORMAT = 1


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    counts: dict[str, int]
    files: int


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why."""


def table_counts() -> dict[str, int]:
    """Rows per table, to check a restore brought everything back."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _libpq_url(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def create_backup(out: Path, files_dir: Path | None) -> BackupInfo:
    """Write a .tar.gz with manifest.json, the database and the stored files."""
    url = db.engine.url
    counts = table_counts()
    db.session.remove()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if url.get_backend_name() == "sqlite":
            dump = work / "database.sqlite"
            source = sqlite3.connect(url.database)
            target = sqlite3.connect(dump)
            with target:
                source.backup(target)  # consistent copy while the app keeps running
            source.close()
            target.close()
        elif url.get_backend_name() == "postgresql":
            dump = work / "database.pgdump"
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--file",
                    str(dump),
                    "--dbname",
                    _libpq_url(url),
                ]
            )
        else:
            raise BackupError(
                f"backups support SQLite and PostgreSQL, not {url.get_backend_name()}"
            )
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(),
            "database": url.get_backend_name(),
            "dump": dump.name,
            "counts": counts,
        }
        partial = out.with_name(out.name + ".partial")
        file_count = 0
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
            archive.add(dump, arcname=dump.name)
            if files_dir and files_dir.is_dir():
                for path in sorted(files_dir.rglob("*")):
                    if path.is_file():
                        archive.add(path, arcname=f"files/{path.relative_to(files_dir)}")
                        file_count += 1
        os.replace(partial, out)  # never leave a half-written archive under the real name
    return BackupInfo(out, counts, file_count)


def restore_backup(archive_path: Path, files_dir: Path | None) -> BackupInfo:
    """Replace the database and stored files with an archive's, then check the row counts."""
    url = db.engine.url
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        try:
            with tarfile.open(archive_path, "r:gz") as archive:
                archive.extractall(work, filter="data")
        except (OSError, tarfile.TarError) as exc:
            raise BackupError(f"{archive_path}: not a readable backup archive ({exc})") from None
        try:
            manifest = json.loads((work / "manifest.json").read_text())
        except (OSError, ValueError):
            raise BackupError(f"{archive_path}: manifest.json is missing or invalid") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{archive_path}: unknown backup format {manifest.get('format')}")
        if manifest["database"] != url.get_backend_name():
            raise BackupError(
                f"{archive_path}: a {manifest['database']} backup cannot be "
                f"restored into {url.get_backend_name()}"
            )
        dump = work / manifest["dump"]
        db.session.remove()
        db.engine.dispose()
        if manifest["database"] == "sqlite":
            _restore_sqlite(dump, Path(url.database))
        else:
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--dbname",
                    _libpq_url(url),
                    str(dump),
                ]
            )
        file_count = 0
        if files_dir is not None and (work / "files").is_dir():
            file_count = _swap_files(work / "files", files_dir)
    counts = table_counts()
    if counts != manifest["counts"]:
        raise BackupError(
            f"restored row counts differ from the backup: {counts} != {manifest['counts']}"
        )
    return BackupInfo(archive_path, counts, file_count)


def _restore_sqlite(dump: Path, target: Path) -> None:
    staged = target.with_name(target.name + ".restoring")
    shutil.copyfile(dump, staged)
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    os.replace(staged, target)


def _swap_files(source: Path, target: Path) -> int:
    """Put the archive's files in place of the current ones (old set kept until done)."""
    staged = target.with_name(target.name + ".restoring")
    shutil.rmtree(staged, ignore_errors=True)
    shutil.copytree(source, staged)
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(staged, target)
    shutil.rmtree(old, ignore_errors=True)
    return sum(1 for p in target.rglob("*") if p.is_file())


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def _run(command: list[str]) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools)") from None
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip().splitlines()[-1:]}")


def url_for_display(url) -> str:
    return make_url(str(url)).render_as_string(hide_password=True)
