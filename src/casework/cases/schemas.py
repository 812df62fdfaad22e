"""What cases, their events and history look like on the wire."""

import json

from marshmallow import Schema, fields, validate

from casework.cases.service import SEVERITIES
from casework.schema_fields import Id, Text, Version

SORTS = ("-created_at", "created_at", "deadline", "-updated_at", "number")


class CaseCreate(Schema):
    campaign_id = Id(required=True)
    item_id = Id()
    unit_id = Id(required=True)
    title = Text(required=True, min_length=1, max_length=300)
    description = Text(max_length=20000)
    village = Text(max_length=100)
    severity = fields.String(validate=validate.OneOf(SEVERITIES))
    deadline = fields.Date(metadata={"description": "local date, inclusive (YYYY-MM-DD)"})


class EventRequest(Schema):
    event = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$"))
    version = Version(required=True)
    reason = Text(max_length=2000)
    comment = Text(max_length=2000)
    assignee_id = Id()
    unit_id = Id()
    deadline = fields.Date()


class WorkflowRef(Schema):
    key = fields.String()
    version = fields.Integer()


class CaseSummary(Schema):
    """A case in a list (without `allowed_events`, which costs a look at each case's rules)."""

    id = fields.Integer()
    number = fields.String()
    campaign_id = fields.Integer()
    item_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer()
    assignee_id = fields.Integer(allow_none=True)
    title = fields.String()
    description = fields.String()
    village = fields.String(allow_none=True)
    severity = fields.String()
    deadline = fields.Date(allow_none=True)
    state = fields.String()
    state_label = fields.String()
    version = fields.Integer()
    workflow = fields.Nested(WorkflowRef)
    self_inspection = fields.Boolean()
    overdue = fields.Boolean()
    escalation_level = fields.Integer()
    event_count = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CaseOut(CaseSummary):
    allowed_events = fields.List(fields.String(), metadata={"description": "the events you may fire now"})


class CaseList(Schema):
    items = fields.List(fields.Nested(CaseSummary))
    next_cursor = fields.String(allow_none=True)


class CaseListArgs(Schema):
    state = fields.String(validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,63}$"))
    unit_id = Id(strict=False, metadata={"description": "this unit and every unit below it"})
    campaign_id = Id(strict=False)
    assignee_id = Id(strict=False)
    overdue = fields.Boolean()
    q = Text(max_length=100, metadata={"description": "text in number, title, description or village"})
    sort = fields.String(validate=validate.OneOf(SORTS), load_default="-created_at")
    limit = fields.Integer(validate=validate.Range(min=1, max=200), load_default=50)
    cursor = fields.String(validate=validate.Length(max=1000))


class HistoryItem(Schema):
    seq = fields.Integer()
    event = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    actor_id = fields.Integer()
    at = fields.DateTime()
    payload = fields.Function(lambda row: json.loads(row.payload))
    prev_hash = fields.String()
    hash = fields.String()


class HistoryOut(Schema):
    case_id = fields.Integer()
    number = fields.String()
    chain_head = fields.String()
    items = fields.List(fields.Nested(HistoryItem))


