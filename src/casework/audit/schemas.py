"""What an audit check looks like on the wire."""

import json

from marshmallow import Schema, fields, validate

from casework.limits import CURSOR_MAX, DEFAULT_PAGE, MAX_PAGE
from casework.schema_fields import Id


class FindingOut(Schema):
    code = fields.String(metadata={"description": "chain_hash_mismatch, row_field_mismatch, checkpoint_rewritten, …"})
    reason = fields.String(metadata={"description": "what does not match, in your language"})
    case_id = fields.Integer(allow_none=True)
    number = fields.String(allow_none=True)
    seq = fields.Integer(allow_none=True, metadata={"description": "the event (or admin log entry, checkpoint)"})
    field = fields.String(allow_none=True, metadata={"description": "the case row's column that differs"})
    expected = fields.String(allow_none=True, metadata={"description": "what the record says it should be"})
    found = fields.String(allow_none=True)
    record = fields.String(metadata={"description": "case, admin log, checkpoint N, checkpoints"})


class VerifyOut(Schema):
    ok = fields.Boolean()
    checked = fields.Integer(metadata={"description": "events checked"})
    cases = fields.Integer()
    first_bad = fields.Nested(FindingOut, allow_none=True)
    findings = fields.List(fields.Nested(FindingOut))


class VerificationRunOut(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "queued, running, done"})
    cases_total = fields.Integer()
    cases_done = fields.Integer()
    ok = fields.Boolean(allow_none=True, metadata={"description": "null until done"})
    checked = fields.Integer()
    first_bad = fields.Nested(FindingOut, allow_none=True)
    findings = fields.List(fields.Nested(FindingOut))
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


class VerificationArgs(Schema):
    run = Id(strict=False, metadata={"description": "a run you started; your latest when left out"})


class CheckpointOut(Schema):
    seq = fields.Integer()
    at = fields.DateTime()
    entry_count = fields.Integer(metadata={"description": "cases that changed since the checkpoint before"})
    root = fields.String(metadata={"description": "SHA-256 over the sorted lines 'case_id event_count head'"})
    admin_seq = fields.Integer()
    admin_head = fields.String()
    prev_hash = fields.String()
    hash = fields.String(metadata={"description": "SHA-256 over the canonical JSON of the fields above and key_id"})
    key_id = fields.String()
    signature = fields.String(metadata={"description": "Ed25519 over `hash` (as text), hex"})


class CheckpointEntryOut(Schema):
    case_id = fields.Integer()
    event_count = fields.Integer()
    head = fields.String()


class CheckpointDetail(CheckpointOut):
    entries = fields.List(fields.Nested(CheckpointEntryOut))


class CheckpointLog(Schema):
    public_key = fields.String(allow_none=True, metadata={"description": "PEM; keep it with the log"})
    key_id = fields.String(allow_none=True)
    items = fields.List(fields.Nested(CheckpointOut))


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
