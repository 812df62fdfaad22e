"""What channels look like on the wire: the secret goes in and never comes out, the target comes
out with its key masked."""

from marshmallow import Schema, fields, validate

from casework.channels.kinds import KINDS
from casework.channels.service import SECRET_MAX
from casework.channels.targets import TARGET_MAX
from casework.limits import DISPLAY_NAME_MAX
from casework.schema_fields import Id, Text

_TARGET = ("email: one address; dingtalk: the robot's webhook URL or its access_token; wecom: the robot's "
           "webhook URL or its key; webhook: an http(s) URL. Answers show it with every key masked.")
_SECRET = ("write-only, never returned: DingTalk's signing secret (SEC…, for its signed-secret mode) or the "
           "HMAC-SHA256 key of a webhook's X-Casework-Signature")


class ChannelCreate(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    target = Text(required=True, min_length=1, max_length=TARGET_MAX, metadata={"description": _TARGET})
    unit_id = Id(metadata={"description": "a unit's channel: it hears what the people holding a role there are told"})
    user_id = Id(metadata={"description": "a person's own channel (give unit_id or user_id, not both)"})
    secret = Text(min_length=1, max_length=SECRET_MAX, load_only=True, metadata={"description": _SECRET})
    name = Text(min_length=1, max_length=DISPLAY_NAME_MAX, names=True,
                metadata={"description": "what people call it, e.g. 青山村工作群 (made up when left out)"})


class ChannelUpdate(Schema):
    target = Text(min_length=1, max_length=TARGET_MAX, metadata={"description": _TARGET})
    secret = Text(min_length=1, max_length=SECRET_MAX, allow_none=True, load_only=True,
                  metadata={"description": _SECRET + "; null removes it"})
    name = Text(min_length=1, max_length=DISPLAY_NAME_MAX, names=True)
    enabled = fields.Boolean(metadata={"description": "false: nothing more is sent to it"})


class ChannelOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    unit_id = fields.Integer(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    owner_name = fields.String(metadata={"description": "the unit's or the person's name"})
    target = fields.String(metadata={"description": "with its key masked: …/robot/send?access_token=…3f2a"})
    has_secret = fields.Boolean()
    enabled = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    last_sent_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True, metadata={"description": "what went wrong last, and what the other end said"})
    last_error_at = fields.DateTime(allow_none=True)
    failing = fields.Boolean(metadata={"description": "its last send failed (no later one went through)"})
    waiting = fields.Integer(metadata={"description": "deliveries queued or waiting for a retry or their turn"})
    failed = fields.Integer(metadata={"description": "deliveries that failed for good"})


class ChannelList(Schema):
    items = fields.List(fields.Nested(ChannelOut))
    next_cursor = fields.String(allow_none=True)


class TestOut(Schema):
    ok = fields.Boolean(metadata={"description": "whether the other end took the message"})
    status = fields.Integer(allow_none=True, metadata={"description": "its HTTP status (or SMTP reply code)"})
    answer = fields.String(allow_none=True, metadata={"description": "what it answered (at most 500 characters)"})
    error = fields.String(allow_none=True)
    elapsed_ms = fields.Integer()
    delivery_id = fields.Integer()


class AttemptOut(Schema):
    number = fields.Integer()
    at = fields.DateTime()
    ok = fields.Boolean()
    will_retry = fields.Boolean()
    status_code = fields.Integer(allow_none=True)
    answer = fields.String(allow_none=True)
    error = fields.String(allow_none=True)
    elapsed_ms = fields.Integer()


class DeliveryOut(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "queued, sending, waiting, sent or failed"})
    digest = fields.Boolean()
    test = fields.Boolean()
    attempts = fields.Integer()
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    notification_ids = fields.List(fields.Integer())
    tries = fields.List(fields.Nested(AttemptOut), metadata={"description": "each attempt and what came back"})


class DeliveryArgs(Schema):
    limit = fields.Integer(validate=validate.Range(min=1, max=100), load_default=20)


class DeliveryList(Schema):
    items = fields.List(fields.Nested(DeliveryOut))
