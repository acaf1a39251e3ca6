"""Visits: idempotent submission, scoped reading, review and corrections."""

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from ..auth.access import EVERY_ROLE, allow
from ..models import Role
from ..services import review
from ..services import visits as visit_service
from .schemas import (
    AuditOut,
    CorrectionIn,
    ReturnIn,
    VisitIn,
    VisitOut,
    VisitQuery,
    VisitSummaryOut,
)

blp = Blueprint("visits", __name__, url_prefix="/visits", description="Visits")
REVIEWERS = (Role.ADMIN, Role.REVIEWER)


@blp.route("")
class Visits(MethodView):
    @allow(Role.SHOPPER)
    @blp.arguments(VisitIn)
    @blp.response(201, VisitOut, description="Stored and scored")
    @blp.alt_response(200, schema=VisitOut, description="Already stored: the same content again")
    @blp.alt_response(409, description="Same client_uuid, different content")
    @blp.alt_response(422, description="Invalid fields, each named by its path")
    def post(self, payload):
        """Submit a visit; resending the same visit returns the stored one."""
        visit, created = visit_service.submit_visit(payload, current_user)
        return visit, 201 if created else 200

    @allow(*EVERY_ROLE)
    @blp.arguments(VisitQuery, location="query")
    @blp.response(200, VisitSummaryOut(many=True))
    def get(self, query):
        """List the visits you may see, newest first."""
        return visit_service.list_visits(current_user, **query)


@blp.route("/<int:visit_id>")
class VisitDetail(MethodView):
    @allow(*EVERY_ROLE)
    @blp.response(200, VisitOut)
    def get(self, visit_id: int):
        """Get a visit with its item, section and overall scores."""
        return visit_service.get_visit(visit_id, current_user)


@blp.route("/<int:visit_id>/approve")
class Approve(MethodView):
    @allow(*REVIEWERS)
    @blp.response(200, VisitOut)
    @blp.alt_response(409, description="Not waiting for review")
    def post(self, visit_id: int):
        """Approve a submitted visit: it then counts in analytics and reports."""
        return review.approve(visit_id, current_user)


@blp.route("/<int:visit_id>/return")
class Return(MethodView):
    @allow(*REVIEWERS)
    @blp.arguments(ReturnIn)
    @blp.response(200, VisitOut)
    @blp.alt_response(409, description="Not waiting for review")
    def post(self, data, visit_id: int):
        """Return a submitted visit to its shopper with a comment."""
        return review.return_to_shopper(visit_id, current_user, data["comment"])


@blp.route("/<int:visit_id>/corrections")
class Corrections(MethodView):
    @allow(*REVIEWERS)
    @blp.arguments(CorrectionIn)
    @blp.response(200, VisitOut)
    def post(self, data, visit_id: int):
        """Correct one answer with a reason; scores are recomputed and the change logged."""
        return review.correct_answer(
            visit_id, current_user, data["item_id"], data["value"], data["na"], data["reason"]
        )


@blp.route("/<int:visit_id>/history")
class History(MethodView):
    @allow(*REVIEWERS)
    @blp.response(200, AuditOut(many=True))
    def get(self, visit_id: int):
        """The visit's audit trail: resubmissions, corrections, decisions."""
        visit_service.get_visit(visit_id, current_user)
        return review.history(visit_id)
