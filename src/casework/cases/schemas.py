"""What cases, their events and history look like on the wire."""

import json

from marshmallow import Schema, fields, validate

from casework.cases.queries import SORTS
from casework.cases.service import SEVERITIES
from casework.limits import (
    CATEGORY_MAX, CURSOR_MAX, DEFAULT_PAGE, DESCRIPTION_MAX, KEY_PATTERN, MAX_PAGE, REASON_MAX, SEARCH_MAX,
    SOURCE_MAX, TITLE_MAX, VILLAGE_MAX,
)
from casework.schema_fields import Id, Text, Version


class CaseCreate(Schema):
    campaign_id = Id(required=True)
    item_id = Id()
    unit_id = Id(required=True)
    title = Text(required=True, min_length=1, max_length=TITLE_MAX, names=True)
    description = Text(max_length=DESCRIPTION_MAX)
    village = Text(max_length=VILLAGE_MAX, names=True)
    household_id = Id(metadata={"description": "the household (帮扶对象) the finding concerns"})
    source = Text(max_length=SOURCE_MAX, metadata={"description": "问题来源, one of GET /api/v1/sources"})
    category = Text(max_length=CATEGORY_MAX, metadata={"description": "问题类别; defaults to the item's area"})
    severity = fields.String(validate=validate.OneOf(SEVERITIES))
    deadline = fields.Date(metadata={"description": "local date, inclusive (YYYY-MM-DD)"})


class EventRequest(Schema):
    event = fields.String(required=True, validate=validate.Regexp(KEY_PATTERN))
    version = Version(required=True)
    reason = Text(max_length=REASON_MAX)
    comment = Text(max_length=REASON_MAX)
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
    household_id = fields.Integer(allow_none=True)
    source = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
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
    closed_at = fields.DateTime(allow_none=True, metadata={"description": "when it last reached a closed state"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CaseOut(CaseSummary):
    allowed_events = fields.List(fields.String(), metadata={"description": "the events you may fire now"})


class CaseList(Schema):
    items = fields.List(fields.Nested(CaseSummary))
    next_cursor = fields.String(allow_none=True)


class CaseListArgs(Schema):
    state = fields.String(validate=validate.Regexp(KEY_PATTERN))
    unit_id = Id(strict=False, metadata={"description": "this unit and every unit below it"})
    campaign_id = Id(strict=False)
    assignee_id = Id(strict=False)
    overdue = fields.Boolean()
    source = Text(max_length=SOURCE_MAX)
    category = Text(max_length=CATEGORY_MAX)
    household_id = Id(strict=False)
    item_id = Id(strict=False, metadata={"description": "the inspection item the case was found under"})
    q = Text(max_length=SEARCH_MAX, metadata={"description": "text in number, title, description or village"})
    sort = fields.String(validate=validate.OneOf(list(SORTS)), load_default="-created_at")
    limit = fields.Integer(validate=validate.Range(min=1, max=MAX_PAGE), load_default=DEFAULT_PAGE)
    cursor = fields.String(validate=validate.Length(max=CURSOR_MAX))


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


class FindingPreview(Schema):
    row = fields.Integer()
    unit_id = fields.Integer()
    item_id = fields.Integer(allow_none=True)
    household_id = fields.Integer(allow_none=True)
    title = fields.String()
    village = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
    severity = fields.String()
    deadline = fields.Date(allow_none=True)


class FindingsImportOut(Schema):
    committed = fields.Boolean()
    rows = fields.Integer(metadata={"description": "rows read (and checked: none has a problem)"})
    created = fields.Integer(metadata={"description": "cases opened (0 in a dry run)"})
    preview = fields.List(fields.Nested(FindingPreview), metadata={"description": "the first rows, as they would open"})


class TemplateArgs(Schema):
    campaign_id = Id(strict=False, metadata={"description": "list this campaign's items in the template"})


class SourceIn(Schema):
    name = Text(required=True, min_length=1, max_length=SOURCE_MAX, names=True)


class SourceList(Schema):
    items = fields.List(fields.String(), metadata={"description": "the standard sources, then the ones added here"})


class HandOverIn(Schema):
    to_user_id = Id(required=True, metadata={"description": "who takes the cases over"})
    reason = Text(required=True, min_length=1, max_length=REASON_MAX,
                  metadata={"description": "why (it is on each case's reassign event)"})
    unit_id = Id(metadata={"description": "move the cases to this unit too (default: each stays where it is)"})


class HandOverOut(Schema):
    count = fields.Integer(metadata={"description": "cases handed over"})
    items = fields.List(fields.Nested(CaseSummary), metadata={"description": "the cases after, oldest first"})
