"""Locations that can be visited."""

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.access import EVERY_ROLE, allow
from ..extensions import db
from ..models import Location
from ..services import scope
from .schemas import LocationOut

blp = Blueprint("locations", __name__, url_prefix="/locations", description="Locations")


@blp.route("")
class Locations(MethodView):
    @allow(*EVERY_ROLE)
    @blp.response(200, LocationOut(many=True))
    def get(self):
        """List the active locations you may see, with their area."""
        return db.session.scalars(
            select(Location)
            .where(Location.active.is_(True), scope.locations(current_user))
            .options(joinedload(Location.area))
            .order_by(Location.code)
        ).all()
