"""Visit submission (idempotent by the phone's UUID) and retrieval with scores."""

from flask.views import MethodView
from flask_smorest import Blueprint

from ..services import visits as visit_service
from .schemas import VisitIn, VisitOut

blp = Blueprint("visits", __name__, url_prefix="/visits", description="Visits")


@blp.route("")
class Visits(MethodView):
    @blp.arguments(VisitIn)
    @blp.response(201, VisitOut, description="Stored and scored")
    @blp.alt_response(200, schema=VisitOut, description="Already stored: the same content again")
    @blp.alt_response(409, description="Same client_uuid, different content")
    @blp.alt_response(422, description="Invalid fields, each named by its path")
    def post(self, payload):
        """Submit a visit; resending the same visit returns the stored one."""
        visit, created = visit_service.submit_visit(payload, payload["shopper_ref"])
        return visit, 201 if created else 200


@blp.route("/<int:visit_id>")
class VisitDetail(MethodView):
    @blp.response(200, VisitOut)
    def get(self, visit_id: int):
        """Get a visit with its item, section and overall scores."""
        return visit_service.get_visit(visit_id)
