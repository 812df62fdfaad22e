"""What units look like on the wire."""

from marshmallow import Schema, fields, validate

from casework.limits import NAME_MAX
from casework.schema_fields import Id, Text
from casework.vocabulary import UNIT_KINDS


class UnitCreate(Schema):
    name = Text(required=True, min_length=1, max_length=NAME_MAX, names=True)
    kind = fields.String(required=True, validate=validate.OneOf(sorted(UNIT_KINDS)))
    parent_id = Id(required=True)
    code = Text(max_length=64, metadata={"description": "stable code; generated when left out"})


class UnitOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    parent_id = fields.Integer(allow_none=True)


class UnitListArgs(Schema):
    parent_id = Id(strict=False)
    kind = fields.String(validate=validate.OneOf(sorted(UNIT_KINDS)))


class UnitList(Schema):
    items = fields.List(fields.Nested(UnitOut))
    next_cursor = fields.String(allow_none=True)


class UnitUpdate(Schema):
    name = Text(min_length=1, max_length=NAME_MAX, names=True)
    parent_id = Id(metadata={"description": "move the unit, with everything below it, under this one"})
