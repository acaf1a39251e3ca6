"""Locations that can be visited."""

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Location
from .schemas import LocationOut

blp = Blueprint("locations", __name__, url_prefix="/locations", description="Locations")


@blp.route("")
class Locations(MethodView):
    @blp.response(200, LocationOut(many=True))
    def get(self):
        """List active locations with their area."""
        return db.session.scalars(
            select(Location)
            .where(Location.active.is_(True))
            .options(joinedload(Location.area))
            .order_by(Location.code)
        ).all()
