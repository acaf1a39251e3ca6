"""Checklist versions, as the phone caches them."""

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from ..auth.access import AUTHENTICATED, allow
from ..extensions import db
from ..models import ChecklistVersion
from ..services.checklists import latest_versions
from .schemas import ChecklistDetailOut, ChecklistSummaryOut

blp = Blueprint("checklists", __name__, url_prefix="/checklists", description="Checklists")


@blp.route("")
class Checklists(MethodView):
    @allow(AUTHENTICATED)
    @blp.response(200, ChecklistSummaryOut(many=True))
    def get(self):
        """List checklists: the latest version of each, with all versions."""
        out = []
        for latest in latest_versions():
            versions = db.session.scalars(
                select(ChecklistVersion)
                .where(ChecklistVersion.key == latest.key)
                .order_by(ChecklistVersion.version.desc())
            ).all()
            out.append({"latest": latest, "versions": versions})
        return out


@blp.route("/<string:key>/versions/<string:ref>")
class ChecklistVersionView(MethodView):
    @allow(AUTHENTICATED)
    @blp.response(200, ChecklistDetailOut)
    def get(self, key: str, ref: str):
        """Get one version by number, content hash or 'latest', with every text."""
        query = select(ChecklistVersion).where(ChecklistVersion.key == key)
        if ref == "latest":
            query = query.order_by(ChecklistVersion.version.desc()).limit(1)
        elif ref.isdigit():
            query = query.where(ChecklistVersion.version == int(ref))
        else:
            query = query.where(ChecklistVersion.content_hash == ref)
        version = db.session.scalar(query)
        if version is None:
            abort(404, message=f"checklist '{key}' has no version '{ref}'")
        return version
