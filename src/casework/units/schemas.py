"""What units look like on the wire."""

from marshmallow import Schema, fields, validate

from casework.schema_fields import Id, Text
from casework.vocabulary import UnitKind


class UnitCreate(Schema):
    name = Text(required=True, min_length=1, max_length=200)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in UnitKind]))
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
    kind = fields.String(validate=validate.OneOf([k.value for k in UnitKind]))


class UnitList(Schema):
    items = fields.List(fields.Nested(UnitOut))
    next_cursor = fields.String(allow_none=True)
