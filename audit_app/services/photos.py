"""Visit photos: checked, re-encoded without metadata, stored once by content hash.

An upload is idempotent by the phone's photo UUID: the same UUID with the same bytes returns
the stored photo, with other bytes it is a conflict. The type is sniffed from the bytes
(JPEG, PNG or WebP only), never trusted from the file name or header. Every file is written
to a temporary name and renamed into place, so a full disk never leaves half a photo, and the
database row is added only once both the photo and its thumbnail are on disk.
"""

from __future__ import annotations

import errno
import hashlib
import io
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from .. import files
from ..database import write_transaction
from ..extensions import db
from ..models import Photo, Role, User, Visit
from . import scope
from .errors import Conflict, DomainError, Invalid, NotFound

FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 85
THUMB_QUALITY = 80


class StorageUnavailable(DomainError):
    """The photo could not be written; nothing was stored. `full` when the disk is full."""

    def __init__(self, message: str, full: bool):
        super().__init__(message)
        self.full = full


@dataclass(frozen=True)
class Encoded:
    """A photo re-encoded for storage, with its thumbnail."""

    data: bytes
    sha256: str
    width: int
    height: int
    original_format: str
    thumb: bytes
    thumb_size: tuple[int, int]


def photo_dir() -> Path:
    """Where photos live: PHOTO_DIR, or the instance folder's photos/ by default."""
    configured = current_app.config.get("PHOTO_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "photos"


def photo_path(sha256: str, thumbnail: bool = False) -> Path:
    """The file of a stored photo (or of its thumbnail), fanned out by the hash's first byte."""
    kind = "thumbs" if thumbnail else "full"
    return photo_dir() / kind / sha256[:2] / f"{sha256}.jpg"


def encode(data: bytes) -> Encoded:
    """Check an uploaded image and re-encode it as a JPEG without EXIF, plus a thumbnail.

    Raises Invalid with a `file` error when the bytes are not a usable JPEG, PNG or WebP.
    """
    cfg = current_app.config
    if not data:
        raise Invalid("the photo is empty", {"file": "the file is empty"})
    if len(data) > cfg["PHOTO_MAX_BYTES"]:
        raise Invalid(
            "the photo is too large",
            {"file": f"must be at most {cfg['PHOTO_MAX_BYTES'] // (1024 * 1024)} MB"},
        )
    with warnings.catch_warnings():
        # an image claiming billions of pixels is refused, never decoded
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            original_format = image.format or "?"
            if image.width * image.height > cfg["PHOTO_MAX_PIXELS"]:
                raise Invalid(
                    "the photo has too many pixels",
                    {"file": f"{image.width}x{image.height} px is more than allowed"},
                )
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise Invalid(
                "the photo has too many pixels", {"file": "the image has too many pixels"}
            ) from None
        except UnidentifiedImageError:
            raise Invalid(
                "not a supported image", {"file": "must be a JPEG, PNG or WebP image"}
            ) from None
        except (OSError, SyntaxError, ValueError) as exc:
            raise Invalid(
                "the image is damaged", {"file": f"the image is damaged: {exc}"}
            ) from None
    image = _upright_rgb(image)
    image.thumbnail((cfg["PHOTO_MAX_SIDE"], cfg["PHOTO_MAX_SIDE"]), Image.Resampling.LANCZOS)
    full = _jpeg(image, JPEG_QUALITY)
    thumb_image = image.copy()
    side = cfg["PHOTO_THUMB_SIDE"]
    thumb_image.thumbnail((side, side), Image.Resampling.LANCZOS)
    return Encoded(
        data=full,
        sha256=hashlib.sha256(full).hexdigest(),
        width=image.width,
        height=image.height,
        original_format=original_format,
        thumb=_jpeg(thumb_image, THUMB_QUALITY),
        thumb_size=thumb_image.size,
    )


def _upright_rgb(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation (EXIF itself is dropped) and flatten to RGB on white."""
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    # no exif= and no comment: nothing about the phone or the place survives re-encoding
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file whole or not at all: a temporary file in the same folder, then a rename."""
    if path.exists():
        return  # named by its content hash: an existing file already holds these bytes
    try:
        files.write_atomically(path, data, prefix=".upload-")
    except OSError as exc:
        raise _storage_error(exc) from exc


def _storage_error(exc: OSError) -> StorageUnavailable:
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    current_app.logger.error("photo storage failed: %s", exc)
    if full:
        return StorageUnavailable(
            "the server's photo storage is full; nothing was stored, try again later", True
        )
    return StorageUnavailable(
        "the server could not write the photo; nothing was stored, try again later", False
    )


def store_photo(shopper: User, client_uuid: uuid.UUID, data: bytes) -> tuple[Photo, bool]:
    """Store an uploaded photo once; return (photo, created).

    The same UUID with the same bytes returns the stored photo; with other bytes it is a
    Conflict. A concurrent duplicate loses on the unique constraint and is answered like a
    retry.
    """
    upload_sha256 = hashlib.sha256(data).hexdigest()
    existing = _find(shopper.id, client_uuid)
    if existing is not None:
        return _replay(existing, upload_sha256), False
    encoded = encode(data)
    write_atomically(photo_path(encoded.sha256), encoded.data)
    write_atomically(photo_path(encoded.sha256, thumbnail=True), encoded.thumb)
    photo = Photo(
        client_uuid=client_uuid,
        shopper_id=shopper.id,
        upload_sha256=upload_sha256,
        sha256=encoded.sha256,
        original_format=encoded.original_format,
        width=encoded.width,
        height=encoded.height,
        size_bytes=len(encoded.data),
        thumb_width=encoded.thumb_size[0],
        thumb_height=encoded.thumb_size[1],
    )
    try:
        with write_transaction() as session:
            session.add(photo)
    except IntegrityError:
        existing = _find(shopper.id, client_uuid)
        if existing is None:
            raise
        return _replay(existing, upload_sha256), False
    # the retention cleanup may have deleted this image's files (removed with an old visit's
    # photo) after the writes above found them present and before this row was stored: it
    # checks for photos still using a file under a lock this insert waits for, so a second
    # look now is enough (a no-op when the files are there)
    write_atomically(photo_path(encoded.sha256), encoded.data)
    write_atomically(photo_path(encoded.sha256, thumbnail=True), encoded.thumb)
    return photo, True


def _find(shopper_id: int, client_uuid: uuid.UUID) -> Photo | None:
    return db.session.scalar(
        select(Photo).where(Photo.shopper_id == shopper_id, Photo.client_uuid == client_uuid)
    )


def _replay(existing: Photo, upload_sha256: str) -> Photo:
    if existing.upload_sha256 != upload_sha256:
        raise Conflict(
            f"photo {existing.client_uuid} was already uploaded with different content; "
            "give a new photo a new UUID"
        )
    return existing


def photos_by_uuid(shopper_id: int, uuids: set[uuid.UUID]) -> dict[uuid.UUID, Photo]:
    """The shopper's uploaded photos among these UUIDs."""
    if not uuids:
        return {}
    rows = db.session.scalars(
        select(Photo).where(Photo.shopper_id == shopper_id, Photo.client_uuid.in_(uuids))
    )
    return {p.client_uuid: p for p in rows}


def reused_elsewhere(photos: list[Photo], visit_id: int | None) -> list[tuple[Photo, int]]:
    """(photo, other visit id) for each photo whose image was already used in another visit."""
    if not photos:
        return []
    hashes = {p.sha256 for p in photos}
    uploads = {p.upload_sha256 for p in photos}
    query = select(Photo.sha256, Photo.upload_sha256, Photo.visit_id).where(
        Photo.visit_id.is_not(None),
        or_(Photo.sha256.in_(hashes), Photo.upload_sha256.in_(uploads)),
    )
    if visit_id is not None:
        query = query.where(Photo.visit_id != visit_id)
    others = db.session.execute(query.order_by(Photo.visit_id)).all()
    found = []
    for photo in photos:
        match = next(
            (
                row.visit_id
                for row in others
                if row.sha256 == photo.sha256 or row.upload_sha256 == photo.upload_sha256
            ),
            None,
        )
        if match is not None:
            found.append((photo, match))
    return found


def visible_photo(photo_id: int, user: User) -> Photo:
    """A photo the user may see: their own upload, or one of a visit in their scope."""
    photo = db.session.get(Photo, photo_id)
    if photo is None:
        raise NotFound(f"no photo with id {photo_id}")
    if photo.shopper_id == user.id or user.role == Role.ADMIN:
        return photo
    if photo.visit_id is not None and user.role != Role.SHOPPER:
        allowed = db.session.scalar(
            select(Visit.id).where(Visit.id == photo.visit_id, scope.visits(user))
        )
        if allowed is not None:
            return photo
    raise NotFound(f"no photo with id {photo_id}")


def photos_of_visit(visit_id: int) -> list[Photo]:
    """The photos linked to a visit, in upload order."""
    return list(
        db.session.scalars(
            select(Photo).where(Photo.visit_id == visit_id).order_by(Photo.uploaded_at, Photo.id)
        )
    )
