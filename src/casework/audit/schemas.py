"""What an audit check looks like on the wire."""

from marshmallow import Schema, fields


class BadEventOut(Schema):
    case_id = fields.Integer()
    number = fields.String()
    seq = fields.Integer(allow_none=True)
    reason = fields.String()


class VerifyOut(Schema):
    ok = fields.Boolean()
    checked = fields.Integer()
    cases = fields.Integer()
    first_bad = fields.Nested(BadEventOut, allow_none=True)
