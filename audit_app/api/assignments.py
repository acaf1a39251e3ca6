"""Assignments: scheduled visits."""

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..auth.access import allow
from ..models import Role
from ..services import assignments as service
from .schemas import AssignmentIn, AssignmentOut

blp = Blueprint("assignments", __name__, url_prefix="/assignments", description="Assignments")
PLANNERS = (Role.ADMIN, Role.AREA_MANAGER)


class AssignmentQuery(Schema):
    upcoming = fields.Boolean(load_default=False)


@blp.route("")
class Assignments(MethodView):
    @allow(Role.SHOPPER, *PLANNERS, Role.REVIEWER)
    @blp.arguments(AssignmentQuery, location="query")
    @blp.response(200, AssignmentOut(many=True))
    def get(self, query):
        """List assignments: a shopper's own, an area manager's areas', or all."""
        return service.list_assignments(current_user, upcoming=query["upcoming"])

    @allow(*PLANNERS)
    @blp.arguments(AssignmentIn)
    @blp.response(201, AssignmentOut)
    def post(self, data):
        """Schedule a visit for a shopper at a location in your scope."""
        return service.create_assignment(service.AssignmentInput(**data), current_user)


@blp.route("/<int:assignment_id>")
class AssignmentDetail(MethodView):
    @allow(Role.SHOPPER, *PLANNERS, Role.REVIEWER)
    @blp.response(200, AssignmentOut)
    def get(self, assignment_id: int):
        """Get one assignment you may see."""
        return service.get_assignment(assignment_id, current_user)


@blp.route("/<int:assignment_id>/cancel")
class Cancel(MethodView):
    @allow(*PLANNERS)
    @blp.response(200, AssignmentOut)
    def post(self, assignment_id: int):
        """Cancel an open assignment."""
        return service.cancel_assignment(assignment_id, current_user)
