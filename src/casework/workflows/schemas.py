"""What workflow definitions look like on the wire."""

from marshmallow import Schema, fields, validate

from casework.limits import MAX_ID


class StateOut(Schema):
    key = fields.String()
    label = fields.String()
    time_allowed = fields.String(allow_none=True)
    final = fields.Boolean()
    closed = fields.Boolean()


class EventOut(Schema):
    key = fields.String()
    label = fields.String()
    sources = fields.List(fields.String(), data_key="from")
    target = fields.String(allow_none=True, data_key="to")
    roles = fields.List(fields.String())
    requires = fields.List(fields.String())
    accepts = fields.List(fields.String())
    evidence = fields.List(fields.String())
    not_by_actor_of = fields.String(allow_none=True)


class VersionOut(Schema):
    version = fields.Integer()
    content_hash = fields.String()
    created_at = fields.DateTime()
    retired = fields.Boolean()


class WorkflowSummary(Schema):
    key = fields.String()
    version = fields.Integer()
    name = fields.String()
    description = fields.String()
    applies_to = fields.List(fields.String())
    initial = fields.String()
    content_hash = fields.String()
    remind_before = fields.String(allow_none=True)
    versions = fields.List(fields.Nested(VersionOut))


class WorkflowOut(WorkflowSummary):
    states = fields.List(fields.Nested(StateOut))
    events = fields.List(fields.Nested(EventOut))
    escalation = fields.List(fields.Dict())
    mermaid = fields.String(metadata={"description": "the machine as a Mermaid stateDiagram"})
    evidence_kinds = fields.List(fields.Dict(), metadata={"description": "every evidence kind: {key, label (Chinese)}"})


class WorkflowList(Schema):
    items = fields.List(fields.Nested(WorkflowSummary))
    next_cursor = fields.String(allow_none=True)


class WorkflowArgs(Schema):
    # marshmallow 4 ignores a validator's return value: it has to raise, as Range does.
    version = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
