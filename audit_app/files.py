"""Files written whole or not at all (PDFs, photos)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes, prefix: str | None = None) -> None:
    """Write a file so that it is either complete or absent: a temporary file in the same
    folder (named `prefix`..., default `.<name>.`...), fsync, rename. On any failure the
    temporary file is removed (if it can be) and the error raised."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix or f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            Path(tmp).unlink(missing_ok=True)
        except OSError:
            pass  # the original error matters more; a stray .tmp is cleaned up later
        raise
