"""What the numbers and the exports look like on the wire."""

from marshmallow import Schema, fields, validate

from casework.limits import KEY_PATTERN, SEARCH_MAX
from casework.schema_fields import Id, Text


class ExportArgs(Schema):
    """The case list's filters (no paging: the ledger has every row)."""

    state = fields.String(validate=validate.Regexp(KEY_PATTERN))
    unit_id = Id(strict=False, metadata={"description": "this unit and every unit below it"})
    campaign_id = Id(strict=False)
    assignee_id = Id(strict=False)
    overdue = fields.Boolean()
    q = Text(max_length=SEARCH_MAX)


class StatsArgs(Schema):
    campaign_id = Id(strict=False)


class ReportArgs(Schema):
    campaign_id = Id(strict=False, required=True)


class RateOut(Schema):
    total = fields.Integer()
    verified = fields.Integer()
    open = fields.Integer()
    dismissed = fields.Integer()
    completion_rate = fields.Float(allow_none=True)


class UnitRateOut(RateOut):
    unit_id = fields.Integer()
    name = fields.String()
    overdue = fields.Integer()


class VillageRateOut(RateOut):
    village = fields.String()
    unit_id = fields.Integer(allow_none=True, metadata={"description": "the village's unit; null for 镇级"})
    overdue = fields.Integer()


class StatsOut(Schema):
    total = fields.Integer()
    by_state = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_unit = fields.List(fields.Nested(UnitRateOut))
    by_village = fields.List(fields.Nested(VillageRateOut))
    overdue = fields.Integer()
    verified = fields.Integer()
    counted = fields.Integer(metadata={"description": "every case but those dismissed as unfounded"})
    completion_rate = fields.Float(allow_none=True, metadata={"description": "整改完成率: verified ÷ counted"})
    days_to_verify_avg = fields.Float(allow_none=True)
    days_to_verify_p90 = fields.Float(allow_none=True)
    top_items = fields.List(fields.Dict(), metadata={"description": "the items with most open cases"})
    daily = fields.List(fields.Dict(), metadata={"description": "opened and closed per day, last 60 days"})
