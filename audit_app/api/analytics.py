"""Consistency analytics as JSON: the figures of the dashboard, for other tools.

The same selection arguments as the pages (checklist, period or from/to, trend, area) and
the same scope: area managers get their areas, branch managers their own location only.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from ..analytics import compare
from ..analytics.report import Subject, build, overview_subject
from ..analytics.selection import (
    OutOfScope,
    Selection,
    SelectionError,
    resolve,
    visible_location,
)
from ..auth.access import allow
from ..models import Role

blp = Blueprint(
    "analytics",
    __name__,
    url_prefix="/analytics",
    description="Consistency analytics over approved visits (docs/analytics.md)",
)
MANAGERS = (Role.ADMIN, Role.REVIEWER, Role.AREA_MANAGER)
READERS = (*MANAGERS, Role.BRANCH_MANAGER)


# ---- query arguments -------------------------------------------------------------------------


class AnalyticsQuery(Schema):
    checklist = fields.String(
        metadata={"description": "Checklist key (default: that of the newest approved visit)"}
    )
    period = fields.String(
        metadata={
            "description": "2026-10 (month), 2026-Q4 (quarter) or 2026-08-01..2026-10-31; "
            "default: the three months up to the newest approved visit you may see"
        }
    )
    from_ = fields.Date(data_key="from", metadata={"description": "Custom range start (with to)"})
    to = fields.Date(metadata={"description": "Custom range end, inclusive (with from)"})
    trend = fields.String(validate=validate.OneOf(["month", "quarter"]))
    area = fields.Integer(metadata={"description": "Limit to one area you may see"})


class AnalyticsLocationQuery(AnalyticsQuery):
    class Meta:
        exclude = ("area",)


class AnalyticsCompareQuery(AnalyticsQuery):
    sort = fields.String(load_default="rank", validate=validate.OneOf(sorted(compare.SORTS)))
    dir = fields.String(validate=validate.OneOf(["asc", "desc"]))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))


# ---- response schemas ------------------------------------------------------------------------


class AnalyticsInterval(Schema):
    low = fields.Float()
    high = fields.Float()


class AnalyticsSummary(Schema):
    visits = fields.Integer(metadata={"description": "Approved visits"})
    n = fields.Integer(metadata={"description": "Visits with a score"})
    mean = fields.Float(allow_none=True)
    sd = fields.Float(allow_none=True, metadata={"description": "Sample standard deviation"})
    min = fields.Float(attribute="low", allow_none=True)
    max = fields.Float(attribute="high", allow_none=True)
    passes = fields.Integer()
    pass_rate = fields.Float(allow_none=True)
    critical = fields.Integer(metadata={"description": "Visits with a failed critical standard"})


class AnalyticsChange(Schema):
    difference = fields.Float(allow_none=True)
    interval = fields.Nested(AnalyticsInterval, allow_none=True)
    direction = fields.String(metadata={"description": "up, down, no_clear_change, ..."})


class AnalyticsDifference(Schema):
    difference = fields.Float(allow_none=True)
    interval = fields.Nested(AnalyticsInterval, allow_none=True)
    direction = fields.String(metadata={"description": "better, worse, no_clear_difference, ..."})


class AnalyticsCompliance(Schema):
    n = fields.Integer()
    met = fields.Integer(attribute="successes")
    rate = fields.Float(allow_none=True)
    interval = fields.Nested(AnalyticsInterval, allow_none=True)
    verdict = fields.String()


class AnalyticsStandard(Schema):
    id = fields.String(attribute="info.id")
    text = fields.String(attribute="info.text")
    section_id = fields.String(attribute="info.section_id")
    section = fields.String(attribute="info.section_title")
    dimension = fields.String(attribute="info.dimension", allow_none=True)
    critical = fields.Boolean(attribute="info.critical")
    share = fields.Float(
        attribute="info.share", allow_none=True, metadata={"description": "Share of the score"}
    )
    compliance = fields.Nested(AnalyticsCompliance)
    network_rate = fields.Float(allow_none=True)
    vs_network = fields.Nested(AnalyticsDifference, allow_none=True)
    area_rate = fields.Float(allow_none=True)
    vs_area = fields.Nested(AnalyticsDifference, allow_none=True)
    potential = fields.Float(
        allow_none=True, metadata={"description": "Score points to gain if always met"}
    )


class AnalyticsBreakdown(Schema):
    key = fields.String()
    label = fields.String()
    n = fields.Integer()
    value = fields.Float(allow_none=True)
    network_value = fields.Float(allow_none=True)


class AnalyticsTrendPoint(Schema):
    label = fields.String(attribute="bucket.label")
    start = fields.Date(attribute="bucket.start")
    end = fields.Date(attribute="bucket.end")
    subject = fields.Nested(AnalyticsSummary)
    network = fields.Nested(AnalyticsSummary)
    change = fields.Nested(AnalyticsChange, allow_none=True)


class AnalyticsSlot(Schema):
    key = fields.Integer()
    label = fields.String()
    subject = fields.Nested(AnalyticsSummary)
    network = fields.Nested(AnalyticsSummary)
    versus_rest = fields.Nested(AnalyticsChange)


class AnalyticsStanding(Schema):
    rank = fields.Integer(allow_none=True)
    of = fields.Integer()
    shrunk = fields.Float(allow_none=True)


class AnalyticsPeriod(Schema):
    key = fields.String()
    label = fields.String()
    kind = fields.String()
    start = fields.Date()
    end = fields.Date()


class AnalyticsThresholds(Schema):
    met_at = fields.Float()
    missed_below = fields.Float()
    min_n = fields.Integer()


class AnalyticsChecklist(Schema):
    key = fields.String()
    title = fields.String()
    latest_version = fields.Integer()
    pass_mark = fields.Float()


class AnalyticsSubject(Schema):
    kind = fields.String()
    name = fields.String()
    area_ids = fields.List(fields.Integer())
    location_id = fields.Integer(allow_none=True)
    code = fields.String()


class AnalyticsVisit(Schema):
    id = fields.Integer()
    local_date = fields.Date()
    local_hour = fields.Integer()
    score = fields.Float(allow_none=True)
    passed = fields.Boolean()
    critical_failed = fields.Boolean()


class AnalyticsReport(Schema):
    subject = fields.Nested(AnalyticsSubject)
    checklist = fields.Nested(AnalyticsChecklist)
    period = fields.Nested(AnalyticsPeriod, attribute="selection.period")
    previous_period = fields.Nested(AnalyticsPeriod)
    thresholds = fields.Nested(AnalyticsThresholds, attribute="selection.thresholds")
    summary = fields.Nested(AnalyticsSummary, attribute="headline.current")
    previous = fields.Nested(AnalyticsSummary, attribute="headline.previous")
    change = fields.Nested(AnalyticsChange, attribute="headline.change")
    pass_interval = fields.Nested(
        AnalyticsInterval, attribute="headline.pass_interval", allow_none=True
    )
    network = fields.Nested(AnalyticsSummary, attribute="headline.network")
    area = fields.Nested(AnalyticsSummary, attribute="headline.area", allow_none=True)
    enough = fields.Boolean(metadata={"description": "False: not enough visits for verdicts"})
    network_standing = fields.Nested(AnalyticsStanding, allow_none=True)
    area_standing = fields.Nested(AnalyticsStanding, allow_none=True)
    standards = fields.List(fields.Nested(AnalyticsStandard))
    focus = fields.List(
        fields.Nested(AnalyticsStandard),
        metadata={"description": "The standards whose improvement raises the score most"},
    )
    sections = fields.List(fields.Nested(AnalyticsBreakdown))
    dimensions = fields.List(fields.Nested(AnalyticsBreakdown))
    trend = fields.List(fields.Nested(AnalyticsTrendPoint))
    weekparts = fields.List(fields.Nested(AnalyticsSlot))
    dayparts = fields.List(fields.Nested(AnalyticsSlot))
    visits = fields.List(
        fields.Nested(AnalyticsVisit), metadata={"description": "A location's visits, newest first"}
    )


class AnalyticsCompareRow(Schema):
    location_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    area_id = fields.Integer()
    area = fields.String(attribute="area_name")
    active = fields.Boolean()
    summary = fields.Nested(AnalyticsSummary, attribute="moments")
    previous = fields.Nested(AnalyticsSummary)
    change = fields.Nested(AnalyticsChange, allow_none=True)
    standing = fields.Nested(AnalyticsStanding)
    trend = fields.List(fields.Float(allow_none=True), attribute="spark")
    sections = fields.Dict(keys=fields.String(), values=fields.Nested(AnalyticsSummary))


class AnalyticsBucket(Schema):
    label = fields.String()
    start = fields.Date()
    end = fields.Date()


class AnalyticsComparison(Schema):
    checklist = fields.Nested(AnalyticsChecklist, attribute="selection.checklist")
    period = fields.Nested(AnalyticsPeriod, attribute="selection.period")
    thresholds = fields.Nested(AnalyticsThresholds, attribute="selection.thresholds")
    sort = fields.String()
    dir = fields.String(attribute="direction")
    page = fields.Integer()
    pages = fields.Integer()
    count = fields.Integer()
    totals = fields.Nested(AnalyticsSummary)
    network = fields.Nested(AnalyticsSummary)
    trend_buckets = fields.List(fields.Nested(AnalyticsBucket), attribute="buckets")
    rows = fields.List(fields.Nested(AnalyticsCompareRow))


# ---- views -----------------------------------------------------------------------------------


def _selection(query: dict) -> Selection:
    args = {k: str(v) for k, v in query.items() if k not in ("sort", "dir", "page")}
    if "from_" in args:
        args["from"] = args.pop("from_")
    try:
        return resolve(args, current_user)
    except OutOfScope as exc:
        abort(404, message=str(exc))
    except SelectionError as exc:
        name = "from" if exc.field == "from_" else exc.field
        abort(422, message=exc.message, errors={"query": {name: [exc.message]}})


@blp.route("/overview")
class Overview(MethodView):
    @allow(*MANAGERS)
    @blp.arguments(AnalyticsQuery, location="query")
    @blp.response(200, AnalyticsReport)
    @blp.alt_response(404, description="An area outside your scope")
    @blp.alt_response(422, description="A bad checklist, period or date")
    def get(self, query):
        """Every consistency figure of the network, your areas, or one area."""
        selection = _selection(query)
        _areas, subject = overview_subject(selection, current_user)
        return build(selection, subject, with_visits=False)


@blp.route("/compare")
class Compare(MethodView):
    @allow(*MANAGERS)
    @blp.arguments(AnalyticsCompareQuery, location="query")
    @blp.response(200, AnalyticsComparison)
    @blp.alt_response(404, description="An area outside your scope")
    @blp.alt_response(422, description="A bad checklist, period, date or sort")
    def get(self, query):
        """The locations you may see side by side, sorted and paged (50 a page)."""
        selection = _selection(query)
        return compare.build(
            selection,
            current_user,
            sort=query["sort"],
            direction=query.get("dir"),
            page=query["page"],
        )


@blp.route("/locations/<int:location_id>")
class LocationReport(MethodView):
    @allow(*READERS)
    @blp.arguments(AnalyticsLocationQuery, location="query")
    @blp.response(200, AnalyticsReport)
    @blp.alt_response(404, description="A location outside your scope")
    @blp.alt_response(422, description="A bad checklist, period or date")
    def get(self, query, location_id: int):
        """Every consistency figure of one location, with its visits."""
        try:
            place = visible_location(current_user, location_id)
        except OutOfScope as exc:
            abort(404, message=str(exc))
        return build(_selection(query), Subject.location(place))
