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
    default_deadline = fields.Date(allow_none=True)
    workflow_key = fields.String(allow_none=True)


class ItemList(Schema):
    items = fields.List(fields.Nested(ItemOut))
    next_cursor = fields.String(allow_none=True)
