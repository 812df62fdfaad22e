"""What the inbox looks like on the wire."""

from marshmallow import Schema, fields, validate

from casework.limits import CURSOR_MAX, DEFAULT_PAGE, MAX_PAGE


class NotificationOut(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "reminder, escalation, assigned, returned, to_verify, …"})
    level = fields.Integer(metadata={"description": "the escalation level (0 for anything else)"})
    case_id = fields.Integer(allow_none=True)
    message = fields.String(metadata={"description": "in your language"})
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class InboxArgs(Schema):
    unread = fields.Boolean(load_default=False, metadata={"description": "only the unread ones"})
    limit = fields.Integer(validate=validate.Range(min=1, max=MAX_PAGE), load_default=DEFAULT_PAGE)
    cursor = fields.String(validate=validate.Length(max=CURSOR_MAX))


class Inbox(Schema):
    items = fields.List(fields.Nested(NotificationOut))
    next_cursor = fields.String(allow_none=True)
    unread = fields.Integer(metadata={"description": "how many are unread in all"})


class MarkedOut(Schema):
    marked = fields.Integer()
