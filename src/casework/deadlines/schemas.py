"""What the working-day calendar's overrides look like on the wire."""

from marshmallow import Schema, fields, validate

from casework.schema_fields import Text


class OverrideIn(Schema):
    day = fields.Date(required=True)
    is_workday = fields.Boolean(required=True, metadata={"description": "true: a working day here; false: a day off"})
    note = Text(max_length=200, metadata={"description": "why, e.g. 国务院办公厅通知 or 本镇赶集日"})


class OverrideOut(Schema):
    day = fields.Date()
    is_workday = fields.Boolean()
    note = fields.String()
    set_by = fields.Integer(allow_none=True)
    set_at = fields.DateTime()


class OverrideArgs(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2099))


class OverrideList(Schema):
    items = fields.List(fields.Nested(OverrideOut))
    next_cursor = fields.String(allow_none=True)
