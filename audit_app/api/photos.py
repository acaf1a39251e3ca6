"""Visit photos: idempotent upload from the phone; the stored files for those who may see them."""

import io

from flask import current_app, send_file
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


@blp.route("/<int:photo_id>")
class PhotoDetail(MethodView):
    @allow(*EVERY_ROLE)
    @blp.response(200, description="The photo as a JPEG")
    def get(self, photo_id: int):
        """Get a photo you may see: your own, or one of a visit in your scope."""
        return _send(service.visible_photo(photo_id, current_user), thumbnail=False)


@blp.route("/<int:photo_id>/thumbnail")
class PhotoThumbnail(MethodView):
    @allow(*EVERY_ROLE)
    @blp.response(200, description="The thumbnail as a JPEG")
    def get(self, photo_id: int):
        """Get a photo's thumbnail (at most PHOTO_THUMB_SIDE px)."""
        return _send(service.visible_photo(photo_id, current_user), thumbnail=True)


def _send(photo: Photo, thumbnail: bool):
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
