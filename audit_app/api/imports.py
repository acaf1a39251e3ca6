"""Import a backup file of pending visits exported by the shopper's app."""

import json

from flask import current_app, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..auth.access import allow
from ..models import Role
from ..services import imports as service
from ..services.errors import Invalid
from .schemas import ShopperOut, VisitIn

blp = Blueprint(
    "imports", __name__, url_prefix="/imports", description="Backup files from the shopper's app"
)


@blp.url_value_preprocessor
def allow_large_files(_endpoint, _values):
    """A backup carries its photos: allow IMPORT_MAX_BYTES here, before anything reads the body.

    URL value preprocessors run before every before_request hook (the CSRF check reads the
    form), so the larger limit is in place when the body is parsed.
    """
    request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]


class ImportResultOut(Schema):
    index = fields.Integer(metadata={"description": "Position of the visit in the file"})
    client_uuid = fields.String(allow_none=True)
    status = fields.String(
        metadata={"description": "created | already_stored | conflict | invalid | failed"}
    )
    message = fields.String()
    visit_id = fields.Integer(allow_none=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Field path -> messages"},
    )


class ImportReportOut(Schema):
    shopper = fields.Nested(ShopperOut)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    results = fields.List(fields.Nested(ImportResultOut))


REQUEST_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "shopper_email": {
                        "type": "string",
                        "description": "Admins: whose visits these are (else the file says)",
                    },
                },
                "required": ["file"],
            }
        },
        "application/json": {
            "schema": {
                "type": "object",
                "description": "The backup document itself: format, version, user, visits",
            }
        },
    },
}


@blp.route("")
class Imports(MethodView):
    @allow(Role.SHOPPER, Role.ADMIN)
    @blp.doc(requestBody=REQUEST_BODY)
    @blp.response(200, ImportReportOut)
    @blp.alt_response(413, description="The file is larger than IMPORT_MAX_BYTES")
    @blp.alt_response(422, description="Not a backup file, or not yours")
    def post(self):
        """Import a backup file (multipart `file`, or the JSON itself); a report per visit.

        Visits and photos follow the live upload's idempotency rules, so a file can be
        imported again safely. Admins may import for the shopper the file names, or for
        `shopper_email`.
        """
        upload = request.files.get("file")
        try:
            raw = upload.read() if upload is not None else request.get_data()
            document = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Invalid(
                "the file is not valid JSON", {"file": f"not a JSON backup file: {exc}"}
            ) from None
        email = request.form.get("shopper_email") or request.args.get("shopper_email")
        return service.import_backup(document, current_user, VisitIn().load, email)
