"""Visit photos: idempotent upload from the phone; the stored files for those who may see them."""

import io

from flask import current_app, request, send_file
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from flask_smorest.fields import Upload
from marshmallow import Schema, fields
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import HTTPException

from ..auth.access import EVERY_ROLE, allow
from ..models import Photo, Role
from ..services import photos as service
from ..services.retention import REMOVED_MESSAGE
from .schemas import StrictSchema

# one multipart body: its form fields and files read together, as one schema
multipart_parser = FlaskParser()


@multipart_parser.location_loader("multipart")
def _load_multipart(request, schema):
    return MultiDictProxy(CombinedMultiDict([request.form, request.files]), schema)


class MultipartBlueprint(Blueprint):
    """A blueprint whose arguments may mix form fields and files (one multipart requestBody)."""

    ARGUMENTS_PARSER = multipart_parser
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }


blp = MultipartBlueprint("photos", __name__, url_prefix="/photos", description="Visit photos")


class PhotoUploadIn(StrictSchema):
    uuid = fields.UUID(
        required=True, metadata={"description": "Made on the phone; the upload's idempotency key"}
    )
    file = Upload(required=True, metadata={"description": "A JPEG, PNG or WebP image"})


class PhotoOut(Schema):
    id = fields.Integer()
    uuid = fields.UUID(attribute="client_uuid")
    sha256 = fields.String(metadata={"description": "Hash of the stored JPEG (its file name)"})
    width = fields.Integer()
    height = fields.Integer()
    size_bytes = fields.Integer()
    original_format = fields.String()
    content_type = fields.Constant("image/jpeg")
    visit_id = fields.Integer(allow_none=True)
    item_id = fields.String(allow_none=True)
    uploaded_at = fields.DateTime()
    removed_at = fields.DateTime(
        allow_none=True,
        metadata={"description": "When the retention policy deleted the files (then 410)"},
    )
    url = fields.Function(lambda p: f"/api/v1/photos/{p.id}")
    thumbnail_url = fields.Function(lambda p: f"/api/v1/photos/{p.id}/thumbnail")


class InsufficientStorage(HTTPException):
    """507: werkzeug has no exception for it."""

    code = 507
    description = "The server's storage is full."


def _storage_failed(error: service.StorageUnavailable):
    if not error.full:
        abort(503, message=error.message)
    exc = InsufficientStorage()
    exc.data = {"message": error.message}
    raise exc


@blp.route("")
class Photos(MethodView):
    @allow(Role.SHOPPER)
    @blp.arguments(PhotoUploadIn, location="multipart")
    @blp.response(201, PhotoOut, description="Stored")
    @blp.alt_response(200, schema=PhotoOut, description="Already stored: the same photo again")
    @blp.alt_response(409, description="Same photo UUID, different bytes")
    @blp.alt_response(422, description="Not a JPEG, PNG or WebP image, or too large")
    @blp.alt_response(503, description="The server could not write the file; nothing stored")
    @blp.alt_response(507, description="The server's storage is full; nothing stored")
    def post(self, upload):
        """Upload a visit photo; EXIF is removed and the image stored once by its hash."""
        limit = current_app.config["PHOTO_MAX_BYTES"]
        data = upload["file"].read(limit + 1)
        try:
            photo, created = service.store_photo(current_user, upload["uuid"], data)
        except service.StorageUnavailable as error:
            _storage_failed(error)
        return photo, 201 if created else 200


REMOVED_GONE = (
    "Removed under the retention policy: a placeholder image (SVG) saying so, or JSON for "
    "a client that prefers application/json"
)
# what an <img> shows instead of a removed photo: no broken image, and the reason
REMOVED_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="320" height="320" \
viewBox="0 0 96 96" role="img" aria-label="Photo removed under the retention policy">\
<title>Photo removed under the retention policy</title>\
<rect width="96" height="96" fill="#eceff1"/>\
<g font-family="sans-serif" font-size="9" text-anchor="middle" fill="#37474f">\
<text x="48" y="34">Photo removed</text><text x="48" y="47">under the</text>\
<text x="48" y="60">retention</text><text x="48" y="73">policy</text></g></svg>
"""


@blp.route("/<int:photo_id>")
class PhotoDetail(MethodView):
    @allow(*EVERY_ROLE)
    @blp.response(200, description="The photo as a JPEG")
    @blp.alt_response(410, description=REMOVED_GONE)
    def get(self, photo_id: int):
        """Get a photo you may see: your own, or one of a visit in your scope."""
        return _send(service.visible_photo(photo_id, current_user), thumbnail=False)


@blp.route("/<int:photo_id>/thumbnail")
class PhotoThumbnail(MethodView):
    @allow(*EVERY_ROLE)
    @blp.response(200, description="The thumbnail as a JPEG")
    @blp.alt_response(410, description=REMOVED_GONE)
    def get(self, photo_id: int):
        """Get a photo's thumbnail (at most PHOTO_THUMB_SIDE px)."""
        return _send(service.visible_photo(photo_id, current_user), thumbnail=True)


def _removed(photo: Photo):
    """410 Gone: a placeholder image for browsers, JSON for clients that prefer it."""
    accept = request.accept_mimetypes
    if accept["application/json"] > accept["image/svg+xml"]:
        abort(410, message=f"{REMOVED_MESSAGE} on {photo.removed_at:%Y-%m-%d}")
    response = current_app.response_class(REMOVED_SVG, 410, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-cache"
    return response


def _send(photo: Photo, thumbnail: bool):
    if photo.removed_at is not None:
        return _removed(photo)
    path = service.photo_path(photo.sha256, thumbnail=thumbnail)
    if not path.is_file():
        current_app.logger.error("photo %s: file %s is missing", photo.id, path)
        abort(404, message=f"the file of photo {photo.id} is missing on the server")
    etag = f"{photo.sha256}-thumb" if thumbnail else photo.sha256
    # read whole (a few hundred KB at most): no open file is left to a client that never
    # closes the response
    response = send_file(
        io.BytesIO(path.read_bytes()), mimetype="image/jpeg", conditional=True, etag=etag
    )
    # a photo id always names the same bytes; private: only people with access fetch it
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
