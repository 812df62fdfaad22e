"""What an audit check looks like on the wire."""

import json

from marshmallow import Schema, fields, validate

from casework.limits import CURSOR_MAX, DEFAULT_PAGE, MAX_PAGE
from casework.schema_fields import Id


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


class AdminLogArgs(Schema):
    target_type = fields.String(validate=validate.OneOf(["unit", "user"]))
    target_id = Id(strict=False)
    limit = fields.Integer(validate=validate.Range(min=1, max=MAX_PAGE), load_default=DEFAULT_PAGE)
    cursor = fields.String(validate=validate.Length(max=CURSOR_MAX))


class AdminLogEntryOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.Integer(allow_none=True, metadata={"description": "null for the command line"})
    action = fields.String(metadata={"description": "unit.create, user.create, role.grant, user.disable, …"})
    target_type = fields.String()
    target_id = fields.Integer(allow_none=True)
    payload = fields.Function(lambda entry: json.loads(entry.payload))


class AdminLogPage(Schema):
    items = fields.List(fields.Nested(AdminLogEntryOut))
    next_cursor = fields.String(allow_none=True)


class AccessLogArgs(Schema):
    action = fields.String(validate=validate.Length(max=64),
                           metadata={"description": "signin.ok, signin.failed, password.changed, export.ledger, …"})
    actor_id = Id(strict=False)
    limit = fields.Integer(validate=validate.Range(min=1, max=MAX_PAGE), load_default=DEFAULT_PAGE)
    cursor = fields.String(validate=validate.Length(max=CURSOR_MAX))


class AccessLogEntryOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.Integer(allow_none=True)
    username = fields.String(allow_none=True, metadata={"description": "the name typed at sign-in"})
    action = fields.String()
    target_type = fields.String(allow_none=True)
    target_id = fields.Integer(allow_none=True)
    address = fields.String(allow_none=True)
    detail = fields.Function(lambda entry: json.loads(entry.detail))


class AccessLogPage(Schema):
    items = fields.List(fields.Nested(AccessLogEntryOut))
    next_cursor = fields.String(allow_none=True)
