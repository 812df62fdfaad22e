"""What campaigns and inspection items look like on the wire."""

import json

from marshmallow import Schema, fields, validate

from casework.limits import CAMPAIGN_CODE_PATTERN, DESCRIPTION_MAX, KEY_PATTERN, NAME_MAX, PARTIES_MAX, PARTY_MAX, TITLE_MAX
from casework.schema_fields import Id, Text


class CampaignCreate(Schema):
    name = Text(required=True, min_length=1, max_length=NAME_MAX, names=True)
    code = fields.String(required=True, validate=validate.Regexp(CAMPAIGN_CODE_PATTERN),
                         metadata={"description": "prefix of the case numbers, e.g. QS"})
    starts_on = fields.Date(required=True)
    ends_on = fields.Date()
    leader_unit_id = Id(required=True)


class CampaignOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    leader_unit_id = fields.Integer()
    timezone = fields.String()


class CampaignList(Schema):
    items = fields.List(fields.Nested(CampaignOut))
    next_cursor = fields.String(allow_none=True)


class ItemCreate(Schema):
    title = Text(required=True, min_length=1, max_length=TITLE_MAX, names=True)
    code = Text(max_length=64)
    what_to_inspect = Text(max_length=DESCRIPTION_MAX)
    rectification_measure = Text(max_length=DESCRIPTION_MAX)
    responsible = fields.List(Text(min_length=1, max_length=PARTY_MAX), validate=validate.Length(max=PARTIES_MAX))
    default_deadline = fields.Date()
    workflow_key = fields.String(validate=validate.Regexp(KEY_PATTERN))


class ItemOut(Schema):
    id = fields.Integer()
    campaign_id = fields.Integer()
    code = fields.String(allow_none=True)
    title = fields.String()
    what_to_inspect = fields.String()
    rectification_measure = fields.String()
    responsible = fields.Function(lambda item: json.loads(item.responsible_unit_kinds or "[]"))
    parties = fields.Function(lambda item: json.loads(item.parties or "[]"),
                              metadata={"description": "the responsible parties as understood: {name, unit_kind, role}"})
    area = fields.String(allow_none=True)
    default_deadline = fields.Date(allow_none=True)
    workflow_key = fields.String(allow_none=True)
    source = fields.String(allow_none=True, metadata={"description": "the plan's text it was imported from"})


class ItemList(Schema):
    items = fields.List(fields.Nested(ItemOut))
    next_cursor = fields.String(allow_none=True)


class PlanIn(Schema):
    text = Text(required=True, min_length=1, max_length=2_000_000,
                metadata={"description": "the plan as plain text (or send a multipart `file`: .docx or .txt)"})
    commit = fields.Boolean(load_default=False, metadata={"description": "false (default): only preview"})


class PartyOut(Schema):
    name = fields.String()
    unit_kind = fields.String(allow_none=True)
    role = fields.String(allow_none=True)


class PlanItemOut(Schema):
    code = fields.String(metadata={"description": "its place in the plan, e.g. 三.(一).1"})
    action = fields.String(metadata={"description": "create, update, unchanged, kept_edited (a leader's edit stands)"})
    item_id = fields.Integer(allow_none=True)
    title = fields.Function(lambda o: o.plan["title"])
    what_to_inspect = fields.Function(lambda o: o.plan["what_to_inspect"])
    rectification_measure = fields.Function(lambda o: o.plan["rectification_measure"])
    area = fields.Function(lambda o: o.plan["area"])
    default_deadline = fields.Function(lambda o: o.plan["default_deadline"])
    deadline_text = fields.String(allow_none=True)
    parties = fields.List(fields.Nested(PartyOut))
    source = fields.String(metadata={"description": "the plan's text this item came from"})
    differences = fields.List(fields.Dict(), metadata={"description": "{field, current, plan}"})


class PlanWarningOut(Schema):
    code = fields.String()
    message = fields.String()
    details = fields.Dict()
    source = fields.String()


class PlanOut(Schema):
    committed = fields.Boolean()
    items = fields.List(fields.Nested(PlanItemOut))
    warnings = fields.List(fields.Nested(PlanWarningOut))


class ItemUpdate(Schema):
    title = Text(min_length=1, max_length=TITLE_MAX, names=True)
    what_to_inspect = Text(max_length=DESCRIPTION_MAX)
    rectification_measure = Text(max_length=DESCRIPTION_MAX)
    responsible = fields.List(Text(min_length=1, max_length=PARTY_MAX), validate=validate.Length(max=PARTIES_MAX))
    default_deadline = fields.Date(allow_none=True)
    workflow_key = fields.String(allow_none=True, validate=validate.Regexp(KEY_PATTERN))
